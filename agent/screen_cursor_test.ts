// The capture loop with the pointer apart from the picture (`cursorMode`, cursor_sender.ts): a
// move is a `cursor` message, never a frame or a refinement; frames leave the pointer out; the
// shape goes first after each switch to separate and after another screen is shown; messages
// come at most 60 a second (never two within 8 ms) with the latest position; and switching either way codes the
// pointer's area again at once. A watcher with pointer events (X11's XInput 2), as
// screen_pointer_test.ts.
import assert from "node:assert/strict";
import type { AgentMessage } from "../protocol/mod.ts";
import type { Desktop, Frame, Rect } from "./platform/types.ts";
import { ScreenSender } from "./screen.ts";
import { scriptedDamage } from "./screen_test_damage.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Cursor = Extract<AgentMessage, { type: "cursor" }>;
const RED = 0xffff0000;

function setup() {
  const W = 64, H = 48;
  const frame: Frame = { width: W, height: H, stride: W * 4, data: new Uint8Array(W * H * 4) };
  const scripted = scriptedDamage({ pointer: true });
  const pointer = { x: 20, y: 20, serial: 1 };
  const frames: { what: string; dirty?: readonly Rect[]; drawn: boolean }[] = [];
  const cursors: { message: Cursor; at: number }[] = [];
  const desktop = {
    width: W,
    height: H,
    // Each grab starts from the plain screen, as X's does: the pointer is not in it.
    grab: () => (frame.data.fill(0), frame),
    cursor: () => {
      const pixels = new Uint32Array(16).fill(RED);
      return { ...pointer, width: 4, height: 4, hotX: 1, hotY: 1, pixels };
    },
    damage: () => scripted.watcher,
  };
  const note = (what: string, dirty?: readonly Rect[], keyframe = false) => {
    // The pointer's red (B,G,R,X: R at +2) anywhere in the frame handed over.
    const drawn = frame.data.some((v, i) => i % 4 === 2 && v === 255);
    frames.push({ what, dirty, drawn });
    return { data: new Uint8Array(10), keyframe };
  };
  const sender = new ScreenSender({
    desktop: desktop as unknown as Desktop,
    encoder: () => ({
      encode: (_b, _s, o) => note(o?.keyframe ? "key" : "delta", o?.dirty, Boolean(o?.keyframe)),
      refine: () => note("refine"),
      empty: () => note("empty"),
      setPreset: () => {},
      close: () => {},
    }),
  }, {
    link: () => ({
      send: (m: AgentMessage) =>
        void (m.type === "cursor" && cursors.push({ message: m, at: performance.now() })),
      sendMedia: () => {},
      buffered: () => 0,
    }),
    allowed: () => true,
  });
  sender.setPreset("normal", true);
  const move = (dx: number) => {
    pointer.x += dx;
    scripted.move();
  };
  return { sender, scripted, frames, cursors, pointer, move };
}

async function running(fn: (s: ReturnType<typeof setup>) => Promise<void>) {
  const s = setup();
  s.sender.resume();
  try {
    await sleep(400); // the keyframe and its refinement
    await fn(s);
  } finally {
    s.sender.stop();
  }
}

/** The pointer's area as the frames had it drawn: hot spot (1, 1) of a 4 × 4 image. */
const area = (p: { x: number; y: number }): Rect => ({
  x: p.x - 1,
  y: p.y - 1,
  width: 4,
  height: 4,
});

Deno.test("ScreenSender apart: a pointer move sends a cursor message, no frame and no refinement", () =>
  running(async (s) => {
    assert.deepEqual(s.frames.map((f) => f.what), ["key", "refine"]);
    assert.ok(s.frames[0].drawn, "drawn in until the server asks otherwise");
    s.sender.setCursorMode(true);
    await sleep(400); // the pointer's area coded again without it, and refined
    const frames = s.frames.length;
    const cursors = s.cursors.length;
    for (let i = 0; i < 5; i++) {
      s.move(3);
      await sleep(40);
    }
    await sleep(400); // past REFINE_AFTER_MS: a frame would have been refined by now
    const what = s.frames.slice(frames).map((f) => f.what);
    assert.deepEqual(what, [], "no frame, no refinement for a pointer move");
    const moved = s.cursors.slice(cursors).map((c) => c.message);
    assert.ok(moved.length >= 5, `${moved.length} cursor messages`);
    assert.deepEqual(moved.at(-1), { type: "cursor", x: s.pointer.x, y: 20, visible: true });
  }));

