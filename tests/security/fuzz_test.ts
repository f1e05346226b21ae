// Longer than most files: one table-driven suite over every door it guards, kept together so a new door is added in one place.
// Issue 11 regression suite: parser fuzzing of every message that comes from an agent or a
// browser. A seeded generator (FUZZ_SEED=<n> to replay; the seed is in every failure)
// mutates valid messages — truncation, bit flips, characters changed or dropped, fields
// replaced by hostile values, types swapped — and feeds them to:
//   - the agent protocol decoder (`Channel`, both directions, every message type) and the
//     media frame decoder: never a throw, a refusal leaves the channel where it was;
//   - the agent socket and the technician's viewer socket on a real server: every frame is
//     answered or refused, the socket stays usable, the server stays up;
//   - the customer pages' form parsers (PIN, Instant Chat, terms, language, files, revoke,
//     channel form and callback, the agent's PIN exchange): never a 500.
// protocol/codec_test.ts keeps its own smaller fuzz of damaged frames.
import assert from "node:assert/strict";
import {
  type AgentMessage,
  AgentMessageSchema,
  Channel,
  decodeMediaFrame,
  encodeMediaFrame,
  MEDIA_HEADER_BYTES,
  PROTOCOL_VERSION,
  ServerMessageSchema,
} from "../../protocol/mod.ts";
import { ADMIN, startTestApp, type TestApp, type TestClient } from "../support/app.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician, workingSession } from "../support/sessions.ts";

const SEED = Number(Deno.env.get("FUZZ_SEED") ?? 0x5ec0_11);

/** Mulberry32: small, fast, and the same sequence for the same seed. */
function generator(seed: number) {
  let state = seed | 0;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  return { next, int, pick };
}
type Random = ReturnType<typeof generator>;

/** A Deno.test whose failure names the seed that replays it. */
function fuzz(name: string, fn: (random: Random) => Promise<void> | void) {
  Deno.test({
    name: `fuzz: ${name}`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      try {
        await fn(generator(SEED));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new Error(`${message}\n(replay with FUZZ_SEED=${SEED})`, { cause: error });
      }
    },
  });
}

const NASTY: unknown[] = [
  null,
  true,
  0,
  -1,
  -0,
  1.5,
  2 ** 53,
  1e308,
  -1e308,
  "",
  "\u0000",
  "\ud800",
  "\u202e",
  "A%00",
  "<script>alert(1)</script>",
  "x".repeat(5_000),
  [],
  [1, [2, [3]]],
  {},
  { type: "hello" },
  JSON.parse('{"__proto__":{"polluted":true}}'),
  Array.from({ length: 40 }, () => ({})),
];

