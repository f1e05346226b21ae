// Over 400 lines on purpose: the agent's whole life against one fake server (join, hello, consent, media, end), table-driven where it can be.
// Longer than most files: the agent's guards and its picture loop share one set of fakes.
// The agent's own guards, with a fake desktop (no X display needed): nothing reaches the
// screen without the customer's answer in the agent's own window, whatever the server sends;
// a stale or mismatched answer is refused; revoking stops input at once; the server's `end`
// stops everything; and thousands of damaged frames from a real socket cost the agent
// neither its connection nor its session. (The forging server: tests/security/agent_consent_test.ts.)
import assert from "node:assert/strict";
import {
  type AgentMessage,
  AgentMessageSchema,
  Channel,
  PROTOCOL_VERSION,
  type ServerMessage,
} from "../protocol/mod.ts";
import { Agent, type EncoderLike, type Link } from "./agent.ts";
import { AgentConnection } from "./connection.ts";
import { ConsentKeeper } from "./consent.ts";
import { testClock } from "./screen_test_clock.ts";
import type { CursorImage, DamageWatcher, Desktop, Frame, Rect } from "./platform/types.ts";

function fakeDesktop() {
  const calls: string[] = [];
  let clipboard = "";
  const data = new Uint8Array(64 * 48 * 4);
  const frame: Frame = { width: 64, height: 48, stride: 256, data };
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
    clipboardRead: () => Promise.resolve(clipboard),
    clipboardWrite: (text) => {
      clipboard = text;
      calls.push(`clip ${text}`);
      return Promise.resolve();
    },
    keyboardLayout: () => "us",
    close: () => {},
  };
  return { desktop, calls, frame };
}

const fakeEncoder = (): EncoderLike => ({
  encode: (_bytes, _stride, options) => ({
    data: new Uint8Array([options?.keyframe ? 1 : 0, 2, 3]),
    keyframe: Boolean(options?.keyframe),
  }),
  setPreset: () => {},
  close: () => {},
});

function recorder() {
  const sent: AgentMessage[] = [];
  const media: Uint8Array[] = [];
  const link: Link = {
    send: (m) => void sent.push(m),
    sendMedia: (b) => void media.push(b),
    buffered: () => 0,
  };
  return { sent, media, link };
}

/** The technician asks for view and the customer allows it in the agent's window. */
async function grantView(agent: Agent, _consent: ConsentKeeper, sent: AgentMessage[]) {
  await agent.handle({ type: "request", capability: "view" });
  assert.ok(sent.findLast((m) => m.type === "ask"));
  const question = agent.customerState.questions.find((q) => q.capability === "view");
  assert.ok(question);
  assert.ok(agent.answer("view", question.id, true).ok);
  assert.ok(agent.consent.allows("view"));
}

Deno.test("input without consent is refused and never reaches the desktop", async () => {
  const { desktop, calls } = fakeDesktop();
  const agent = new Agent({ desktop, encoder: fakeEncoder });
  const { sent, link } = recorder();
  agent.attach(link);
  const inputs: ServerMessage[] = [
    { type: "pointer", x: 1, y: 2 },
    { type: "button", button: "left", down: true, x: 1, y: 2 },
    { type: "wheel", dx: 0, dy: 3 },
    { type: "key", keysym: 0x61, down: true },
    { type: "clipboard", text: "secret" },
    { type: "ctrlAltDel" },
  ];
  for (const message of inputs) await agent.handle(message);
  assert.deepEqual(calls, []);
  assert.equal(sent.filter((m) => m.type === "refused").length, inputs.length);
  agent.stop();
});

