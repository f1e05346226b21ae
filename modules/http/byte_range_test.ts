import assert from "node:assert/strict";
import { fileResponse, parseByteRange } from "./byte_range.ts";

Deno.test("parseByteRange() reads one byte range, cut to the size; refuses one past the end", () => {
  const rows: [string | undefined, unknown][] = [
    [undefined, null],
    ["bytes=0-", { start: 0, end: 99 }],
    ["bytes=10-19", { start: 10, end: 19 }],
    ["bytes=90-500", { start: 90, end: 99 }],
    ["bytes=-10", { start: 90, end: 99 }],
    ["bytes=-500", { start: 0, end: 99 }],
    ["bytes=100-", "unsatisfiable"],
    ["bytes=-0", "unsatisfiable"],
    ["bytes=20-10", null],
    ["bytes=-", null],
    ["bytes=0-1,4-5", null],
    ["items=0-1", null],
  ];
  for (const [header, want] of rows) assert.deepEqual(parseByteRange(header, 100), want, header);
  assert.equal(parseByteRange("bytes=-5", 0), "unsatisfiable");
});

Deno.test("fileResponse() streams the range from disk and closes the file, also when cancelled", async () => {
  const path = await Deno.makeTempFile();
  try {
    const bytes = new Uint8Array(150_000).map((_, i) => i % 253);
    await Deno.writeFile(path, bytes);
    const part = await fileResponse(await Deno.open(path), bytes.length, {
      start: 70_000,
      end: 139_999,
    }, { "content-type": "video/webm" });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get("content-range"), "bytes 70000-139999/150000");
    assert.equal(part.headers.get("content-type"), "video/webm");
    assert.deepEqual(new Uint8Array(await part.arrayBuffer()), bytes.slice(70_000, 140_000));

    const cancelled = await fileResponse(await Deno.open(path), bytes.length, {
      start: 0,
      end: 149_999,
    }, {});
    const reader = cancelled.body!.getReader();
    await reader.read();
    await reader.cancel();

    const refused = await fileResponse(await Deno.open(path), bytes.length, "unsatisfiable", {});
    assert.equal(refused.status, 416);
    assert.equal(refused.headers.get("content-range"), "bytes */150000");
    // The test's resource sanitizer fails it if any of the three files were left open.
  } finally {
    await Deno.remove(path);
  }
});