/** Valid samples; those the current schema refuses are dropped, but every type needs one. */
const AGENT_SAMPLES: unknown[] = [
  {
    type: "hello",
    token: "AbCdEfGh12345678",
    deviceId: "device-0001-abcdef",
    os: "linux",
    language: "nl-NL",
    agentVersion: "0.1.0",
    codecs: ["vp8", "h264"],
    screen: { width: 1920, height: 1080 },
    keyboard: "us",
    separateCursor: true,
  },
  { type: "ask", capability: "control" },
  { type: "ask", capability: "control", nonce: "n".repeat(24) },
  { type: "consent", capability: "view", granted: true },
  { type: "clipboard", text: "ünïcödé €" },
  {
    type: "screens",
    list: [
      { id: "DP-1", x: 0, y: 0, width: 1920, height: 1080, primary: true },
      { id: "HDMI-1", x: 1920, y: 0, width: 1280, height: 1024, primary: false },
    ],
    current: "HDMI-1",
  },
  {
    type: "cursor",
    x: 640,
    y: 360,
    visible: true,
    shape: { width: 2, height: 2, hotX: 1, hotY: 0, rgba: "ABAg_0BQYP-AkKD_wNDg_w" },
  },
  { type: "cursor", x: 0, y: 1079, visible: false },
  { type: "pong", at: 12 },
  { type: "capture", paused: true, reason: "secure_desktop" },
  { type: "capture", paused: true, reason: "failed", detail: "BadMatch (XGetImage)" },
  { type: "capture", paused: false },
  { type: "refused", of: "pointer", reason: "not granted" },
  { type: "bye", reason: "customer closed" },
  { type: "opEvent", id: "op-0000001", json: '{"step":1}' },
  { type: "opPart", id: "op-0000001", json: '{"os":"li' },
  { type: "opDone", id: "op-0000001", json: 'nux","ops":[]}' },
  { type: "opFailed", id: "op-0000001", code: "not_granted", reason: "files is not granted" },
  { type: "whiteboard", on: false },
];
const SERVER_SAMPLES: unknown[] = [
  { type: "welcome", sessionId: "6f1c1d52-0b44-4f6e-9d7e-2f3a4b5c6d7e", heartbeatMs: 15000 },
  { type: "request", capability: "control" },
  { type: "request", capability: "view", recording: "always" },
  { type: "revoke", capability: "view" },
  { type: "keyframe" },
  { type: "quality", preset: "auto", auto: true },
  { type: "codec", codec: "h264" },
  { type: "codec", codec: "vp8" },
  { type: "cursorMode", separate: true },
  { type: "cursorMode", separate: false },
  { type: "recording", on: true },
  { type: "recording", on: false },
  { type: "presenting", technician: "Ann" },
  { type: "presenting", technician: null },
  { type: "whiteboard", on: true },
  { type: "stroke", color: "red", width: 6, points: [10, 20, 30, 40, 50, 45] },
  { type: "whiteboardClear" },
  { type: "whiteboardUndo" },
  { type: "laser", at: { x: 640, y: 360 } },
  { type: "laser", at: null },
  { type: "screen", id: "HDMI-1" },
  { type: "screen", id: null },
  { type: "ctrlAltDel" },
  { type: "pointer", x: 10, y: 20 },
  { type: "button", button: "left", down: true, x: 10, y: 20 },
  { type: "wheel", dx: 0, dy: -3 },
  { type: "key", keysym: 0x20ac, down: true },
  { type: "key", keysym: 0x3c, down: true, code: "IntlBackslash" },
  { type: "clipboard", text: "from the technician" },
  { type: "ping", at: 1 },
  { type: "end", reason: "done" },
  { type: "error", code: "invalid", reason: "no" },
  { type: "opPart", id: "op-0000002", json: '{"kind":"files.li' },
  { type: "op", id: "op-0000002", json: 'st","path":"/tmp"}' },
  { type: "opCancel", id: "op-0000002" },
  {
    type: "grant",
    capability: "control",
    nonce: "n".repeat(24),
    granted: true,
    signature: "s".repeat(43),
  },
];
/** What the technician's viewer sends over its socket. */
const VIEWER_SAMPLES: unknown[] = [
  { type: "codecs", codecs: ["vp8", "h264"] },
  { type: "codecs", codecs: ["vp8"], cursor: true },
  { type: "view", on: true },
  { type: "control", on: true },
  { type: "view", on: false },
  { type: "answer", sdp: "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", id: 1 },
  { type: "keyframe" },
  { type: "reoffer" },
  { type: "quality", preset: "low" },
  { type: "screen", id: "DP-1" },
  { type: "stroke", color: "blue", width: 3, points: [1, 2] },
  { type: "laser", at: { x: 5, y: 6 } },
  { type: "ping", at: 5 },
  { type: "pointer", x: 1, y: 2 },
  { type: "button", button: "right", down: false, x: 3, y: 4 },
  { type: "wheel", dx: 1, dy: 1 },
  { type: "key", keysym: 0x61, down: true },
  { type: "key", keysym: 0x61, down: false, code: "KeyA" },
  { type: "ctrlAltDel" },
  { type: "clipboard", text: "paste" },
];

function typesOf(schema: typeof AgentMessageSchema | typeof ServerMessageSchema): string[] {
  return schema.options.map((o) => (o.shape.type as unknown as { value: string }).value);
}