Deno.test("only the customer's answer grants; a stale, mismatched or late one does not", async () => {
  const { desktop, calls } = fakeDesktop();
  const changes: number[] = [];
  const agent = new Agent({
    desktop,
    encoder: fakeEncoder,
    onChange: () => void changes.push(1),
  });
  const { sent, media, link } = recorder();
  agent.attach(link);
  await agent.handle({ type: "request", capability: "control" });
  assert.deepEqual(sent.at(-1), { type: "ask", capability: "control" }, "no secret leaves");
  const [question] = agent.customerState.questions;
  assert.equal(question.capability, "control");
  assert.ok(changes.length >= 1, "the window heard of the question");

  // What this agent cannot do (no file handlers here) is not asked at all.
  await agent.handle({ type: "request", capability: "files" });
  assert.deepEqual(agent.customerState.questions.map((q) => q.capability), ["control"]);
  assert.equal(sent.at(-1)?.type, "refused");

  // Answers that are not for the open question change nothing.
  assert.equal(agent.answer("control", "x".repeat(24), true).ok, false);
  assert.equal(agent.answer("view", question.id, true).ok, false);
  assert.equal(agent.consent.allows("control"), false);
  await agent.handle({ type: "key", keysym: 0x61, down: true });
  assert.deepEqual(calls, []);

  // The customer allows.
  assert.ok(agent.answer("control", question.id, true).ok);
  assert.equal(agent.consent.allows("control"), true);
  assert.equal(agent.consent.allows("view"), true, "control includes view");
  assert.ok(sent.some((m) => m.type === "consent" && m.capability === "control" && m.granted));
  await agent.handle({ type: "key", keysym: 0x61, down: true });
  await agent.handle({ type: "clipboard", text: "from technician" });
  assert.deepEqual(calls, ["key 97 true", "clip from technician"]);

  // The picture starts with a keyframe.
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(media.length >= 1, "a frame was sent once view was granted");

  // Replaying the same answer later (after a revoke) does not grant again.
  agent.revoke("control");
  assert.equal(agent.consent.allows("control"), false);
  assert.equal(agent.answer("control", question.id, true).ok, false);
  await agent.handle({ type: "key", keysym: 0x62, down: true });
  assert.deepEqual(calls, ["key 97 true", "clip from technician"]);
  assert.ok(sent.some((m) => m.type === "consent" && m.capability === "control" && !m.granted));

  // After a reconnect, the server hears again what is granted and what is asked.
  await agent.handle({ type: "request", capability: "control" });
  const again = recorder();
  agent.attach(again.link);
  assert.deepEqual(again.sent, [
    { type: "consent", capability: "view", granted: true },
    { type: "ask", capability: "control" },
  ]);
  agent.attach(link);
  agent.revoke("control");

  // A denied question is closed and says so.
  agent.revoke("view");
  await agent.handle({ type: "request", capability: "view" });
  const view = agent.customerState.questions[0];
  assert.ok(agent.answer("view", view.id, false).ok);
  assert.deepEqual(sent.at(-1), { type: "consent", capability: "view", granted: false });
  assert.deepEqual(agent.customerState.questions, []);
  agent.stop();
});

Deno.test("the server's end stops sharing, closes questions and refuses later answers", async () => {
  const { desktop, calls } = fakeDesktop();
  const ended: string[] = [];
  const agent = new Agent({ desktop, encoder: fakeEncoder, onEnd: (r) => void ended.push(r) });
  const { link } = recorder();
  agent.attach(link);
  await agent.handle({ type: "request", capability: "control" });
  assert.ok(agent.answer("control", agent.customerState.questions[0].id, true).ok);
  await agent.handle({ type: "request", capability: "view" }); // already granted: no question
  await agent.handle({ type: "end", reason: "the technician ended the session" });
  assert.deepEqual(ended, ["the technician ended the session"]);
  assert.deepEqual(agent.customerState, {
    questions: [],
    view: false,
    control: false,
    tools: [],
    confirms: [],
    noDesktop: null,
    ended: "the technician ended the session",
    recorded: false,
    drawing: false,
    presenting: null,
  });
  await agent.handle({ type: "request", capability: "control" });
  assert.deepEqual(agent.customerState.questions, [], "no question after the end");
  await agent.handle({ type: "key", keysym: 0x61, down: true });
  assert.deepEqual(calls, []);
  agent.stop();
});

Deno.test("an idle screen sends nothing after the first frame", async () => {
  const { desktop } = fakeDesktop();
  const consent = new ConsentKeeper();
  const agent = new Agent({ desktop, encoder: fakeEncoder, consent });
  const { sent, media, link } = recorder();
  agent.attach(link);
  await grantView(agent, consent, sent);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(media.length, 1, "one keyframe, then nothing while the screen is still");
  await agent.handle({ type: "keyframe" });
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(media.length, 2, "a keyframe on request");
  agent.stop();
});

