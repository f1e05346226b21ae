import assert from "node:assert/strict";
import { Hono } from "hono";
import { type LiveStream, liveStream, type LiveStreamOptions } from "./live_stream.ts";

/** An app whose one route is a live stream run by `start`. */
function appWith(start: (stream: LiveStream) => void | Promise<void>, options?: LiveStreamOptions) {
  return new Hono().get("/", (c) => liveStream(c, start, options));
}

Deno.test("liveStream() splits data on \\r\\n, \\r and \\n into data: lines, after a retry:", async () => {
  const res = await appWith((stream) => {
    stream.send({ event: "log", data: "a\r\nb\rc\nd", id: 7 });
    stream.send({ event: "state", data: "{}" });
    stream.close();
  }).request("/");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
  assert.equal(res.headers.get("cache-control"), "no-store");
  assert.equal(res.headers.get("x-accel-buffering"), "no");
  assert.equal(
    await res.text(),
    "retry: 3000\n\n" +
      "event: log\ndata: a\ndata: b\ndata: c\ndata: d\nid: 7\n\n" +
      "event: state\ndata: {}\n\n",
  );
});

Deno.test("liveStream() keeps field names inside data as data: a line 'id: 9' forges no id", async () => {
  const res = await appWith((stream) => {
    stream.send({ event: "log", data: "x\nid: 9\r\nevent: evil\rretry: 1" });
    stream.close();
  }).request("/");
  const frame = (await res.text()).split("\n\n")[1];
  assert.equal(frame, "event: log\ndata: x\ndata: id: 9\ndata: event: evil\ndata: retry: 1");
  assert.deepEqual(frame.split("\n").filter((line) => !line.startsWith("data: ")), [
    "event: log",
  ]);
});

Deno.test("liveStream() refuses an id or event name with a line break (or an id with NUL)", async () => {
  const refused: unknown[] = [];
  const res = await appWith((stream) => {
    for (const id of ["1\nevent: evil", "1\r", "1\r\nretry: 1", "1\0"]) {
      try {
        stream.send({ event: "log", data: "x", id });
      } catch (error) {
        refused.push(error);
      }
    }
    for (const event of ["log\ndata: evil", "log\r"]) {
      try {
        stream.send({ event, data: "x" });
      } catch (error) {
        refused.push(error);
      }
    }
    stream.send({ event: "log", data: "fine", id: "id: 5" });
    stream.close();
  }).request("/");
  assert.equal(refused.length, 6);
  assert.ok(refused.every((error) => error instanceof RangeError));
  assert.equal(await res.text(), "retry: 3000\n\nevent: log\ndata: fine\nid: id: 5\n\n");
});

Deno.test("liveStream() sends a ping heartbeat and runs onClose once when the reader goes away", async () => {
  let closes = 0;
  let handle: LiveStream | undefined;
  const res = await appWith((stream) => {
    handle = stream;
    stream.onClose(() => void closes++);
  }, { heartbeatMs: 10, retryMs: 500 }).request("/");
  const reader = res.body!.getReader();
  let text = "";
  while (!text.includes("event: ping\ndata: 1\n\n")) {
    text += new TextDecoder().decode((await reader.read()).value);
  }
  assert.ok(text.startsWith("retry: 500\n\n"));
  await reader.cancel();
  for (let i = 0; i < 50 && closes === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(closes, 1);
  assert.equal(handle?.closed, true);
  handle?.send({ event: "late", data: "dropped" }); // no error, nothing written
});

Deno.test("liveStream() answers an error thrown by start as an ordinary error response", async () => {
  const app = appWith(() => {
    throw new Error("no such session");
  });
  app.onError((error, c) => c.text(error.message, 418));
  const res = await app.request("/");
  assert.equal(res.status, 418);
  assert.equal(await res.text(), "no such session");
  assert.doesNotMatch(res.headers.get("content-type") ?? "", /event-stream/);
});
