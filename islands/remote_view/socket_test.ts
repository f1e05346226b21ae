import assert from "node:assert/strict";
import type { ViewerMessage } from "../../protocol/viewer.ts";
import {
  BACKOFF_MAX_MS,
  BACKOFF_MIN_MS,
  parseViewerMessage,
  socketUrl,
  ViewerSocket,
} from "./socket.ts";

Deno.test("parseViewerMessage() types the server's frames and refuses the rest", () => {
  const state = {
    type: "state",
    agent: "connected",
    view: "granted",
    control: "asked",
    clipboard: "off",
    screen: { width: 1920, height: 1080 },
    keyboard: "de(nodeadkeys)",
    quality: "auto",
    auto: { preset: "normal", reason: "clear" },
    screens: [
      { id: "DP-1", x: 0, y: 0, width: 1920, height: 1080, primary: true },
      { id: "HDMI-1", x: 1920, y: 0, width: 1280, height: 1024, primary: false },
    ],
    currentScreen: "HDMI-1",
  };
  const shape = { width: 1, height: 1, hotX: 0, hotY: 0, rgba: "AAAA_w" };
  const rows: [unknown, ViewerMessage | null][] = [
    [JSON.stringify(state), state as ViewerMessage],
    [
      JSON.stringify({
        ...state,
        agent: "?",
        view: 3,
        screen: { width: 0, height: 5 },
        keyboard: 1,
        screens: [{ id: 1, x: 0, y: 0, width: 5, height: 5 }, state.screens[1], "x"],
        currentScreen: 2,
      }),
      {
        ...state,
        agent: "absent",
        view: "off",
        screen: null,
        keyboard: null,
        screens: [state.screens[1]],
        currentScreen: null,
      } as ViewerMessage,
    ],
    [JSON.stringify({ ...state, quality: "ultra" }), null],
    // The support app cannot capture the screen: why, and an unknown why still pauses.
    [
      JSON.stringify({ ...state, capturePaused: "secure_desktop" }),
      { ...state, capturePaused: "secure_desktop" } as ViewerMessage,
    ],
    [
      JSON.stringify({ ...state, capturePaused: "monitor_off" }),
      { ...state, capturePaused: "failed" } as ViewerMessage,
    ],
    [JSON.stringify({ ...state, capturePaused: null }), state as ViewerMessage],
    [
      JSON.stringify({ ...state, auto: { preset: "auto", reason: "clear" } }),
      { ...state, auto: null } as ViewerMessage,
    ],
    [
      JSON.stringify({ ...state, auto: { preset: "low", reason: "?" } }),
      { ...state, auto: null } as ViewerMessage,
    ],
    ['{"type":"offer","sdp":"v=0","id":7}', { type: "offer", sdp: "v=0", id: 7 }],
    ['{"type":"offer"}', null],
    ['{"type":"offer","sdp":"v=0"}', null],
    ['{"type":"offer","sdp":"v=0","id":"7"}', null],
    ['{"type":"clipboard","text":"ü"}', { type: "clipboard", text: "ü" }],
    ['{"type":"clipboard"}', { type: "clipboard", text: "" }],
    ['{"type":"pong","at":12}', { type: "pong", at: 12 }],
    ['{"type":"pong","at":"12"}', null],
    ['{"type":"error","code":"permission"}', { type: "error", code: "permission", reason: "" }],
    [
      `{"type":"cursor","cursor":${JSON.stringify({ x: 3, y: 4, visible: true, shape })}}`,
      { type: "cursor", cursor: { x: 3, y: 4, visible: true, shape } },
    ],
    [
      '{"type":"cursor","cursor":{"x":3,"y":4,"visible":false}}',
      { type: "cursor", cursor: { x: 3, y: 4, visible: false } },
    ],
    ['{"type":"cursor","cursor":null}', { type: "cursor", cursor: null }],
    ['{"type":"cursor","cursor":{"x":3}}', null],
    ['{"type":"cursor"}', null],
    ['{"type":"end"}', null],
    ["not json", null],
    ["null", null],
    ["[]", null],
    [new ArrayBuffer(4), null],
  ];
  for (const [data, expected] of rows) {
    assert.deepEqual(parseViewerMessage(data), expected, String(data));
  }
});

