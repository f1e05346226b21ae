import assert from "node:assert/strict";
import { BODY_MAX, checkReply, TITLE_MAX, URL_MAX } from "./input.ts";

Deno.test("checkReply() trims, joins a title onto one line and normalises line breaks", () => {
  assert.deepEqual(checkReply("reply", { title: "  Hi\tthere\n you ", body: "\r\nA\r\nB\rC  " }), {
    ok: true,
    input: { kind: "reply", title: "Hi there you", body: "A\nB\nC" },
  });
});

Deno.test("checkReply() counts characters, not UTF-16 units", () => {
  const emoji = "😀".repeat(TITLE_MAX);
  assert.equal(checkReply("reply", { title: emoji, body: "x" }).ok, true);
  const tooLong = checkReply("reply", { title: `${emoji}😀`, body: "😀".repeat(BODY_MAX + 1) });
  assert.deepEqual(tooLong, {
    ok: false,
    problems: [{ field: "title", code: "titleTooLong" }, { field: "body", code: "bodyTooLong" }],
  });
});

Deno.test("checkReply() refuses control characters XML cannot carry", () => {
  for (const bad of ["\u0000", "\u0007", "\u001B", "\uFFFE", "\uD800"]) {
    const result = checkReply("reply", { title: "t", body: `a${bad}b` });
    assert.deepEqual(result, {
      ok: false,
      problems: [{ field: "body", code: "invalidCharacters" }],
    }, JSON.stringify(bad));
  }
  assert.equal(checkReply("reply", { title: "t", body: "tab\tand\nnewline" }).ok, true);
});

Deno.test("checkReply() accepts absolute http(s) URLs only and stores them normalised", () => {
  assert.deepEqual(checkReply("url", { title: "t", body: " HTTPS://Example.COM " }), {
    ok: true,
    input: { kind: "url", title: "t", body: "https://example.com/" },
  });
  const refused: [string, string][] = [
    ["", "urlRequired"],
    ["example.com", "urlInvalid"],
    ["//example.com/x", "urlInvalid"],
    ["javascript:alert(1)", "urlInvalid"],
    ["data:text/html,<b>x</b>", "urlInvalid"],
    ["file:///etc/passwd", "urlInvalid"],
    ["https://a.test/a b", "urlInvalid"],
    [`https://a.test/${"x".repeat(URL_MAX)}`, "urlTooLong"],
  ];
  for (const [body, code] of refused) {
    assert.deepEqual(checkReply("url", { title: "t", body }), {
      ok: false,
      problems: [{ field: "body", code }],
    }, body);
  }
});
