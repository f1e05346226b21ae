/**
 * Real sockets to the real app in tests: the app served on a free loopback port, and the
 * agent's and the technician's viewer WebSocket with a queue of the frames they got.
 */
import assert from "node:assert/strict";
import {
  type AgentMessage,
  Channel,
  type ServerMessage,
  ServerMessageSchema,
} from "../../protocol/mod.ts";
import { startTestApp, type TestApp, type TestClient } from "./app.ts";

/** Serves `t` over HTTP on a free loopback port while `fn` runs (WebSockets need a server). */
export async function withServer(t: TestApp, fn: (port: number) => Promise<void>) {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, t.app.fetch);
  try {
    await fn(server.addr.port);
  } finally {
    await server.shutdown();
  }
}

/** A test over a fresh app served on a loopback port (sockets outlive a test's sanitizers). */
export function servedAppTest(name: string, fn: (t: TestApp, port: number) => Promise<void>) {
  Deno.test({
    name,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const t = await startTestApp();
      try {
        await withServer(t, (port) => fn(t, port));
      } finally {
        await t.close();
      }
    },
  });
}

/** An open WebSocket, the frames it got that nobody took yet, and how it closed. */
export interface TestSocket<In, Out> {
  ws: WebSocket;
  /** The next frame matching `want` (frames before it are dropped), or throws after `ms`. */
  next(want?: (frame: In) => boolean, ms?: number): Promise<In>;
  send(frame: Out): void;
  /** The close code and when (performance.now()) the socket closed. */
  closed: Promise<{ code: number; at: number }>;
}

async function openSocket<In, Out>(
  url: string,
  codec: { decode(data: string): In; encode(frame: Out): string },
  headers?: Record<string, string>,
): Promise<TestSocket<In, Out>> {
  // Deno's WebSocket takes headers in its second argument; the DOM type does not know it.
  const ws = new WebSocket(url, headers && ({ headers } as unknown as string[]));
  const inbox: In[] = [];
  let wake = () => {};
  ws.onmessage = (event) => {
    inbox.push(codec.decode(event.data));
    wake();
  };
  const closed = new Promise<{ code: number; at: number }>((resolve) =>
    ws.addEventListener("close", (event) => resolve({ code: event.code, at: performance.now() }))
  );
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  const next = async (want: (f: In) => boolean = () => true, ms = 2_000): Promise<In> => {
    const until = performance.now() + ms;
    for (;;) {
      const found = inbox.findIndex(want);
      if (found >= 0) return inbox.splice(0, found + 1)[found];
      const left = until - performance.now();
      if (left <= 0) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, Math.min(left, 50));
      });
    }
    throw new Error(`no matching frame within ${ms} ms; got ${JSON.stringify(inbox)}`);
  };
  return { ws, next, send: (frame) => ws.send(codec.encode(frame)), closed };
}

/** The support app's control socket; every frame the server sends must decode. */
export function agentSocket(port: number): Promise<TestSocket<ServerMessage, AgentMessage>> {
  const channel = new Channel<ServerMessage, AgentMessage>(ServerMessageSchema);
  return openSocket(`ws://127.0.0.1:${port}/agent/ws`, {
    decode(data) {
      const decoded = channel.decode(data);
      assert.ok(decoded.ok, `the server's frames decode: ${!decoded.ok && decoded.reason}`);
      return decoded.message;
    },
    encode: (message) => channel.encode(message),
  });
}

/** The hello a support app on Linux sends, for the session with `token`. */
export function agentHello(token: string, screen = { width: 1920, height: 1080 }): AgentMessage {
  return {
    type: "hello",
    token,
    deviceId: "device-0001-abcdef",
    os: "linux",
    language: "en",
    agentVersion: "0.1.0",
    screen,
  };
}

export type ViewerFrame = { type: string; [k: string]: unknown };

/** A technician's viewer socket opened with the browser's cookie, from our own origin. */
export function viewerSocket(
  port: number,
  browser: TestClient,
  sessionId: string,
): Promise<TestSocket<ViewerFrame, ViewerFrame>> {
  return openSocket(
    `ws://127.0.0.1:${port}/console/sessions/${sessionId}/remote/ws`,
    { decode: (data) => JSON.parse(data), encode: (frame) => JSON.stringify(frame) },
    { cookie: browser.cookieHeader(), origin: `http://127.0.0.1:${port}` },
  );
}

type AgentTestSocket = TestSocket<ServerMessage, AgentMessage>;

/** The next agent operation of `kind` the server asks for (others are skipped). */
export async function nextOp(agent: AgentTestSocket, kind: string, ms = 5_000) {
  for (;;) {
    const frame = await agent.next((m) => m.type === "op", ms);
    if (frame.type !== "op") continue;
    const request = JSON.parse(frame.json);
    if (request.kind === kind) return { id: frame.id, request };
  }
}

/**
 * A support app on `os` joined to the session with `token` that answers the server's
 * `agent.about` with the operations it offers.
 */
export async function agentWithOps(
  port: number,
  token: string,
  ops: readonly string[],
  os: "linux" | "windows" = "linux",
): Promise<AgentTestSocket> {
  const agent = await agentSocket(port);
  const hello = agentHello(token);
  agent.send(hello.type === "hello" ? { ...hello, os } : hello);
  await agent.next((m) => m.type === "welcome");
  const about = await nextOp(agent, "agent.about");
  agent.send({ type: "opDone", id: about.id, json: JSON.stringify({ os, ops }) });
  return agent;
}
