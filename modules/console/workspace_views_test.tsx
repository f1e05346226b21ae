import assert from "node:assert/strict";
import { LANGUAGES, translator } from "../i18n/mod.ts";
import type { LogLine } from "../support/mod.ts";
import { LogLineView, SessionLog } from "./workspace_views.tsx";

const SESSION = "11111111-2222-4333-8444-555555555555";
const FILE = "99999999-8888-4777-8666-555555555555";

function line(patch: Partial<LogLine>): LogLine {
  return {
    id: 7,
    sessionId: SESSION,
    at: new Date("2026-11-24T10:05:00Z"),
    kind: "chat",
    author: "technician",
    userId: null,
    authorName: "Ann",
    body: "",
    data: {},
    seq: 7,
    clientKey: null,
    ...patch,
  };
}

const html = (l: LogLine, lang: "en" | "nl" = "en") =>
  String(<LogLineView t={translator(lang)} line={l} />);

Deno.test("LogLineView() shows a chat line with its author, time and escaped text", () => {
  const out = html(line({ body: "Hi <b>Carol</b>\nline two" }));
  assert.match(out, /<li id="log-line-7" class="log-line log-chat by-technician" data-log-id="7"/);
  assert.match(
    out,
    /<time datetime="2026-11-24T10:05:00.000Z" data-moment="clock">10:05 AM<\/time>/,
  );
  // The time is in the reader's language: 24-hour in Dutch.
  assert.match(html(line({ body: "Hoi" }), "nl"), /data-moment="clock">10:05<\/time>/);
  assert.match(out, /<span class="author">Ann<\/span>/);
  assert.match(out, /Hi &lt;b&gt;Carol&lt;\/b&gt;\nline two/);
});

Deno.test("LogLineView() names a customer without a name", () => {
  const out = html(line({ author: "customer", authorName: "", body: "hello" }));
  assert.match(out, /by-customer/);
  assert.match(out, /<span class="author">Customer<\/span>/);
});

Deno.test("LogLineView() shows a status line as from → to in the reader's language", () => {
  const status = line({
    kind: "status",
    author: "system",
    body: "status.active",
    data: { event: "start", from: "waiting", to: "active" },
  });
  assert.match(html(status), /Status: Waiting → Active/);
  const nl = translator("nl");
  assert.ok(
    html(status, "nl").includes(`Status: ${nl("status.waiting")} → ${nl("status.active")}`),
  );
  assert.notEqual(nl("status.waiting"), "Waiting");
});

Deno.test("LogLineView() fills an event line's key with its data", () => {
  const out = html(line({ kind: "event", body: "log.chatOff", authorName: "Ann" }));
  assert.match(out, /data-event="log.chatOff"/);
  assert.match(out, /Ann turned chat off\./);
});

Deno.test("LogLineView() shows a file from the customer with fingerprints and a download link", () => {
  const data = { fileId: FILE, size: 2048, md5: "a".repeat(32), sha256: "b".repeat(64) };
  const received = html(line({
    kind: "file",
    author: "customer",
    authorName: "Carol",
    body: "report.pdf",
    data: { ...data, direction: "to_technician" },
  }));
  assert.match(received, new RegExp(`<a href="/console/sessions/${SESSION}/files/${FILE}"`));
  assert.match(received, new RegExp(`data-file-id="${FILE}"`));
  assert.match(received, /<code class="fp-md5">a{32}<\/code>/);
  assert.match(received, /<code class="fp-sha256">b{64}<\/code>/);
  assert.match(received, /2 kB/);
  const sent = html(line({
    kind: "file",
    body: "setup.exe",
    data: { ...data, direction: "to_customer" },
  }));
  assert.doesNotMatch(sent, /data-file-id/);
  assert.match(sent, /<strong class="file-name">setup.exe<\/strong>/);
  assert.match(sent, /class="fp-md5"/);
});

Deno.test("LogLineView() links a pushed http(s) URL and never anything else", () => {
  const pushed = html(line({ kind: "url", body: "https://example.test/help?a=1&b=2" }));
  assert.match(
    pushed,
    /<a class="pushed-url" href="https:\/\/example.test\/help\?a=1&amp;b=2" target="_blank"/,
  );
  const odd = html(line({ kind: "url", body: "javascript:alert(1)" }));
  assert.doesNotMatch(odd, /<a /);
});

Deno.test("SessionLog() renders every line into #log-<id>", () => {
  const out = String(
    <SessionLog
      t={translator("en")}
      sessionId={SESSION}
      lines={[line({ id: 1, body: "one" }), line({ id: 2, body: "two" })]}
    />,
  );
  assert.match(out, new RegExp(`<ol id="log-${SESSION}" class="session-log"`));
  assert.equal(out.match(/<li /g)?.length, 2);
});

Deno.test("the workspace's Transfer… names the same action as the queue's Transfer", () => {
  for (const lang of LANGUAGES) {
    const t = translator(lang);
    assert.equal(t("workspace.transfer"), `${t("console.action_transfer")}…`, lang);
  }
});

Deno.test("LogLineView() gives a stopped transfer's reason in the reader's language when it is a known one", () => {
  const stopped = line({
    kind: "event",
    body: "log.files.stopped",
    data: {
      path: "/home/carol",
      reason: "files is not granted",
      reasonKey: "filemgr.errors.not_granted",
    },
  });
  const nl = html(stopped, "nl");
  assert.ok(nl.includes(translator("nl")("filemgr.errors.not_granted")), nl);
  assert.doesNotMatch(nl, /is not granted/);
  assert.ok(html(stopped).includes("The customer has not allowed the file manager."));
  // An unknown key or none: the words as the support app gave them.
  const raw = line({
    ...stopped,
    data: { path: "/x", reason: "disk on fire", reasonKey: "no.such" },
  });
  assert.match(html(raw, "nl"), /disk on fire/);
});
