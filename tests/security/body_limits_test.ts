// Issue 11 item 1: one unauthenticated POST used to kill the server — the CSRF middleware read
// every form body whole, before routing. Each body now has a cap per route, enforced before
// anything reads it: a declared length over the cap is refused unread, a chunked body is cut at
// the cap. Bodies come from a counting source so the tests see how much the server pulled.
import assert from "node:assert/strict";
import { type TestApp, withTestApp } from "../support/app.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician } from "../support/sessions.ts";
import {
  createPrivateSession,
  customerConnected,
  findByToken,
  startSession,
} from "../../modules/support/mod.ts";
import { DEFAULT_BODY_BYTES } from "../../modules/http/mod.ts";
import { agentSocketGuard } from "../../modules/remote/socket_guard.ts";

const MIB = 1024 * 1024;
const CHUNK = 16 * 1024;

/** A body of `total` bytes made on demand (never held in memory), counting what is pulled. */
function source(total: number, fill = "a=") {
  const chunk = new TextEncoder().encode(fill.padEnd(CHUNK, "x"));
  const counter = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (counter.pulled >= total) return controller.close();
      const part = chunk.subarray(0, Math.min(CHUNK, total - counter.pulled));
      counter.pulled += part.byteLength;
      controller.enqueue(part);
    },
  }, { highWaterMark: 0 });
  return { stream, counter };
}

function withApp(fn: (t: TestApp) => Promise<void>, env: Record<string, string> = {}) {
  return withTestApp(fn, { env });
}

async function post(t: TestApp, path: string, body: ReadableStream, headers = {}) {
  return await t.app.request(`http://localhost${path}`, {
    method: "POST",
    body,
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    duplex: "half",
  } as RequestInit);
}

Deno.test("bodyLimit() refuses a 600 MiB form to /, /nope and /pin with 413: declared unread, chunked cut at the cap", async () => {
  await withApp(async (t) => {
    for (const path of ["/", "/nope", "/pin"]) {
      const declared = source(600 * MIB);
      const res = await post(t, path, declared.stream, { "content-length": String(600 * MIB) });
      assert.equal(res.status, 413, path);
      assert.match(await res.text(), /larger than the 64 KiB accepted here/);
      assert.ok(declared.counter.pulled <= CHUNK, `${path}: pulled ${declared.counter.pulled}`);

      const chunked = source(600 * MIB);
      const cut = await post(t, path, chunked.stream);
      assert.equal(cut.status, 413, path);
      assert.match(await cut.text(), /larger than the 64 KiB accepted here/);
      const most = DEFAULT_BODY_BYTES + 2 * CHUNK;
      assert.ok(chunked.counter.pulled <= most, `${path}: pulled ${chunked.counter.pulled}`);
    }
  });
});

Deno.test("bodyLimit() answers htmx with a fragment and the API with a problem document", async () => {
  await withApp(async (t) => {
    const fragment = await post(t, "/pin", source(MIB).stream, { "hx-request": "true" });
    assert.equal(fragment.status, 413);
    assert.match(await fragment.text(), /^<p class="flash error" role="alert">This request is/);
    const problem = await t.app.request("http://localhost/api/v1/auth/token", {
      method: "POST",
      body: source(MIB, '{"a":"').stream,
      headers: { "content-type": "application/json" },
      duplex: "half",
    } as RequestInit);
    assert.equal(problem.status, 413);
    assert.equal(problem.headers.get("content-type"), "application/problem+json");
    assert.equal((await problem.json()).title, "Content Too Large");
  });
});

Deno.test("bodyLimit() lets a normal form through: signing in still works", async () => {
  await withApp(async (t) => {
    const browser = t.client();
    const res = await browser.signIn("admin@example.test", "correct horse battery");
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/console");
  });
});

Deno.test("bodyLimit() lets an upload up to FILE_LIMIT_MB through and cuts a chunked one past it", async () => {
  await withApp(async (t) => {
    const tech = await technician(t);
    const { session } = await createPrivateSession(t.deps, tech, {
      method: "pin",
      customerName: "Carol",
      fields: {},
    });
    const customer = t.client();
    await customer.get(`/s/${session.token}`);
    // `size` bytes in the file part, or in a plain field before it (`asField`).
    const upload = async (size: number, asField = false) => {
      const head = new TextEncoder().encode(
        asField
          ? '--b\r\ncontent-disposition: form-data; name="note"\r\n\r\n'
          : '--b\r\ncontent-disposition: form-data; name="file"; filename="log.bin"\r\n' +
            "content-type: application/octet-stream\r\n\r\n",
      );
      const tail = new TextEncoder().encode("\r\n--b--\r\n");
      const file = source(size, "z");
      const reader = file.stream.getReader();
      let stage: "head" | "file" | "done" = "head";
      // Pulled only as the server reads: what it never asks for is never made.
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (stage === "head") {
            stage = "file";
            return controller.enqueue(head);
          }
          if (stage === "done") return controller.close();
          const { done, value } = await reader.read();
          if (!done) return controller.enqueue(value);
          stage = "done";
          controller.enqueue(tail);
        },
      }, { highWaterMark: 0 });
      const res = await customer.send(`/s/${session.token}/files`, {
        method: "POST",
        body,
        headers: {
          "content-type": "multipart/form-data; boundary=b",
          "x-csrf-token": customer.csrf,
          "x-requested-with": "XMLHttpRequest",
        },
        duplex: "half",
      } as RequestInit);
      return { status: res.status, text: await res.text(), pulled: file.counter.pulled };
    };
    const fits = await upload(MIB);
    assert.equal(fits.status, 201, fits.text);
    const big = await upload(50 * MIB);
    assert.equal(big.status, 413);
    assert.ok(big.pulled <= MIB + 128 * 1024 + 2 * CHUNK, `pulled ${big.pulled} bytes`);
    // A giant plain field: refused (the multipart reader's own field cap, or the route's).
    const field = await upload(50 * MIB, true);
    assert.ok(field.status === 400 || field.status === 413, String(field.status));
    assert.ok(field.pulled <= MIB + 128 * 1024 + 2 * CHUNK, `pulled ${field.pulled} bytes`);
  }, { FILE_LIMIT_MB: "1" });
});