function validSamples(
  schema: typeof AgentMessageSchema | typeof ServerMessageSchema,
  samples: unknown[],
): Record<string, unknown>[] {
  const valid = samples.filter((s) => schema.safeParse(s).success) as Record<string, unknown>[];
  const covered = new Set(valid.map((s) => s.type as string));
  const missing = typesOf(schema).filter((type) => !covered.has(type));
  assert.deepEqual(missing, [], "every message type has a valid sample to mutate");
  return valid;
}

/** One damaged variant of `text` (a JSON text): structural or byte-level. */
function mutateJson(text: string, random: Random): unknown {
  const { int, pick } = random;
  switch (int(12)) {
    case 0: // truncated
      return text.slice(0, int(text.length));
    case 1: { // bit flips in the UTF-8 bytes, read back as text (bad bytes become U+FFFD)
      const bytes = new TextEncoder().encode(text);
      for (let n = 1 + int(4); n > 0; n--) bytes[int(bytes.length)] ^= 1 << int(8);
      return new TextDecoder().decode(bytes);
    }
    case 2: { // the same bit flips, sent as a binary frame
      const bytes = new TextEncoder().encode(text);
      bytes[int(bytes.length)] ^= 1 << int(8);
      return bytes;
    }
    case 3: { // a character changed
      const i = int(text.length);
      return text.slice(0, i) + String.fromCharCode(int(0x10000)) + text.slice(i + 1);
    }
    case 4: { // a character dropped or doubled
      const i = int(text.length);
      return int(2) ? text.slice(0, i) + text.slice(i + 1) : text.slice(0, i) + text.slice(i);
    }
    case 5: // random characters
      return Array.from({ length: int(120) }, () => String.fromCharCode(int(0x3000))).join("");
    default: {
      const frame = JSON.parse(text);
      const target: Record<string, unknown> = frame.msg ?? frame;
      const keys = Object.keys(target);
      switch (int(6)) {
        case 0: // a field replaced by something hostile
          target[pick(keys)] = pick(NASTY);
          break;
        case 1: // a field removed
          delete target[pick(keys)];
          break;
        case 2: // an extra field
          target[`k${int(4)}`] = pick(NASTY);
          break;
        case 3: // another message's type with these fields
          target.type = pick([...VIEWER_SAMPLES, ...SERVER_SAMPLES, ...AGENT_SAMPLES] as {
            type: string;
          }[]).type;
          break;
        case 4: // the envelope damaged
          if (frame.msg) frame[pick(["v", "seq", "msg"])] = pick(NASTY);
          else target.type = pick(NASTY);
          break;
        default: // numbers at their limits
          for (const key of keys) {
            if (typeof target[key] === "number") target[key] = pick([-1, 1e308, 0.5, 2 ** 31]);
          }
      }
      // A duplicate key, which JSON.parse resolves to the last one.
      const out = JSON.stringify(frame);
      return int(4) ? out : out.replace(/^\{/, `{"type":"bye",`);
    }
  }
}

fuzz("the agent protocol decoder takes 20,000 damaged frames of every type", (random) => {
  const directions = [
    { schema: AgentMessageSchema, samples: validSamples(AgentMessageSchema, AGENT_SAMPLES) },
    { schema: ServerMessageSchema, samples: validSamples(ServerMessageSchema, SERVER_SAMPLES) },
  ];
  for (const { schema, samples } of directions) {
    // deno-lint-ignore no-explicit-any
    const receiver = new Channel<any, never>(schema as any);
    for (let i = 0; i < 10_000; i++) {
      const sample = random.pick(samples);
      const good = JSON.stringify({ v: PROTOCOL_VERSION, seq: receiver.expected, msg: sample });
      const before = receiver.expected;
      const result = receiver.decode(mutateJson(good, random));
      if (result.ok) {
        assert.equal(result.seq, before, `frame ${i}`);
        assert.ok(schema.safeParse(result.message).success, `frame ${i}: only valid messages`);
      } else {
        assert.equal(receiver.expected, before, `frame ${i}: a refusal moved the channel`);
        assert.ok(result.code && result.reason, `frame ${i}: a code and a reason`);
      }
      if (i % 50 === 49) {
        const healthy = receiver.decode(
          JSON.stringify({ v: PROTOCOL_VERSION, seq: receiver.expected, msg: sample }),
        );
        assert.ok(healthy.ok, `healthy after frame ${i}`);
      }
    }
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined, "no prototype pollution");
});

fuzz("the media frame decoder takes 20,000 damaged frames", (random) => {
  const frame = encodeMediaFrame({
    codec: "vp8",
    keyframe: true,
    width: 1920,
    height: 1080,
    capturedAt: 1_700_000_000_000,
    data: new Uint8Array(64).map((_, i) => i),
  });
  for (let i = 0; i < 20_000; i++) {
    let bytes = frame.slice();
    switch (random.int(4)) {
      case 0:
        bytes = bytes.subarray(0, random.int(bytes.length + 1));
        break;
      case 1:
        for (let n = 1 + random.int(3); n > 0; n--) {
          bytes[random.int(MEDIA_HEADER_BYTES)] ^= 1 << random.int(8);
        }
        break;
      case 2:
        bytes = bytes.subarray(random.int(bytes.length));
        break;
      default:
        bytes = crypto.getRandomValues(new Uint8Array(random.int(80)));
        bytes[0] = 0x52;
    }
    const result = decodeMediaFrame(bytes);
    if (result.ok) {
      const { width, height, capturedAt } = result.frame;
      assert.ok(width > 0 && height > 0 && Number.isFinite(capturedAt) && capturedAt >= 0);
    } else assert.ok(result.code && result.reason);
  }
});

interface World {
  t: TestApp;
  port: number;
  cookie: string;
  viewer: string;
  token: string;
  customer: TestClient;
  slug: string;
}

async function buildWorld(t: TestApp, port: number): Promise<World> {
  const tech = await technician(t);
  const session = await workingSession(t, tech, "pin");
  const browser = t.client();
  await browser.signIn(tech.email, TECH_PASSWORD);
  const customer = t.client();
  await customer.get(`/s/${session.token}`);
  const admin = t.client();
  await admin.signIn(ADMIN.email, ADMIN.password);
  await admin.get("/admin/channels/new");
  const channel = await admin.post("/admin/channels", {
    name: "Fuzz desk",
    active: "on",
    [`group_${tech.groupId}`]: "on",
    timeZone: "UTC",
    unavailableAction: "callback",
    unavailableMessage: "Closed",
  });
  assert.equal(channel.status, 303, "a channel for the public form");
  const page = await (await admin.get(channel.headers.get("location")!)).text();
  return {
    t,
    port,
    cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join("; "),
    viewer: `/console/sessions/${session.id}/remote/ws`,
    token: session.token,
    customer,
    slug: /\/c\/([a-z0-9-]+)/.exec(page)?.[1] ?? "fuzz-desk",
  };
}

/** A socket that collects what it is sent. */
async function open(url: string, headers: Record<string, string>) {
  // @ts-ignore: Deno's WebSocket takes headers (a test sets Origin and the cookie)
  const ws = new WebSocket(url, { headers });
  const inbox: unknown[] = [];
  const waiters: (() => void)[] = [];
  ws.onmessage = (event) => {
    inbox.push(event.data);
    waiters.splice(0).forEach((w) => w());
  };
  const closed = new Promise<CloseEvent>((resolve) => ws.addEventListener("close", resolve));
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  const until = async (test: (m: unknown) => boolean, what: string) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const i = inbox.findIndex(test);
      if (i >= 0) return inbox.splice(0, i + 1).at(-1);
      if (Date.now() > deadline) throw new Error(`no ${what} in time`);
      await Promise.race([
        new Promise<void>((r) => waiters.push(r)),
        new Promise((r) => setTimeout(r, 200)),
      ]);
    }
  };
  return { ws, inbox, closed, until };
}

