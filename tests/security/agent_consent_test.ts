// Over 400 lines on purpose: the consent threat model, one case per forgery attempt against the agent's own loopback page.
// Longer than most files: one table-driven suite over every door it guards, kept together so a new door is added in one place.
/**
 * Issue 11 item 2 — the server cannot grant what the customer did not. A FAKE server (a tiny
 * Deno.serve WebSocket speaking the agent protocol, i.e. a compromised server that knows
 * everything it could know) asks for control, then tries every way it has to answer for the
 * customer: the old signed `grant` message with any signature, replays and reordered frames,
 * posting to the agent's loopback window without its secret, with its secret but a foreign or
 * missing Origin, as a "simple" cross-site form, with a cross-site fetch mark, or under a
 * rebound host name. The agent never grants and never moves the pointer. Then the customer
 * clicks Allow in the agent's own window (the same requests its page makes) and control is
 * granted and reported to the server; the server's `end` closes everything.
 */
import assert from "node:assert/strict";
import {
  type AgentMessage,
  AgentMessageSchema,
  Channel,
  PROTOCOL_VERSION,
  type ServerMessage,
} from "../../protocol/mod.ts";
import { Agent, type EncoderLike } from "../../agent/agent.ts";
import { AgentConnection } from "../../agent/connection.ts";
import { ConsentPage, writeLauncher } from "../../agent/consent_page.ts";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, CHROMIUM_HEADLESS } from "../support/loopback.ts";
import { agentStrings } from "../../agent/strings.ts";
import type { Desktop, Frame } from "../../agent/platform/types.ts";

function fakeDesktop() {
  const calls: string[] = [];
  const frame: Frame = { width: 64, height: 48, stride: 256, data: new Uint8Array(64 * 48 * 4) };
  const desktop: Desktop = {
    width: 64,
    height: 48,
    grab: () => frame,
    cursor: () => null,
    pointer: (x, y) => void calls.push(`pointer ${x},${y}`),
    button: (b, down) => void calls.push(`button ${b} ${down}`),
    wheel: (dx, dy) => void calls.push(`wheel ${dx},${dy}`),
    key: (keysym, down) => void calls.push(`key ${keysym} ${down}`),
    ctrlAltDel: () => (calls.push("cad"), null),
    clipboardRead: () => Promise.resolve(""),
    clipboardWrite: (text) => {
      calls.push(`clip ${text}`);
      return Promise.resolve();
    },
    keyboardLayout: () => "us",
    close: () => {},
  };
  return { desktop, calls };
}

const fakeEncoder = (): EncoderLike => ({
  encode: () => ({ data: new Uint8Array([1]), keyframe: true }),
  setPreset: () => {},
  close: () => {},
});

/** The malicious server: records what the agent says, sends whatever it likes. */
function fakeServer() {
  const heard: AgentMessage[] = [];
  let socket: WebSocket | null = null;
  const hello = Promise.withResolvers<void>();
  // Our own numbering: a refused frame does not use up a number at the agent.
  let next = 1;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    if (req.headers.get("upgrade") !== "websocket") return new Response("<h1>evil</h1>");
    const upgrade = Deno.upgradeWebSocket(req);
    socket = upgrade.socket;
    const inbound = new Channel<AgentMessage, ServerMessage>(AgentMessageSchema);
    socket.onmessage = (event) => {
      const decoded = inbound.decode(event.data);
      if (!decoded.ok) return;
      heard.push(decoded.message);
      if (decoded.message.type === "hello") hello.resolve();
    };
    return upgrade.response;
  });
  return {
    origin: `http://127.0.0.1:${server.addr.port}`,
    heard,
    hello: hello.promise,
    send(message: ServerMessage) {
      socket!.send(JSON.stringify({ v: PROTOCOL_VERSION, seq: next++, msg: message }));
    },
    /** Any frame at all, numbered as the next one unless told (the agent is the judge). */
    raw(msg: unknown, at = next) {
      socket!.send(JSON.stringify({ v: PROTOCOL_VERSION, seq: at, msg }));
    },
    close: () => server.shutdown(),
  };
}

async function until(what: string, check: () => boolean, ms = 5_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** An HTTP/1.1 request over a raw socket, so the Host header is exactly what we say. */
async function rawRequest(port: number, head: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(head));
  const buffer = new Uint8Array(4096);
  const n = await conn.read(buffer);
  conn.close();
  return new TextDecoder().decode(buffer.subarray(0, n ?? 0));
}

