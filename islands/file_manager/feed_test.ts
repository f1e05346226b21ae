/**
 * The file manager's one stream (feed.ts) against a real server-sent-event server and the
 * runtime's real EventSource: consent and transfers on the one stream; a transfer's end that
 * happened while the stream was down arrives after the reconnect (from the server's
 * snapshot, or — when the server no longer lists it — from the one question asked on
 * reopening); a refused stream is opened again.
 */
import assert from "node:assert/strict";
import { TransferFeed } from "./feed.ts";
import type { Transfer } from "./remote_api.ts";

const transfer = (state: string, bytes = 0) => ({ id: "t1", state, bytes }) as unknown as Transfer;

/** An SSE server: `answer(n)` is the n-th connection's events (null: refused, 409). */
function serve(answer: (n: number) => { events: [string, unknown][]; end: boolean } | null) {
  let n = 0;
  const open = new Set<ReadableStreamDefaultController<Uint8Array>>();
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, () => {
    const reply = answer(++n);
    if (!reply) return new Response("no", { status: 409 });
    const text = "retry: 20\n\n" +
      reply.events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
        .join("");
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(text));
        if (reply.end) controller.close();
        else open.add(controller);
      },
      cancel() {},
    });
    return new Response(body, { headers: { "content-type": "text/event-stream" } });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/events`,
    connections: () => n,
    async close() {
      for (const c of open) c.close();
      await server.shutdown();
    },
  };
}

const within = <T>(p: Promise<T>, ms = 5_000) =>
  Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timed out")), ms)),
  ]);

Deno.test("feed: consent and progress on one stream; an end missed while it was down arrives after the reconnect", async () => {
  const server = serve((n) =>
    n === 1
      // The first stream: the state, progress, then a drop before the end.
      ? { events: [["state", { present: true }], ["transfer", transfer("running", 10)]], end: true }
      // The reconnect: the server's snapshot has the transfer's end.
      : { events: [["state", { present: true }], ["transfer", transfer("done", 20)]], end: false }
  );
  const feed = new TransferFeed(server.url);
  const states: unknown[] = [];
  feed.onState = (state) => states.push(state);
  const progress: number[] = [];
  feed.watch("t1", (t) => progress.push(t.bytes));
  let asked = 0;
  try {
    feed.start();
    const ended = await within(
      feed.settled(
        "t1",
        () => (asked++, Promise.resolve(transfer("running", 10))),
        AbortSignal.timeout(5_000),
      ),
    );
    assert.equal(ended.state, "done");
    assert.deepEqual(progress.slice(-1), [20]);
    assert.ok(progress.includes(10), "the progress before the drop came");
    assert.ok(states.length >= 2, "the state comes on the same stream, again after a reconnect");
    assert.ok(asked >= 1);
  } finally {
    feed.close();
    await server.close();
  }
});

Deno.test("feed: when the stream no longer lists the transfer, its end is asked for on reopening", async () => {
  let end = "running";
  const server = serve((n) => {
    if (n === 1) return { events: [["transfer", transfer("running", 5)]], end: true };
    end = "done"; // ended meanwhile, and gone from the server's list
    return { events: [["state", { present: true }]], end: false };
  });
  const feed = new TransferFeed(server.url);
  try {
    feed.start();
    const ended = await within(
      feed.settled("t1", () => Promise.resolve(transfer(end, 7)), AbortSignal.timeout(5_000)),
    );
    assert.equal(ended.state, "done");
    assert.ok(server.connections() >= 2);
  } finally {
    feed.close();
    await server.close();
  }
});

Deno.test("feed: a stream the server refused is opened again; abort stops waiting", async () => {
  const server = serve((n) =>
    n === 1 ? null : { events: [["state", { present: false }]], end: false }
  );
  const feed = new TransferFeed(server.url, 50);
  const states: unknown[] = [];
  feed.onState = (state) => states.push(state);
  try {
    feed.start();
    const abort = new AbortController();
    const waiting = feed.settled("t1", () => Promise.resolve(transfer("running")), abort.signal);
    for (let i = 0; i < 100 && states.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(states, [{ present: false }]);
    assert.equal(server.connections(), 2);
    abort.abort(new Error("stopped"));
    await assert.rejects(waiting, /stopped/);
  } finally {
    feed.close();
    await server.close();
  }
});