async function withServer(fn: (w: World) => Promise<void>) {
  const t = await startTestApp();
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, t.app.fetch);
  try {
    await fn(await buildWorld(t, server.addr.port));
    assert.equal((await fetch(`http://127.0.0.1:${server.addr.port}/healthz`)).status, 200);
    // A handler that threw is caught and logged by the socket's frame chain: none may.
    const thrown = t.logLines.filter((l) => /frame failed|"level":"error"/.test(l));
    assert.deepEqual(thrown, [], "no message made a handler throw");
  } finally {
    await server.shutdown();
    await t.close();
  }
}

fuzz("the viewer socket answers 600 damaged messages and stays open", async (random) => {
  await withServer(async (w) => {
    const origin = `http://127.0.0.1:${w.port}`;
    const viewer = await open(`ws://127.0.0.1:${w.port}${w.viewer}`, {
      origin,
      cookie: w.cookie,
    });
    let closedEarly = false;
    viewer.closed.then(() => closedEarly = true);
    for (let i = 0; i < 600; i++) {
      const frame = mutateJson(JSON.stringify(random.pick(VIEWER_SAMPLES)), random);
      viewer.ws.send(frame instanceof Uint8Array ? frame : JSON.stringify(frame) ?? "null");
      if (typeof frame === "string") viewer.ws.send(frame);
      if (i % 100 === 99) {
        viewer.ws.send(JSON.stringify({ type: "ping", at: i }));
        await viewer.until(
          (m) => typeof m === "string" && JSON.parse(m).type === "pong" && JSON.parse(m).at === i,
          `pong ${i}`,
        );
        assert.equal(closedEarly, false, `the viewer socket is open after ${i + 1} frames`);
      }
    }
    viewer.ws.close();
    await viewer.closed;
  });
});