Deno.test("socketUrl() follows the page's scheme", () => {
  assert.equal(
    socketUrl("/x/ws", { protocol: "https:", host: "a.example:8443" }),
    "wss://a.example:8443/x/ws",
  );
  assert.equal(
    socketUrl("/x/ws", { protocol: "http:", host: "127.0.0.1:8080" }),
    "ws://127.0.0.1:8080/x/ws",
  );
});

/** A WebSocket stand-in: the test opens, feeds and closes it by hand. */
class FakeSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static all: FakeSocket[] = [];
  readyState = FakeSocket.CONNECTING;
  sent: string[] = [];
  closedWith: number | null = null;
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { reason: string; code: number }) => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close(code: number) {
    this.closedWith = code;
  }
  open() {
    this.readyState = FakeSocket.OPEN;
    this.onopen?.();
  }
  drop(reason = "", code = 1006) {
    this.readyState = 3;
    this.onclose?.({ reason, code });
  }
}

function socket() {
  FakeSocket.all = [];
  const events: string[] = [];
  let now = 1000;
  const ws = new ViewerSocket("ws://h/ws", {
    open: () => events.push("open"),
    message: (m) => events.push(`message ${m.type}`),
    close: (reason, moved, refused) =>
      events.push(`close ${reason}${moved ? " (moved)" : ""}${refused ? " (refused)" : ""}`),
  }, { WebSocket: FakeSocket as unknown as typeof WebSocket, now: () => now });
  return { ws, events, setNow: (ms: number) => (now = ms) };
}

Deno.test("ViewerSocket sends only while open and measures the round trip from pongs", () => {
  const { ws, events, setNow } = socket();
  ws.start();
  try {
    const fake = FakeSocket.all[0];
    assert.equal(ws.send({ type: "keyframe" }), false, "still connecting");
    fake.open();
    assert.equal(ws.send({ type: "view", on: true }), true);
    assert.deepEqual(fake.sent, ['{"type":"view","on":true}']);
    setNow(1250);
    fake.onmessage!({ data: '{"type":"pong","at":1000}' });
    fake.onmessage!({ data: "garbage" });
    assert.equal(ws.rttMs, 250);
    assert.deepEqual(events, ["open", "message pong"]);
  } finally {
    ws.stop();
  }
});

Deno.test("ViewerSocket reconnects after 0.5, 1, 2, 4, 5, 5 s, and from 0.5 s again after a message", async () => {
  const { ws, events } = socket();
  const delays: number[] = [];
  const realSetTimeout = globalThis.setTimeout;
  // Capture the back-off instead of waiting it out; run the retry at once.
  globalThis.setTimeout = ((run: () => void, ms: number) => {
    delays.push(ms);
    return realSetTimeout(run, 0);
  }) as typeof setTimeout;
  try {
    ws.start();
    for (let i = 0; i < 6; i++) {
      FakeSocket.all.at(-1)!.drop("gone");
      await new Promise((r) => realSetTimeout(r, 5));
    }
    const last = FakeSocket.all.at(-1)!;
    last.open();
    last.onmessage!({ data: '{"type":"clipboard","text":""}' });
    last.drop();
    await new Promise((r) => realSetTimeout(r, 5));
  } finally {
    globalThis.setTimeout = realSetTimeout;
    ws.stop();
  }
  assert.deepEqual(delays, [500, 1000, 2000, 4000, 5000, 5000, 500]);
  assert.equal(FakeSocket.all.length, 8);
  assert.equal(events.filter((e) => e === "close gone").length, 6);
});

Deno.test("ViewerSocket.stop() closes the socket once it is open and never reconnects", () => {
  const { ws, events } = socket();
  ws.start();
  const connecting = FakeSocket.all[0];
  ws.stop();
  assert.equal(connecting.closedWith, null, "not closed while connecting");
  connecting.onopen!();
  assert.equal(connecting.closedWith, 1000);
  connecting.onclose?.({ reason: "", code: 1000 });
  assert.deepEqual(events, [], "no events after stop");
  assert.equal(FakeSocket.all.length, 1);
});

