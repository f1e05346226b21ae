// The agent's side of the pointer apart from the picture (issue 14): the hello offers it only
// where the desktop reports the cursor; `cursorMode` is refused elsewhere; a `cursor` message
// goes only while the customer allows view, whatever the server asks; a new connection starts
// drawn in; and on one screen of several the pointer is placed on it — not visible, clamped,
// while it is on another — with its shape sent again when another screen is shown.
import assert from "node:assert/strict";
import type { AgentMessage } from "../protocol/mod.ts";
import { Agent, type Link } from "./agent.ts";
import { NoDesktop } from "./platform/mod.ts";
import type { Desktop, Frame, ScreenInfo } from "./platform/types.ts";
import { scriptedDamage } from "./screen_test_damage.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Cursor = Extract<AgentMessage, { type: "cursor" }>;
/** A 300×100 desktop: screen A (0,0 200×100) and B (200,0 100×80). */
const A: ScreenInfo = { id: "A", x: 0, y: 0, width: 200, height: 100, primary: true };
const B: ScreenInfo = { id: "B", x: 200, y: 0, width: 100, height: 80, primary: false };

function setup(options: { cursor?: boolean } = {}) {
  const W = 300, H = 100;
  const frame: Frame = { width: W, height: H, stride: W * 4, data: new Uint8Array(W * H * 4) };
  const scripted = scriptedDamage({ pointer: true });
  const pointer = { x: 50, y: 50, serial: 1 };
  const desktop = {
    width: W,
    height: H,
    grab: () => frame,
    cursor: () =>
      options.cursor === false ? null : {
        ...pointer,
        width: 2,
        height: 2,
        hotX: 0,
        hotY: 0,
        pixels: new Uint32Array(4).fill(0xff000000),
      },
    screens: () => [A, B],
    damage: () => scripted.watcher,
    keyboardLayout: () => "us",
    releaseInput: () => {},
  } as unknown as Desktop;
  const agent = new Agent({
    desktop,
    encoder: () => ({
      encode: (_b, _s, o) => ({ data: new Uint8Array(3), keyframe: Boolean(o?.keyframe) }),
      setPreset: () => {},
      close: () => {},
    }),
  });
  const sent: AgentMessage[] = [];
  const media: Uint8Array[] = [];
  const link: Link = {
    send: (m) => void sent.push(m),
    sendMedia: (b) => void media.push(b),
    buffered: () => 0,
  };
  const cursors = () => sent.filter((m): m is Cursor => m.type === "cursor");
  const move = (x: number, y = pointer.y) => {
    Object.assign(pointer, { x, y });
    scripted.move();
  };
  return { agent, link, sent, media, pointer, cursors, move };
}

async function grantView(agent: Agent) {
  await agent.handle({ type: "request", capability: "view" });
  const question = agent.customerState.questions.find((q) => q.capability === "view")!;
  assert.ok(agent.answer("view", question.id, true).ok);
}

Deno.test("Agent.separateCursor: the hello offers it only where the desktop reports the cursor", () => {
  const cases: [string, ReturnType<typeof setup>["agent"], boolean][] = [
    ["a desktop with a cursor (X11's XFixes)", setup().agent, true],
    ["a desktop that cannot tell", setup({ cursor: false }).agent, false],
    ["no desktop", new Agent({ desktop: new NoDesktop(), encoder: () => ({}) as never }), false],
    [
      "a desktop that cannot be shared",
      new Agent({
        desktop: setup().agent.view.desktop,
        encoder: () => ({}) as never,
        noDesktop: "no X",
      }),
      false,
    ],
  ];
  for (const [name, agent, offered] of cases) {
    assert.equal(agent.separateCursor, offered, name);
  }
});

Deno.test("Agent refuses cursorMode where the desktop cannot report the pointer", async () => {
  const s = setup({ cursor: false });
  s.agent.attach(s.link);
  await s.agent.handle({ type: "cursorMode", separate: true });
  assert.deepEqual(s.sent.at(-1)?.type, "refused");
  await s.agent.handle({ type: "cursorMode", separate: false }); // drawn in: nothing to refuse
  assert.equal(s.sent.filter((m) => m.type === "refused").length, 1);
  s.agent.stop();
});

Deno.test("Agent sends the pointer apart only while the customer allows view", async () => {
  const s = setup();
  s.agent.attach(s.link);
  await s.agent.handle({ type: "cursorMode", separate: true }); // whatever the server says…
  for (let i = 0; i < 5; i++) {
    s.move(60 + i);
    await sleep(30);
  }
  assert.deepEqual(s.cursors(), [], "…no view, no cursor");
  await grantView(s.agent);
  await sleep(100);
  assert.ok(s.cursors().length >= 1, "view granted: the pointer");
  assert.ok(s.cursors()[0].shape, "its shape first");
  s.move(100);
  await sleep(60);
  assert.equal(s.cursors().at(-1)?.x, 100);
  s.agent.revoke("view");
  const n = s.cursors().length;
  for (let i = 0; i < 5; i++) {
    s.move(110 + i);
    await sleep(30);
  }
  assert.equal(s.cursors().length, n, "view taken back: no cursor");
  await grantView(s.agent);
  await sleep(100);
  assert.ok(s.cursors().at(n)?.shape, "view given again: the shape again");
  s.agent.stop();
});

Deno.test("Agent: on one screen of several the pointer is placed on it, not visible off it, and its shape goes again when another is shown", async () => {
  const s = setup();
  s.agent.attach(s.link);
  await grantView(s.agent);
  await s.agent.handle({ type: "cursorMode", separate: true });
  await s.agent.handle({ type: "screen", id: "B" });
  await sleep(60);
  const position = (m?: Cursor) => m && { x: m.x, y: m.y, visible: m.visible };
  // On screen A (50, 50): left of B, clamped to its edge.
  assert.deepEqual(position(s.cursors().at(-1)), { x: 0, y: 50, visible: false });
  s.move(250, 30); // onto B
  await sleep(60);
  assert.deepEqual(position(s.cursors().at(-1)), { x: 50, y: 30, visible: true });
  s.move(250, 90); // below B's 80 rows (A is taller)
  await sleep(60);
  assert.deepEqual(position(s.cursors().at(-1)), { x: 50, y: 79, visible: false });
  assert.equal(s.cursors().at(-1)?.shape, undefined);
  await s.agent.handle({ type: "screen", id: null }); // the whole desktop
  await sleep(60);
  const last = s.cursors().at(-1);
  assert.deepEqual(position(last), { x: 250, y: 90, visible: true });
  assert.ok(last?.shape, "another screen shown: the shape again");
  s.agent.stop();
});

Deno.test("Agent: a new connection starts with the pointer drawn in", async () => {
  const s = setup();
  s.agent.attach(s.link);
  await grantView(s.agent);
  await s.agent.handle({ type: "cursorMode", separate: true });
  await sleep(60);
  assert.ok(s.cursors().length >= 1);
  s.agent.detach();
  s.agent.attach(s.link); // the server restarted: it has not asked for the pointer apart
  await sleep(60);
  const n = s.cursors().length, frames = s.media.length;
  s.move(70);
  await sleep(100);
  assert.equal(s.cursors().length, n, "no cursor message");
  assert.ok(s.media.length > frames, "a move is a frame again");
  s.agent.stop();
});
