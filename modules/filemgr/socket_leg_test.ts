// The server's side of a data socket frees each received message once it is passed on, and
// nothing else: a response body Deno's server writes still carries every byte when the chunks
// it was given are freed two chunks late, and an upload's messages are freed once sent.
import assert from "node:assert/strict";
import { handedOn, pullLegOf, pushLegOf, release } from "./socket_leg.ts";
import type { PushLeg } from "./hub.ts";

const MiB = 1024 * 1024;

/** A loopback server whose sockets go to `onLeg`, and `/body` to `onBody`. */
function loopback(onLeg: (socket: WebSocket) => void, onBody = () => new Response()) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    if (new URL(req.url).pathname === "/body") return onBody();
    const { socket, response } = Deno.upgradeWebSocket(req);
    socket.binaryType = "arraybuffer";
    onLeg(socket);
    return response;
  });
  return { base: `127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
}

/** Sends `count` messages of 1 MiB (message i filled with i + 1), then `end`. */
function sendPatterned(url: string, count: number): WebSocket {
  const ws = new WebSocket(url);
  ws.onopen = () => {
    for (let i = 0; i < count; i++) ws.send(new Uint8Array(MiB).fill(i + 1));
    ws.send("end");
  };
  return ws;
}

function assertPatterned(bytes: Uint8Array, count: number) {
  assert.equal(bytes.byteLength, count * MiB);
  for (let i = 0; i < count; i++) {
    const part = bytes.subarray(i * MiB, (i + 1) * MiB);
    let same = true;
    for (let k = 0; k < part.byteLength && same; k++) same = part[k] === i + 1;
    assert.ok(same, `MiB ${i} arrived as sent`);
  }
}

Deno.test("release() frees only a message a socket leg received", () => {
  const own = new Uint8Array(16).fill(7);
  release(own);
  assert.equal(own.buffer.detached, false);
  assert.ok(own.every((b) => b === 7));
});

Deno.test("handedOn(): a body Deno's server writes keeps every byte though its chunks are freed", async () => {
  const legReady = Promise.withResolvers<PushLeg>();
  const given: Uint8Array[] = [];
  const { base, close } = loopback(
    (socket) => legReady.resolve(pushLegOf(socket)),
    () => {
      const hand = handedOn();
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const leg = await legReady.promise;
          const step = await leg.read();
          if (step.done) return (leg.finish(true), controller.close());
          given.push(step.value);
          controller.enqueue(step.value);
          hand(step.value);
        },
      });
      return new Response(body, { headers: { "content-length": String(24 * MiB) } });
    },
  );
  try {
    const ws = sendPatterned(`ws://${base}/leg`, 24);
    const bytes = new Uint8Array(await (await fetch(`http://${base}/body`)).arrayBuffer());
    assertPatterned(bytes, 24);
    assert.equal(given.length, 24);
    assert.ok(
      given.slice(0, -2).every((c) => (c.buffer as ArrayBuffer).detached),
      "chunks written were freed",
    );
    ws.close();
  } finally {
    await close();
  }
});

Deno.test("pullLegOf(): an upload's socket messages reach the agent intact and are freed once sent", async () => {
  const inbound = Promise.withResolvers<PushLeg>();
  const received: Uint8Array[] = [];
  const agentDone = Promise.withResolvers<void>();
  const { base, close } = loopback((socket) => inbound.resolve(pushLegOf(socket)));
  // The agent's end: acknowledges what it got, until `end`.
  const agent = loopback((socket) => {
    let seen = 0;
    socket.onmessage = (event) => {
      if (event.data === "end") return agentDone.resolve();
      received.push(new Uint8Array(event.data as ArrayBuffer).slice());
      seen += (event.data as ArrayBuffer).byteLength;
      socket.send(`a${seen}`);
    };
  });
  try {
    const browser = sendPatterned(`ws://${base}/leg`, 12);
    const leg = await inbound.promise;
    const passed: Uint8Array[] = [];
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const step = await leg.read();
        if (step.done) return controller.close();
        passed.push(step.value);
        controller.enqueue(step.value);
      },
    });
    const toAgent = new WebSocket(`ws://${agent.base}/leg`);
    toAgent.binaryType = "arraybuffer";
    pullLegOf(toAgent).respond(body);
    await agentDone.promise;
    const whole = new Uint8Array(received.reduce((n, r) => n + r.byteLength, 0));
    let at = 0;
    for (const r of received) (whole.set(r, at), at += r.byteLength);
    assertPatterned(whole, 12);
    assert.ok(
      passed.length === 12 && passed.every((c) => (c.buffer as ArrayBuffer).detached),
      "all freed once sent",
    );
    browser.close();
    toAgent.close();
  } finally {
    await close();
    await agent.close();
  }
});