fuzz("the agent socket answers 1,000 damaged frames before and after hello", async (random) => {
  await withServer(async (w) => {
    const samples = validSamples(AgentMessageSchema, AGENT_SAMPLES);
    const [hello] = samples;
    /**
     * Sends `count` damaged frames on a socket whose server-side channel state `mirror`
     * follows (same decoder, same frames), except frames that would legitimately end the
     * connection (a valid hello before attaching, a bye), then checks it still answers.
     */
    const damage = async (
      agent: Awaited<ReturnType<typeof open>>,
      mirror: Channel<AgentMessage, never>,
      count: number,
    ) => {
      let closed = false;
      agent.closed.then(() => closed = true);
      for (let i = 0; i < count; i++) {
        const msg = random.pick(samples);
        const frame = mutateJson(
          JSON.stringify({ v: PROTOCOL_VERSION, seq: mirror.expected, msg }),
          random,
        );
        if (frame instanceof Uint8Array) {
          agent.ws.send(frame);
          continue;
        }
        if (typeof frame !== "string") continue;
        if (/hello|bye|\\u/.test(frame)) continue; // ends or attaches: not damage
        mirror.decode(frame);
        agent.ws.send(frame);
      }
      agent.ws.send(
        JSON.stringify({ v: PROTOCOL_VERSION, seq: mirror.expected, msg: { type: "pong", at: 1 } }),
      );
      mirror.decode(
        JSON.stringify({ v: PROTOCOL_VERSION, seq: mirror.expected, msg: { type: "pong", at: 1 } }),
      );
      agent.inbox.splice(0);
      agent.ws.send("{");
      await agent.until(
        (m) => typeof m === "string" && m.includes('"malformed"'),
        "an error frame",
      );
      assert.equal(closed, false, "the socket is still open");
    };

    const before = await open(`ws://127.0.0.1:${w.port}/agent/ws`, {});
    await damage(before, new Channel<AgentMessage, never>(AgentMessageSchema), 500);
    before.ws.close();
    await before.closed;

    const attached = await open(`ws://127.0.0.1:${w.port}/agent/ws`, {});
    const mirror = new Channel<AgentMessage, never>(AgentMessageSchema);
    const helloFrame = JSON.stringify({
      v: PROTOCOL_VERSION,
      seq: mirror.expected,
      msg: { ...hello, token: w.token },
    });
    mirror.decode(helloFrame);
    attached.ws.send(helloFrame);
    await attached.until((m) => typeof m === "string" && m.includes('"welcome"'), "welcome");
    await damage(attached, mirror, 500);
    attached.ws.close();
    await attached.closed;
  });
});

