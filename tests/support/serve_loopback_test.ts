// serveLoopback's close() (what withBrowser ends with): it waits for handlers still at work,
// and it returns although a WebSocket upgrade was answered after its client had gone, which
// Deno's own server.shutdown() waits for forever. The latter hung browser tests on
// PostgreSQL under load (issue 13).
import assert from "node:assert/strict";
import { serveLoopback } from "./loopback.ts";

const UPGRADE = "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends `request` on a raw connection and hangs up without waiting for the answer. */
async function askAndLeave(base: string, request: string): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(new URL(base).port) });
  await conn.write(new TextEncoder().encode(request));
  await sleep(100);
  conn.close();
}

/** Whether `promise` settles within `ms`. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), ms));
  try {
    return await Promise.race([promise.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test({
  name: "serveLoopback: close() returns after an upgrade answered to a client that left",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const gate = Promise.withResolvers<void>();
    const asked = Promise.withResolvers<void>();
    const server = serveLoopback(async (req) => {
      asked.resolve();
      await gate.promise;
      return Deno.upgradeWebSocket(req).response;
    });
    await askAndLeave(server.base, UPGRADE);
    await asked.promise;
    await sleep(200); // the connection is gone by now
    gate.resolve();
    assert.ok(await within(server.close(), 10_000), "close() returned");
  },
});

Deno.test({
  name: "serveLoopback: close() waits for a handler still at work",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const gate = Promise.withResolvers<void>();
    const asked = Promise.withResolvers<void>();
    let returned = false;
    const server = serveLoopback(async () => {
      asked.resolve();
      await gate.promise;
      returned = true;
      return new Response("late");
    });
    await askAndLeave(server.base, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    await asked.promise;
    const closing = server.close();
    assert.equal(await within(closing, 1_500), false, "close() waits for the handler");
    gate.resolve();
    assert.ok(await within(closing, 10_000), "close() returned");
    assert.ok(returned);
  },
});