Deno.test("ScreenSender apart: frames do not contain the pointer", () =>
  running(async (s) => {
    s.sender.setCursorMode(true);
    await sleep(100);
    const from = s.frames.length;
    for (let i = 0; i < 3; i++) {
      s.move(2);
      s.scripted.damage({ x: 0, y: 0, width: 64, height: 48 }); // the whole screen changes
      await sleep(50);
    }
    const frames = s.frames.slice(from).filter((f) => f.what === "delta");
    assert.ok(frames.length >= 3, JSON.stringify(s.frames));
    assert.ok(frames.every((f) => !f.drawn), "no pointer pixels in a frame");
    s.sender.resume(); // a keyframe too
    await sleep(50);
    assert.equal(s.frames.findLast((f) => f.what === "key")?.drawn, false);
  }));

Deno.test("ScreenSender: switching the pointer apart or back codes its area again at once", () =>
  running(async (s) => {
    let from = s.frames.length;
    s.sender.setCursorMode(true);
    await sleep(300);
    const apart = s.frames.slice(from);
    assert.equal(apart[0]?.what, "delta", JSON.stringify(apart));
    assert.deepEqual(apart[0].dirty, [area(s.pointer)], "where it was drawn, coded again");
    assert.equal(apart[0].drawn, false);
    assert.deepEqual(apart.slice(1).map((f) => f.what), ["refine"], "refined as any change");

    s.move(10); // moved while apart: drawn in again where it is now
    await sleep(50);
    from = s.frames.length;
    s.sender.setCursorMode(false);
    await sleep(300);
    const back = s.frames.slice(from);
    assert.equal(back[0]?.what, "delta", JSON.stringify(back));
    assert.ok(
      back[0].dirty?.some((r) => JSON.stringify(r) === JSON.stringify(area(s.pointer))),
      JSON.stringify(back[0].dirty),
    );
    assert.equal(back[0].drawn, true);
    assert.deepEqual(back.slice(1).map((f) => f.what), ["refine"]);
    const cursors = s.cursors.length;
    s.move(5);
    await sleep(100);
    assert.equal(s.cursors.length, cursors, "drawn in: no cursor messages");
    assert.equal(s.frames.at(-1)?.what, "delta", "drawn in: a move is a frame again");
  }));

Deno.test("ScreenSender apart: the shape goes once per serial, and first after each switch and each new picture", () =>
  running(async (s) => {
    const shapes = () => s.cursors.map((c) => !!c.message.shape);
    s.sender.setCursorMode(true);
    await sleep(50);
    s.move(2);
    await sleep(50);
    s.move(2);
    await sleep(50);
    assert.deepEqual(shapes(), [true, false, false]);
    s.pointer.serial = 2; // a new shape (an XFixes cursor notification)
    s.move(0);
    await sleep(50);
    s.move(2);
    await sleep(50);
    assert.deepEqual(shapes().slice(3), [true, false]);
    s.sender.setCursorMode(false);
    await sleep(50);
    s.sender.setCursorMode(true);
    await sleep(50);
    assert.deepEqual(shapes().slice(5), [true], "after a switch to separate, without a move");
    s.sender.newPicture(); // another screen shown
    await sleep(50);
    assert.deepEqual(shapes().slice(6), [true], "after a screen change, without a move");
    s.move(2);
    await sleep(50);
    assert.deepEqual(shapes().slice(7), [false]);
  }));

Deno.test("ScreenSender apart: moves are sent at most 60 a second, never two within 8 ms, the latest position last", () =>
  running(async (s) => {
    s.sender.setCursorMode(true);
    await sleep(50);
    const from = s.cursors.length;
    const t0 = performance.now();
    while (performance.now() - t0 < 400) {
      s.move(1); // raw motion every 2 ms, a 500 Hz mouse
      if (s.pointer.x > 60) s.pointer.x = 0;
      await sleep(2);
    }
    await sleep(100);
    const sent = s.cursors.slice(from);
    const gaps = sent.slice(1).map((c, i) => c.at - sent[i].at);
    assert.ok(gaps.every((gap) => gap >= 7), gaps.map(Math.round).join(","));
    assert.ok(sent.length <= 400 * 60 / 1000 + 4, `${sent.length} messages in 400 ms`);
    // ≈ 24 (60 a second), not the ≈ 13 of pointer wake-ups held as if they found nothing.
    assert.ok(sent.length >= 17, `${sent.length} messages in 400 ms`);
    assert.equal(sent.at(-1)?.message.x, s.pointer.x, "the last position arrives");
  }));