/** Random bodies for a form route: damaged forms, wrong types, broken multipart. */
function randomBody(random: Random, fields: string[]): { body: BodyInit; type: string } {
  const { int, pick } = random;
  const value = () =>
    pick([
      () => String(pick(NASTY)),
      () => "%" + int(256).toString(16),
      () => encodeURIComponent(String.fromCodePoint(pick([int(0xd800), 0xe000 + int(0x2000)]))),
      () => "%FF%FE%00",
      () => "x".repeat(int(3000)),
      () => "",
    ])();
  switch (int(6)) {
    case 0:
    case 1: {
      const parts = Array.from({ length: 1 + int(6) }, () => {
        const name = int(4) ? pick(fields) : pick(["", "=", "&", "%", "a[b]", "__proto__"]);
        return `${name}=${value()}`;
      });
      if (int(3) === 0) parts.push(pick(["&&&", "=", "%", "a==b", "%E0%A4%A"]));
      return { body: parts.join("&"), type: "application/x-www-form-urlencoded" };
    }
    case 2: {
      const boundary = pick(["b0undary", "", "-", "x".repeat(80)]);
      const field = pick(fields);
      const body = [
        `--${boundary}\r\ncontent-disposition: form-data; name="${field}"\r\n\r\n${value()}`,
        int(2) ? `\r\n--${boundary}--\r\n` : "",
      ].join("");
      return {
        body: body.slice(0, int(body.length + 1)),
        type: `multipart/form-data; boundary=${boundary}`,
      };
    }
    case 3:
      return {
        body: crypto.getRandomValues(new Uint8Array(int(500))),
        type: pick([
          "application/x-www-form-urlencoded",
          "multipart/form-data",
          "multipart/form-data; boundary=",
          "application/json",
          "text/plain",
          "",
        ]),
      };
    case 4:
      return {
        body: JSON.stringify(Object.fromEntries(fields.map((f) => [f, pick(NASTY)]))),
        type: pick(["application/json", "application/x-www-form-urlencoded"]),
      };
    default:
      return {
        body: value(),
        type: "application/x-www-form-urlencoded; charset=" + pick(["utf-8", "latin1", "x"]),
      };
  }
}

fuzz("the customer pages' form parsers take 500 random bodies without a 500", async (random) => {
  await withServer(async (w) => {
    const routes = [
      { path: "/pin", fields: ["pin"] },
      { path: `/s/${w.token}/chat`, fields: ["text"] },
      { path: `/s/${w.token}/terms`, fields: ["decision"] },
      { path: `/s/${w.token}/lang`, fields: ["lang"] },
      { path: `/s/${w.token}/files`, fields: ["file"] },
      { path: `/s/${w.token}/remote/revoke`, fields: ["capability"] },
      { path: `/c/${w.slug}`, fields: ["name", "contact", "f_x"] },
      { path: `/c/${w.slug}/callback`, fields: ["name", "contact"] },
      { path: "/agent/join", fields: ["pin"] },
      { path: "/signin", fields: ["email", "password", "next"] },
    ];
    const failures: string[] = [];
    for (let i = 0; i < 500; i++) {
      const route = random.pick(routes);
      const { body, type } = randomBody(random, route.fields);
      const headers: Record<string, string> = { "x-csrf-token": w.customer.csrf };
      if (type) headers["content-type"] = type;
      if (random.int(8) === 0) headers["hx-request"] = "true";
      w.t.clock.advance(1_000);
      const res = await w.customer.send(route.path, { method: "POST", body, headers });
      if (res.status >= 500) failures.push(`#${i} ${route.path} ${type} → ${res.status}`);
      await res.body?.cancel();
    }
    assert.deepEqual(failures, []);
    assert.equal((await w.customer.get(`/s/${w.token}`)).status, 200, "the page still answers");
  });
});