async function setup() {
  const evil = fakeServer();
  const { desktop, calls } = fakeDesktop();
  let page: ConsentPage | null = null;
  const agent = new Agent({ desktop, encoder: fakeEncoder, onChange: () => page?.changed() });
  page = new ConsentPage({
    agent,
    strings: agentStrings("en"),
    lang: "en",
    server: new URL(evil.origin).host,
    chatUrl: `${evil.origin}/s/${"t".repeat(20)}`,
  });
  const connection = new AgentConnection({
    url: `${evil.origin.replace("http", "ws")}/agent/ws`,
    hello: {
      token: "t".repeat(20),
      deviceId: "d".repeat(20),
      os: "linux",
      language: "en",
      agentVersion: "test",
      screen: { width: 64, height: 48 },
    },
    agent,
    log: () => {},
  });
  connection.start();
  await evil.hello;
  evil.send({ type: "welcome", sessionId: crypto.randomUUID(), heartbeatMs: 15_000 });
  await until("attached", () => connection.connects === 1);
  return { evil, agent, page, connection, calls };
}

async function teardown(s: Awaited<ReturnType<typeof setup>>) {
  s.connection.end("test over");
  s.agent.stop();
  await s.page.close();
  await s.evil.close();
}

Deno.test("agent consent: a malicious server cannot grant control by any message or request", async () => {
  const s = await setup();
  const { evil, agent, page, calls } = s;
  try {
    evil.send({ type: "request", capability: "control" });
    await until("the agent's ask", () => evil.heard.some((m) => m.type === "ask"));
    const ask = evil.heard.find((m) => m.type === "ask")!;
    assert.deepEqual(ask, { type: "ask", capability: "control" }, "no key, nonce or id to sign");

    // 1. The old signed `grant`, with signatures of every shape, and variants of it.
    const errorsBefore = s.connection.serverErrors;
    for (
      const signature of ["A".repeat(43), "_".repeat(43), "", "x", "A".repeat(86)]
    ) {
      for (const nonce of ["n".repeat(24), "", "A".repeat(64)]) {
        evil.raw({ type: "grant", capability: "control", nonce, granted: true, signature });
      }
    }
    evil.raw({ type: "grant", capability: "view", granted: true });
    evil.raw({ type: "consent", capability: "control", granted: true });
    evil.raw({ type: "answer", capability: "control", allow: true });
    evil.raw({ type: "request", capability: "control", granted: true });
    // Replays and reordering of an honest frame.
    evil.raw({ type: "request", capability: "control" }, 2);
    evil.raw({ type: "request", capability: "control" }, 1);
    // Input while nothing is granted.
    evil.send({ type: "pointer", x: 10, y: 10 });
    evil.send({ type: "key", keysym: 0x61, down: true });
    evil.send({ type: "clipboard", text: "replaced" });
    evil.send({ type: "ping", at: 1 });
    await until(
      "the agent to work through the frames",
      () => evil.heard.some((m) => m.type === "pong" && m.at === 1),
    );
    assert.ok(s.connection.serverErrors - errorsBefore >= 19, "every forged frame refused");

    // 2. The agent's own window, without its secret, or with it but not from its own page.
    const origin = page.origin;
    const secret = new URL(page.url).pathname.split("/")[1];
    const question = agent.customerState.questions[0];
    assert.equal(question.capability, "control");
    const answer = JSON.stringify({ capability: "control", id: question.id, allow: true });
    const attempts: [string, RequestInit, number][] = [
      // No secret (what a server, or any page, could try without it).
      [`${origin}/answer`, { method: "POST", body: answer }, 404],
      [`${origin}/${"A".repeat(32)}/answer`, {
        method: "POST",
        headers: { origin, "content-type": "application/json" },
        body: answer,
      }, 404],
      [`${origin}/${secret}x/answer`, {
        method: "POST",
        headers: { origin, "content-type": "application/json" },
        body: answer,
      }, 404],
      // The secret (assume it leaked) but the server's own page as Origin.
      [`${origin}/${secret}/answer`, {
        method: "POST",
        headers: { origin: evil.origin, "content-type": "application/json" },
        body: answer,
      }, 403],
      // No Origin at all, or the opaque "null" of a sandboxed frame.
      [`${origin}/${secret}/answer`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: answer,
      }, 403],
      [`${origin}/${secret}/answer`, {
        method: "POST",
        headers: { origin: "null", "content-type": "application/json" },
        body: answer,
      }, 403],
      // A "simple" cross-site form post (no preflight): refused for its type.
      [`${origin}/${secret}/answer`, {
        method: "POST",
        headers: { origin, "content-type": "text/plain" },
        body: answer,
      }, 415],
      // A browser's own mark of a cross-site request.
      [`${origin}/${secret}/answer`, {
        method: "POST",
        headers: { origin, "content-type": "application/json", "sec-fetch-site": "cross-site" },
        body: answer,
      }, 403],
      // The right everything but an answer to no open question.
      [`${origin}/${secret}/answer`, {
        method: "POST",
        headers: { origin, "content-type": "application/json" },
        body: JSON.stringify({ capability: "control", id: "z".repeat(24), allow: true }),
      }, 409],
      // Reading the question (its id) without the secret.
      [`${origin}/state`, {}, 404],
    ];
    for (const [url, init, status] of attempts) {
      const response = await fetch(url, init);
      await response.body?.cancel();
      assert.equal(
        response.status,
        status,
        `${init.method ?? "GET"} ${url} ${JSON.stringify(init.headers)}`,
      );
    }
    // DNS rebinding: a page of evil.example that resolves to 127.0.0.1 sends its own Host.
    const port = Number(new URL(origin).port);
    for (const host of ["evil.example", `evil.example:${port}`, `localhost:${port}`]) {
      const reply = await rawRequest(
        port,
        `POST /${secret}/answer HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://${host}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${answer.length}\r\n` +
          `Connection: close\r\n\r\n${answer}`,
      );
      assert.match(reply, /^HTTP\/1\.1 421/, `Host: ${host}`);
    }

    // Nothing was granted, nothing reached the desktop, nothing was reported as granted.
    assert.equal(agent.consent.allows("control"), false);
    assert.equal(agent.consent.allows("view"), false);
    assert.deepEqual(calls, []);
    assert.ok(agent.refused >= 3, "input refused");
    assert.ok(!evil.heard.some((m) => m.type === "consent" && m.granted));
    assert.ok(page.refused >= attempts.length - 1 + 3);

    // 3. The customer allows in the agent's window: the page's own requests.
    const base = page.url;
    const state = await (await fetch(`${base}state?after=-1`)).json();
    assert.deepEqual(state.questions, [{ capability: "control", id: question.id }]);
    const response = await fetch(`${base}answer`, {
      method: "POST",
      headers: { origin, "content-type": "application/json", "sec-fetch-site": "same-origin" },
      body: answer,
    });
    await response.body?.cancel();
    assert.equal(response.status, 200);
    assert.equal(agent.consent.allows("control"), true);
    await until(
      "the server to hear of it",
      () => evil.heard.some((m) => m.type === "consent" && m.capability === "control" && m.granted),
    );
    evil.send({ type: "pointer", x: 5, y: 6 });
    await until("the pointer", () => (calls as string[]).includes("pointer 5,6"));

    // The same click replayed later (after the customer took control back) grants nothing.
    const revoke = await fetch(`${base}revoke`, {
      method: "POST",
      headers: { origin, "content-type": "application/json" },
      body: JSON.stringify({ capability: "control" }),
    });
    await revoke.body?.cancel();
    assert.equal(agent.consent.allows("control"), false);
    const replay = await fetch(`${base}answer`, {
      method: "POST",
      headers: { origin, "content-type": "application/json" },
      body: answer,
    });
    await replay.body?.cancel();
    assert.equal(replay.status, 409);
    assert.equal(agent.consent.allows("control"), false);
  } finally {
    await teardown(s);
  }
});

