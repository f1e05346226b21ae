// The pointer apart from the picture (cursor_sender.ts): at most 60 messages a second with the
// latest position, a move right after a late one not held back, the shape once per serial and again when owed, `visible: false` off the shown
// screen, and nothing without the customer's view consent — not even a message already waiting.
import assert from "node:assert/strict";
import type { AgentMessage } from "../protocol/mod.ts";
import { CURSOR_EVERY_MS, CURSOR_MIN_GAP_MS, CursorSender } from "./cursor_sender.ts";
import type { CursorImage } from "./platform/types.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Cursor = Extract<AgentMessage, { type: "cursor" }>;
const SCREEN = { width: 200, height: 100 };

function setup() {
  const sent: { message: Cursor; at: number }[] = [];
  const state = { allowed: true, linked: true };
  const sender = new CursorSender({
    link: () =>
      state.linked
        ? { send: (m) => void sent.push({ message: m as Cursor, at: performance.now() }) }
        : null,
    allowed: () => state.allowed,
    now: () => performance.now(),
  });
  return { sender, sent, state, messages: () => sent.map((s) => s.message) };
}

function at(x: number, y: number, serial = 1): CursorImage {
  const pixels = new Uint32Array(4).fill(0xff000000);
  return { x, y, width: 2, height: 2, hotX: 1, hotY: 1, pixels, serial };
}

Deno.test("CursorSender sends the shape once per serial, and again when owed", async () => {
  const s = setup();
  s.sender.look(at(10, 20), SCREEN);
  const { shape, ...first } = s.messages()[0];
  assert.deepEqual(first, { type: "cursor", x: 10, y: 20, visible: true });
  assert.deepEqual([shape?.width, shape?.hotX], [2, 1], "the first message has the shape");
  assert.equal(s.sender.look(at(10, 20), SCREEN), false, "no move, no news");
  s.sender.oweShape(); // a switch to separate, another screen shown
  assert.equal(s.sender.look(at(10, 20), SCREEN), true);
  await sleep(CURSOR_EVERY_MS + 10);
  assert.equal(s.sent.length, 2);
  assert.ok(s.messages()[1].shape, "sent again after oweShape, without a move");
  s.sender.look(at(11, 20), SCREEN);
  await sleep(CURSOR_EVERY_MS + 2);
  s.sender.look(at(11, 20, 2), SCREEN); // a new shape where it was
  await sleep(CURSOR_EVERY_MS + 10);
  assert.deepEqual(s.messages().map((m) => !!m.shape), [true, true, false, true]);
  s.sender.stop();
});

Deno.test("CursorSender sends at most 60 messages a second, never two within 8 ms, the latest position last", async () => {
  const s = setup();
  const t0 = performance.now();
  let x = 0, serial = 1;
  while (performance.now() - t0 < 300) {
    x = (x + 1) % SCREEN.width;
    if (x === 150) serial = 2; // a shape change in the middle of a burst is not lost
    s.sender.look(at(x, 50, serial), SCREEN);
    await sleep(1);
  }
  await sleep(CURSOR_EVERY_MS * 2);
  const gaps = s.sent.slice(1).map((m, i) => m.at - s.sent[i].at);
  assert.ok(gaps.every((gap) => gap >= CURSOR_MIN_GAP_MS - 1), gaps.map(Math.round).join(","));
  // The first two at once (its credit), then one per CURSOR_EVERY_MS on average.
  const most = 300 / CURSOR_EVERY_MS + 3;
  assert.ok(s.sent.length <= most, `${s.sent.length} messages in 300 ms (at most ${most})`);
  assert.ok(s.sent.length >= 8, `${s.sent.length} messages in 300 ms: it keeps up`);
  assert.equal(s.messages().at(-1)?.x, x, "the last position is sent");
  assert.equal(s.messages().filter((m) => m.shape).length, serial, "each shape once");
  s.sender.stop();
});

Deno.test("CursorSender: the pointer off the shown screen is not visible, clamped into it", () => {
  const cases: [number, number, { x: number; y: number; visible: boolean }][] = [
    [-50, 30, { x: 0, y: 30, visible: false }],
    [250, 30, { x: 199, y: 30, visible: false }],
    [30, 100, { x: 30, y: 99, visible: false }],
    [199, 99, { x: 199, y: 99, visible: true }],
    [0, 0, { x: 0, y: 0, visible: true }],
  ];
  for (const [x, y, expected] of cases) {
    const s = setup();
    s.sender.look(at(x, y), SCREEN);
    const { type: _, shape: __, ...position } = s.messages()[0];
    assert.deepEqual(position, expected, `${x},${y}`);
  }
});

Deno.test("CursorSender sends nothing without view consent, not even a message already waiting", async () => {
  const s = setup();
  s.state.allowed = false;
  s.sender.look(at(10, 10), SCREEN);
  await sleep(CURSOR_EVERY_MS + 10);
  assert.equal(s.sent.length, 0, "not allowed: nothing");
  s.state.allowed = true;
  s.sender.oweShape(); // view given again
  s.sender.look(at(10, 10), SCREEN);
  assert.equal(s.sent.length, 1, "allowed: sent");
  s.sender.look(at(20, 10), SCREEN); // waits for the end of 16 ms…
  s.state.allowed = false; // …during which the customer takes view back
  await sleep(CURSOR_EVERY_MS + 10);
  assert.equal(s.sent.length, 1, "the waiting message was dropped");
  s.state.allowed = true;
  s.state.linked = false;
  s.sender.look(at(30, 10), SCREEN);
  assert.equal(s.sent.length, 1, "no link: nothing");
  s.sender.stop();
});

Deno.test("CursorSender: a move that comes 12 ms after a message goes at once, not at 16 ms", () => {
  // A hand moving 60 times a second, whose last message went late: the next one is not held
  // for a full 16 ms from it (that drifted until a move was dropped). By a clock of its own.
  const sent: { x: number; at: number }[] = [];
  let now = 1000;
  const sender = new CursorSender({
    link: () => ({ send: (m) => void sent.push({ x: (m as Cursor).x, at: now }) }),
    allowed: () => true,
    now: () => now,
  });
  for (let i = 0; i < 12; i++) {
    sender.look(at(i, 5), SCREEN);
    now += i % 2 ? 12 : 21; // late, early, late: 16.5 ms apart on average
  }
  assert.deepEqual(sent.map((s) => s.x), [...Array(12).keys()], "every move, each at once");
  sender.look(at(40, 5), SCREEN);
  now += 3;
  sender.look(at(41, 5), SCREEN);
  assert.deepEqual(sent.slice(12).map((s) => s.x), [40], "3 ms after the last: waits");
  sender.stop();
});
