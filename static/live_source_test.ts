// static/live_source.js against a real server-sent events endpoint, with Deno's own
// EventSource (the same WHATWG implementation contract as the browser's).
import assert from "node:assert/strict";
import { liveSource } from "./live_source.js";

/** A server answering the n-th request with `reply(n)`; notes each one's query and Last-Event-ID. */
function serve(reply: (n: number) => Response) {
  const requests: { search: string; lastEventId: string | null }[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (request) => {
    requests.push({
      search: new URL(request.url).search,
      lastEventId: request.headers.get("last-event-id"),
    });
    return reply(requests.length);
  });
  return { url: `http://127.0.0.1:${server.addr.port}/events`, requests, server };
}

/** An event stream that sends `text` and then either ends or stays open. */
function stream(text: string, end: boolean) {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      if (end) controller.close();
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
}

function closeQuietly(c: ReadableStreamDefaultController) {
  try {
    c.close();
  } catch { /* the client went first */ }
}

async function until(condition: () => boolean, what: string) {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(condition(), what);
}

Deno.test("liveSource() resumes after the last id: Last-Event-ID, then ?after= on a new stream", async () => {
  const open: ReadableStreamDefaultController[] = [];
  const { url, requests, server } = serve((n) => {
    if (n === 1) return stream("retry: 10\nid: 7\nevent: log\ndata: a\n\n", true);
    if (n === 2) return new Response("no", { status: 503 }); // the browser gives up
    return new Response(
      new ReadableStream({
        start(c) {
          open.push(c);
          c.enqueue(new TextEncoder().encode("id: 8\nevent: log\ndata: b\n\n"));
        },
      }),
      { headers: { "content-type": "text/event-stream" } },
    );
  });
  const got: string[] = [];
  const states: boolean[] = [];
  const live = liveSource(url, {
    after: "5",
    retryMs: 20,
    onState: (up) => states.push(up),
    on: { log: (event) => got.push(event.data) },
  });
  try {
    await until(() => got.length === 2, "both lines arrived");
    assert.deepEqual(got, ["a", "b"]);
    const [first, again, fresh] = requests.map((r) => r.search);
    assert.equal(first, "?after=5");
    assert.equal(again, "?after=5", "the browser's own reconnect keeps the URL…");
    assert.equal(requests[1].lastEventId, "7", "…and sends Last-Event-ID");
    assert.equal(fresh, "?after=7", "a new stream resumes after the last id seen");
    assert.equal(states.at(-1), true);
    assert.ok(states.includes(false), "the drop was reported");
  } finally {
    live.close();
    for (const c of open) closeQuietly(c);
    await server.shutdown();
  }
});

Deno.test("liveSource() replaces a stream that went quiet, and not one that is closed", async () => {
  const open: ReadableStreamDefaultController[] = [];
  const { url, requests, server } = serve(() =>
    new Response(
      new ReadableStream({
        start(c) {
          open.push(c);
          c.enqueue(new TextEncoder().encode(": hello\n\n"));
        },
      }),
      { headers: { "content-type": "text/event-stream" } },
    )
  );
  const live = liveSource(url, { quietMs: 100, on: {} });
  try {
    await until(() => requests.length >= 3, "two replacements");
    live.close();
    const count = requests.length;
    await new Promise((r) => setTimeout(r, 250));
    assert.equal(requests.length, count, "closed: no new stream");
  } finally {
    live.close();
    for (const c of open) closeQuietly(c);
    await server.shutdown();
  }
});