/** A change watcher the test drives: `damage(rect)` reports a change as X11 DAMAGE would. */
function fakeWatcher() {
  let pending: Rect[] = [];
  let wake: ((changed: boolean) => void) | null = null;
  let waits = 0;
  /** How each wait ended: a change already there, woken by one, or its timeout (a poll). */
  const ended: ("pending" | "woken" | "timeout")[] = [];
  const watcher: DamageWatcher = {
    wait(timeoutMs) {
      waits++;
      if (pending.length) {
        ended.push("pending");
        return Promise.resolve(true);
      }
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          wake = null;
          ended.push("timeout");
          resolve(false);
        }, timeoutMs);
        wake = (changed) => {
          clearTimeout(timer);
          wake = null;
          ended.push("woken");
          resolve(changed);
        };
      });
    },
    take() {
      const rects = pending;
      pending = [];
      return rects;
    },
    close() {
      wake?.(false);
    },
  };
  return {
    watcher,
    damage(rect: Rect) {
      pending.push(rect);
      wake?.(true);
    },
    get waits() {
      return waits;
    },
    ended,
  };
}

Deno.test("with a change watcher: a frame per change, none while still, the pointer polled", async () => {
  const { desktop } = fakeDesktop();
  const fake = fakeWatcher();
  let pointer: CursorImage | null = null;
  desktop.damage = () => fake.watcher;
  desktop.cursor = () => pointer;
  const consent = new ConsentKeeper();
  let busy = 0;
  const dirty: (readonly Rect[] | undefined)[] = [];
  const agent = new Agent({
    desktop,
    consent,
    encoder: () => ({
      ...fakeEncoder(),
      encode: (_bytes, _stride, options) => {
        dirty.push(options?.dirty);
        return { data: new Uint8Array([1]), keyframe: Boolean(options?.keyframe) };
      },
    }),
  });
  const { sent, media, link } = recorder();
  link.buffered = () => busy;
  agent.attach(link);
  await grantView(agent, consent, sent);
  const settle = (ms = 60) => new Promise((r) => setTimeout(r, ms));
  await settle();
  assert.equal(media.length, 1, "the first keyframe");
  await settle(200);
  assert.equal(media.length, 1, "nothing while nothing changes");
  assert.ok(fake.waits >= 3, `kept looking at the pointer (${fake.waits} waits)`);

  const before = performance.now();
  const from = fake.ended.length;
  fake.damage({ x: 1, y: 2, width: 3, height: 4 });
  while (media.length < 2 && performance.now() - before < 5_000) await settle(1);
  assert.equal(media.length, 2, "a change is sent");
  // At once, not at the next poll: the wait under way was woken by the change (or the next
  // one found it there), none ran out first. Not timed — a 30 ms bound failed on a loaded
  // machine, where a frame can take longer than a poll for reasons of its own.
  assert.ok(
    fake.ended[from] === "woken" || fake.ended[from] === "pending",
    `waits after the change: ${fake.ended.slice(from).join(", ")}`,
  );
  assert.deepEqual(
    dirty.at(-1),
    [{ x: 1, y: 2, width: 3, height: 4 }],
    "the encoder is told where",
  );

  // The pointer moved without any damage (X draws it apart from the screen).
  pointer = {
    x: 5,
    y: 5,
    width: 1,
    height: 1,
    hotX: 0,
    hotY: 0,
    pixels: new Uint32Array([0xff000000]),
    serial: 1,
  };
  await settle(100);
  assert.equal(media.length, 3, "a pointer move is sent");
  assert.deepEqual(dirty.at(-1), [{ x: 5, y: 5, width: 1, height: 1 }], "where the pointer is");

  // A busy socket keeps the change and sends it once there is room.
  busy = 10 * 1024 * 1024;
  fake.damage({ x: 0, y: 0, width: 8, height: 8 });
  await settle(100);
  assert.equal(media.length, 3, "nothing while the socket is full");
  busy = 0;
  await settle(100);
  assert.equal(media.length, 4, "the change was kept and sent");
  assert.deepEqual(dirty.at(-1), [
    { x: 0, y: 0, width: 8, height: 8 }, // the change that waited
    { x: 5, y: 5, width: 1, height: 1 }, // where the pointer was drawn
    { x: 5, y: 5, width: 1, height: 1 }, // and is
  ]);
  agent.stop();
});