Deno.test("ViewerSocket: a close with 4012 (moved) reconnects after 50 ms and keeps the back-off short", async () => {
  const { ws, events } = socket();
  const delays: number[] = [];
  const realSetTimeout = globalThis.setTimeout;
  globalThis.setTimeout = ((run: () => void, ms: number) => {
    delays.push(ms);
    return realSetTimeout(run, 0);
  }) as typeof setTimeout;
  try {
    ws.start();
    FakeSocket.all.at(-1)!.drop("gone");
    await new Promise((r) => realSetTimeout(r, 5));
    FakeSocket.all.at(-1)!.drop("moved", 4012);
    await new Promise((r) => realSetTimeout(r, 5));
    FakeSocket.all.at(-1)!.drop("gone");
    await new Promise((r) => realSetTimeout(r, 5));
  } finally {
    globalThis.setTimeout = realSetTimeout;
    ws.stop();
  }
  assert.deepEqual(delays, [500, 50, 500]);
  assert.deepEqual(events, ["close gone", "close moved (moved)", "close gone"]);
});

Deno.test("ViewerSocket says which codecs the browser decodes and that it draws the pointer, first on every connection", async () => {
  FakeSocket.all = [];
  const realSetTimeout = globalThis.setTimeout;
  globalThis.setTimeout = ((run: () => void) => realSetTimeout(run, 0)) as typeof setTimeout;
  const events: string[] = [];
  const ws = new ViewerSocket("ws://h/ws", {
    open: () => events.push("open"),
    message: () => {},
    close: () => {},
  }, {
    WebSocket: FakeSocket as unknown as typeof WebSocket,
    now: () => 0,
    codecs: () => ["vp8", "h264"],
  });
  try {
    ws.start();
    FakeSocket.all[0].open();
    ws.send({ type: "view", on: true });
    FakeSocket.all[0].drop("gone");
    await new Promise((r) => realSetTimeout(r, 5));
    FakeSocket.all[1].open();
  } finally {
    globalThis.setTimeout = realSetTimeout;
    ws.stop();
  }
  const codecs = '{"type":"codecs","codecs":["vp8","h264"],"cursor":true}';
  assert.deepEqual(FakeSocket.all[0].sent, [codecs, '{"type":"view","on":true}']);
  assert.deepEqual(FakeSocket.all[1].sent, [codecs], "again after the reconnect");
  assert.deepEqual(events, ["open", "open"]);
});

Deno.test("ViewerSocket: a close with 4403 (no longer allowed) says so, and still tries again — after the longest back-off", async () => {
  const { ws, events } = socket();
  const realSetTimeout = globalThis.setTimeout;
  const delays: number[] = [];
  globalThis.setTimeout = ((run: () => void, ms?: number) => {
    delays.push(ms ?? 0);
    return realSetTimeout(run, 0);
  }) as typeof setTimeout;
  try {
    ws.start();
    FakeSocket.all.at(-1)!.drop("no longer allowed to view this session", 4403);
    await new Promise((r) => realSetTimeout(r, 5));
  } finally {
    globalThis.setTimeout = realSetTimeout;
    ws.stop();
  }
  // A session on hold is resumed: the view comes back by itself (the server refuses until then).
  assert.equal(FakeSocket.all.length, 2);
  assert.deepEqual(events, ["close no longer allowed to view this session (refused)"]);
  // Not at once: an ended session's workspace is replaced meanwhile, and a handshake the
  // server refuses (409) is an error in the technician's browser console.
  assert.ok(delays.includes(BACKOFF_MAX_MS), `retried after ${delays.join(", ")} ms`);
  assert.ok(!delays.includes(BACKOFF_MIN_MS), `retried after ${delays.join(", ")} ms`);
});

Deno.test("parseViewerMessage() keeps the whiteboard's state, whether the app can draw and undo, and the laser in the picture", () => {
  const base = { type: "state", agent: "connected", view: "granted", quality: "auto" };
  const on = parseViewerMessage(
    JSON.stringify({
      ...base,
      whiteboard: true,
      canDraw: true,
      canUndo: true,
      laserInPicture: true,
    }),
  );
  assert.equal(on?.type === "state" && on.laserInPicture, true);
  assert.equal(on?.type === "state" && on.whiteboard, true);
  assert.equal(on?.type === "state" && on.canDraw, true);
  assert.equal(on?.type === "state" && on.canUndo, true);
  const junk = parseViewerMessage(
    JSON.stringify({ ...base, whiteboard: "yes", canDraw: 1, canUndo: "yes", laserInPicture: 1 }),
  );
  assert.equal(junk?.type === "state" && (junk.laserInPicture ?? false), false);
  assert.equal(junk?.type === "state" && (junk.whiteboard ?? false), false);
  assert.equal(junk?.type === "state" && (junk.canDraw ?? false), false);
  assert.equal(junk?.type === "state" && (junk.canUndo ?? false), false);
});