/** The real app on a loopback port: WebSocket frames need a real server. */
async function withServer(fn: (t: TestApp, port: number) => Promise<void>) {
  await withApp(async (t) => {
    const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, t.app.fetch);
    try {
      await fn(t, server.addr.port);
    } finally {
      await server.shutdown();
    }
  });
}

/** The close code, or -1 when the socket is still open after `ms`. */
async function closeCode(closed: Promise<number>, ms = 5_000): Promise<number> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const code = await Promise.race([
    closed,
    new Promise<number>((r) => timer = setTimeout(r, ms, -1)),
  ]);
  clearTimeout(timer);
  return code;
}

/** Opens an agent socket; resolves to it once open, or to null when the server refused it. */
async function agentSocket(port: number) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/agent/ws`);
  const closed = new Promise<number>((resolve) => ws.onclose = (e) => resolve(e.code));
  const opened = await new Promise<boolean>((resolve) => {
    ws.onopen = () => resolve(true);
    ws.onerror = () => resolve(false);
  });
  return { ws, opened, closed };
}

/** Waits until the server counts no socket waiting for hello (a close lands a moment later). */
async function noneWaiting(t: TestApp) {
  const guard = agentSocketGuard(t.deps);
  for (let i = 0; i < 100 && guard.pending > 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(guard.pending, 0);
}

const HELLO = {
  type: "hello",
  deviceId: "device-0001-abcdef",
  os: "linux",
  language: "en",
  agentVersion: "0.1.0",
  screen: { width: 1920, height: 1080 },
};

Deno.test({
  name:
    "agent socket: a frame over 4 KiB before hello closes it (1009); after hello only one over 1 MiB does",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withServer(async (t, port) => {
      const big = await agentSocket(port);
      assert.ok(big.opened);
      big.ws.send("x".repeat(100 * 1024));
      assert.equal(await closeCode(big.closed), 1009);

      await noneWaiting(t);
      const binary = await agentSocket(port);
      binary.ws.send(new Uint8Array(8 * 1024));
      assert.equal(await closeCode(binary.closed), 1009);

      const tech = await technician(t);
      const { session } = await createPrivateSession(t.deps, tech, {
        method: "link",
        customerName: "Carol",
        fields: {},
      });
      await noneWaiting(t);
      const agent = await agentSocket(port);
      const replies: string[] = [];
      // The next frame that is not the server's own question (`agent.about` right after hello).
      const reply = () =>
        new Promise<string>((resolve) =>
          agent.ws.onmessage = (e) => {
            if (!/"type":"op"/.test(e.data)) resolve(e.data);
          }
        );
      let next = reply();
      agent.ws.send(JSON.stringify({ v: 1, seq: 1, msg: { ...HELLO, token: session.token } }));
      replies.push(await next);
      assert.match(replies[0], /"welcome"/);
      next = reply();
      agent.ws.send("y".repeat(70 * 1024)); // over the protocol's 64 KiB: refused, but read
      assert.match(await next, /"error"/);
      assert.equal(agent.ws.readyState, WebSocket.OPEN);
      agent.ws.send("z".repeat(2 * 1024 * 1024)); // far over it: closed
      assert.equal(await closeCode(agent.closed), 1009);
    });
  },
});

Deno.test({
  name: "agent socket: at most 2 sockets per address wait for hello; a silent one is closed (4408)",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withServer(async (t, port) => {
      const guard = agentSocketGuard(t.deps);
      guard.options.helloTimeoutMs = 300;
      const waiting = await Promise.all([1, 2].map(() => agentSocket(port)));
      assert.ok(waiting.every((s) => s.opened));
      const third = await agentSocket(port);
      assert.equal(third.opened, false, "the third is refused before the upgrade");
      assert.deepEqual(await Promise.all(waiting.map((s) => s.closed)), [4408, 4408]);
      await noneWaiting(t);
      const later = await agentSocket(port);
      assert.ok(later.opened, "room again once they are gone");
      later.ws.close();
      await later.closed;
    });
  },
});

Deno.test({
  name: "viewer socket: a frame over 64 KiB closes it (1009)",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withServer(async (t, port) => {
      const tech = await technician(t);
      const created = await createPrivateSession(t.deps, tech, {
        method: "link",
        customerName: "Carol",
        fields: {},
      });
      await customerConnected(t.deps, (await findByToken(t.deps, created.session.token))!);
      await startSession(t.deps, tech, created.session.id);
      const browser = t.client();
      await browser.signIn(tech.email, TECH_PASSWORD);
      const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
      const ws = new WebSocket(
        `ws://127.0.0.1:${port}/console/sessions/${created.session.id}/remote/ws`,
        { headers: { cookie, origin: `http://127.0.0.1:${port}` } } as unknown as string[],
      );
      const closed = new Promise<number>((resolve) => ws.onclose = (e) => resolve(e.code));
      await new Promise((resolve, reject) => {
        ws.onopen = resolve;
        ws.onerror = reject;
      });
      ws.send("x".repeat(100 * 1024));
      const code = await closeCode(closed);
      if (code === -1) ws.close();
      assert.equal(code, 1009);
    });
  },
});