Deno.test("motion mode: slow full-screen changes are halved, full size returns after stillness", async () => {
  // The sender's clock leaves out a busy machine's stalls; encodes take time on it alone.
  const clock = testClock();
  const { desktop } = fakeDesktop();
  const fake = fakeWatcher();
  desktop.damage = () => fake.watcher;
  const consent = new ConsentKeeper();
  const encoded: string[] = []; // "WxH key|delta"
  const agent = new Agent({
    desktop,
    consent,
    encoder: (width, height, screen) => {
      assert.deepEqual(screen, { width: 64, height: 48 }, "the screen's size for the bitrate");
      return {
        encode: (_bytes, _stride, options) => {
          encoded.push(`${width}x${height} ${options?.keyframe ? "key" : "delta"}`);
          // A full-size frame is slow to encode (as 1080p VP8 is on a small machine).
          clock.spend(width === 64 ? 36 : 1);
          return { data: new Uint8Array([1]), keyframe: Boolean(options?.keyframe) };
        },
        setPreset: () => {},
        close: () => {},
      };
    },
    downscale: (frame) => ({
      width: frame.width / 2,
      height: frame.height / 2,
      stride: frame.stride / 2,
      data: frame.data.subarray(0, frame.data.length / 4),
    }),
    now: clock.now,
    encodeClock: clock.encodeClock,
  });
  const { sent, media, link } = recorder();
  agent.attach(link);
  await grantView(agent, consent, sent);
  const settle = clock.sleep;
  await settle(60);
  assert.deepEqual(encoded, ["64x48 key"]);

  // A small change never starts motion mode, however slow.
  for (let i = 0; i < 4; i++) {
    fake.damage({ x: 0, y: 0, width: 8, height: 8 });
    await settle(30);
  }
  assert.ok(encoded.every((e) => e.startsWith("64x48")), encoded.join());

  // Whole-screen changes: two not judged (a motion's first frames), six slow ones (most of
  // them slow), then half size (a new encoder: a keyframe).
  encoded.length = 0;
  for (let i = 0; i < 11; i++) {
    fake.damage({ x: 0, y: 0, width: 64, height: 48 });
    await settle(30);
  }
  assert.deepEqual(encoded.slice(0, 9), [...Array(8).fill("64x48 delta"), "32x24 key"]);
  assert.ok(encoded.slice(9).every((e) => e === "32x24 delta"), encoded.join());
  // The media header still names the screen's size (input is mapped to it).
  const header = new DataView(media.at(-1)!.buffer, media.at(-1)!.byteOffset);
  assert.deepEqual([header.getUint16(4), header.getUint16(6)], [64, 48]);

  // Stillness: full size again by itself, with a keyframe.
  encoded.length = 0;
  await settle(550);
  assert.deepEqual(encoded, ["64x48 key"]);

  // A technician who chose "High" keeps full size, however slow; Automatic's "high" does not.
  const motion = async () => {
    encoded.length = 0;
    for (let i = 0; i < 11; i++) {
      fake.damage({ x: 0, y: 0, width: 64, height: 48 });
      await settle(30);
    }
    return encoded.some((e) => e.startsWith("32x24"));
  };
  await agent.handle({ type: "quality", preset: "high" });
  assert.equal(await motion(), false, "explicit High: never halved");
  await agent.handle({ type: "quality", preset: "high", auto: true });
  assert.equal(await motion(), true, "Automatic, now high: halved");
  // Switching to an explicit High while halved goes back to full size at once.
  encoded.length = 0;
  await agent.handle({ type: "quality", preset: "high" });
  await settle(60);
  assert.deepEqual(encoded, ["64x48 key"]);
  agent.stop();
});