Deno.test("agent consent: the window is the agent's own, strict and unframeable", async () => {
  const s = await setup();
  try {
    const response = await fetch(s.page.url);
    const html = await response.text();
    const csp = response.headers.get("content-security-policy") ?? "";
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(response.headers.get("referrer-policy"), "no-referrer");
    assert.ok(!html.includes("<script>"), "no inline script");
    assert.ok(html.includes('rel="noreferrer noopener"'), "the chat link sends no Referer");
    assert.ok(!html.includes(s.evil.origin + "/static"), "no code from the server");

    // Another site may open (navigate to) the page, which it can neither frame nor read, but
    // not fetch its state or scripts.
    const navigate = await fetch(s.page.url, {
      headers: { "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate" },
    });
    await navigate.body?.cancel();
    assert.equal(navigate.status, 200);
    for (const path of ["state?after=-1", "page.js"]) {
      const read = await fetch(`${s.page.url}${path}`, {
        headers: { "sec-fetch-site": "cross-site", "sec-fetch-mode": "cors" },
      });
      await read.body?.cancel();
      assert.equal(read.status, 403, path);
    }
  } finally {
    await teardown(s);
  }
});

Deno.test({
  name: "agent consent: the browser opens a launcher only this user can read, not the secret",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const s = await setup();
    const dir = await Deno.makeTempDir();
    const browser = await chromium.launch({
      executablePath: CHROMIUM_HEADLESS,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    try {
      const launcher = await writeLauncher(`${dir}/state`, s.page.url);
      assert.ok(!launcher.href.includes(new URL(s.page.url).pathname.slice(1, -1)));
      assert.equal((await Deno.stat(launcher)).mode! & 0o777, 0o600);
      assert.equal((await Deno.stat(`${dir}/state`)).mode! & 0o777, 0o700);
      const tab = await browser.newPage();
      await tab.goto(launcher.href);
      await tab.waitForURL(s.page.url);
      await tab.locator("#consent[data-view=false]").waitFor();
      // The server's own page in the same browser, even knowing the secret and the question's
      // id, cannot answer: a JSON post needs a preflight the agent never grants, a "simple"
      // post is refused for its Origin and type, and it cannot read the window's state.
      s.evil.send({ type: "request", capability: "view" });
      await tab.locator("#allow-view").waitFor();
      const [question] = s.agent.customerState.questions;
      const evilTab = await browser.newPage();
      await evilTab.goto(s.evil.origin);
      const outcomes = await evilTab.evaluate(async ({ base, id }) => {
        const body = JSON.stringify({ capability: "view", id, allow: true });
        const attempt = (init: RequestInit, path = "answer") =>
          fetch(base + path, init).then((r) => `status ${r.status}`, (e) => `blocked ${e.name}`);
        return [
          await attempt({ method: "POST", headers: { "content-type": "application/json" }, body }),
          await attempt({ method: "POST", mode: "no-cors", body }),
          await attempt({
            method: "POST",
            mode: "no-cors",
            headers: { "content-type": "text/plain" },
            body,
          }),
          await attempt({}, "state?after=-1"),
        ];
      }, { base: s.page.url, id: question.id });
      assert.equal(outcomes[0], "blocked TypeError", "the preflight is refused");
      // A no-cors post may leave the browser (opaque answer, or blocked by the window's CORP):
      // either way the agent refused it.
      for (const outcome of outcomes.slice(1, 3)) {
        assert.match(outcome, /^(status 0|blocked TypeError)$/);
      }
      assert.equal(outcomes[3], "blocked TypeError", "the state cannot be read");
      assert.equal(s.agent.consent.allows("view"), false, JSON.stringify(outcomes));
      await evilTab.close();

      // The customer's window works: Allow grants it.
      await tab.locator("#allow-view").click();
      await until("view granted", () => s.agent.consent.allows("view"));
      await tab.locator("#consent[data-view=true]").waitFor();
      assert.match(await tab.locator("#shared-text").textContent() ?? "", /screen is shared/);
    } finally {
      await browser.close();
      await teardown(s);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("agent consent: the server's end stops sharing and the window says so", async () => {
  const s = await setup();
  try {
    s.evil.send({ type: "request", capability: "view" });
    await until("the question", () => s.agent.customerState.questions.length === 1);
    const [question] = s.agent.customerState.questions;
    assert.ok(s.agent.answer("view", question.id, true).ok);
    const before = await (await fetch(`${s.page.url}state?after=-1`)).json();
    assert.equal(before.view, true);
    // The page is waiting for a change when the end arrives.
    const waiting = fetch(`${s.page.url}state?after=${before.version}`).then((r) => r.json());
    s.evil.send({ type: "end", reason: "the technician ended the session" });
    assert.equal(await s.connection.done, "the technician ended the session");
    const after = await waiting;
    assert.equal(after.ended, "the technician ended the session");
    assert.equal(after.view, false);
    assert.equal(s.agent.consent.allows("view"), false);
  } finally {
    await teardown(s);
  }
});