Deno.test("2,000 damaged frames over a real socket: the agent stays connected and attached", async () => {
  const { desktop } = fakeDesktop();
  const agent = new Agent({ desktop, encoder: fakeEncoder });
  const received: AgentMessage[] = [];
  let closes = 0;
  let serverSocket: WebSocket | null = null;
  const ready = Promise.withResolvers<void>();
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, (req) => {
    const { socket, response } = Deno.upgradeWebSocket(req);
    const fromAgent = new Channel<AgentMessage, ServerMessage>(AgentMessageSchema);
    serverSocket = socket;
    socket.onmessage = (event) => {
      const decoded = fromAgent.decode(event.data);
      if (decoded.ok) received.push(decoded.message);
      if (decoded.ok && decoded.message.type === "hello") ready.resolve();
    };
    socket.onclose = () => closes++;
    return response;
  });
  const port = server.addr.port;
  const connection = new AgentConnection({
    url: `ws://127.0.0.1:${port}/agent/ws`,
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
  await ready.promise;
  const socket = serverSocket!;
  const toAgent = new Channel<AgentMessage, ServerMessage>(AgentMessageSchema);
  socket.send(
    toAgent.encode({ type: "welcome", sessionId: crypto.randomUUID(), heartbeatMs: 15_000 }),
  );

  // Seeded damage: truncations, wrong versions, replays, junk, oversize, binary, bombs.
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const good = () => JSON.stringify({ v: PROTOCOL_VERSION, seq: 2, msg: { type: "ping", at: 1 } });
  const damage = [
    () => good().slice(0, Math.floor(random() * good().length)),
    () => good().replace(`"v":${PROTOCOL_VERSION}`, `"v":${PROTOCOL_VERSION + 1}`),
    () => JSON.stringify({ v: PROTOCOL_VERSION, seq: 1, msg: { type: "ping", at: 1 } }),
    () =>
      JSON.stringify({ v: PROTOCOL_VERSION, seq: 2, msg: { type: "key", keysym: -1, down: 1 } }),
    () => "[".repeat(5000),
    () => "x".repeat(70_000),
    () => new Uint8Array([1, 2, 3]),
    () => JSON.stringify({ v: PROTOCOL_VERSION, seq: 2, msg: { type: "grant", __proto__: {} } }),
    () =>
      JSON.stringify({
        v: PROTOCOL_VERSION,
        seq: 2,
        msg: { type: "grant", capability: "control", nonce: "n".repeat(20), granted: true },
      }),
    () => String.fromCharCode(...Array.from({ length: 40 }, () => Math.floor(random() * 256))),
  ];
  for (let i = 0; i < 2_000; i++) socket.send(damage[Math.floor(random() * damage.length)]());
  // The next good frame (seq 2) still works: the agent answers the ping.
  socket.send(toAgent.encode({ type: "ping", at: 777 }));
  for (let i = 0; i < 200 && !received.some((m) => m.type === "pong" && m.at === 777); i++) {
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.ok(received.some((m) => m.type === "pong" && m.at === 777), "still answering");
  assert.equal(closes, 0, "the connection was never dropped");
  assert.equal(connection.connects, 1, "no reconnect was needed");
  assert.ok(connection.serverErrors >= 2_000, `${connection.serverErrors} refused`);
  connection.end("test over");
  await server.shutdown();
  agent.stop();
});

Deno.test("without a shareable desktop the agent offers no view or control and says why", async () => {
  const { desktop } = fakeDesktop();
  const why = "X11 input (XTEST) is missing (libXtst.so*): install the package libxtst6";
  const agent = new Agent({ desktop, encoder: fakeEncoder, noDesktop: why });
  const { sent, link } = recorder();
  agent.attach(link);
  await agent.handle({ type: "request", capability: "view" });
  assert.deepEqual(agent.customerState.questions, [], "nothing is asked");
  const refused = sent.at(-1);
  assert.equal(refused?.type, "refused");
  assert.match((refused as { reason: string }).reason, /not available on this system: X11 input/);
  assert.equal(agent.customerState.noDesktop, why);
  assert.deepEqual(agent.offered, []);
});

Deno.test("without a shareable desktop the customer's window says why in their words, the technician in English", async () => {
  const { desktop } = fakeDesktop();
  const why = "no X11 display was found (a Wayland session without X11, or no desktop session)";
  const shown = "дисплей X11 не найден (сеанс Wayland без X11 или нет сеанса рабочего стола)";
  const agent = new Agent({ desktop, encoder: fakeEncoder, noDesktop: why, noDesktopShown: shown });
  const { sent, link } = recorder();
  agent.attach(link);
  await agent.handle({ type: "request", capability: "control" });
  assert.match((sent.at(-1) as { reason: string }).reason, /not available on this system: no X11/);
  assert.equal(agent.customerState.noDesktop, shown);
});
