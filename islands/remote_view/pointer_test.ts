import assert from "node:assert/strict";
import type { ViewerInput } from "../../protocol/viewer.ts";
import { buttonFor, notches, PointerInput } from "./pointer.ts";

function pointer(opts: { controlling?: boolean; open?: boolean } = {}) {
  const sent: ViewerInput[] = [];
  const frames: (() => void)[] = [];
  const state = { controlling: opts.controlling ?? true, open: opts.open ?? true };
  const input = new PointerInput({
    send: (message) => state.open && sent.push(message) > 0,
    controlling: () => state.controlling,
    requestFrame: (callback) => frames.push(callback),
    cancelFrame: () => {},
  });
  const frame = () => frames.splice(0).forEach((run) => run());
  return { sent, input, frame, state, frames };
}

Deno.test("notches() counts lines, pages and pixels as wheel notches", () => {
  const rows: [number, number, number][] = [
    [0, 0, 0],
    [3, 1, 1], // three lines a notch
    [-6, 1, -2],
    [1, 2, 3], // a page is three notches
    [120, 0, 1], // a mouse wheel's notch in pixels
    [100, 0, 1],
    [250, 0, 3],
    [-360, 0, -4],
    [60, 0, 1], // at least one for a mouse-sized step
    [30, 0, 0.3], // a touchpad's small steps add up
    [-4, 0, -0.04],
  ];
  for (const [delta, mode, expected] of rows) {
    assert.equal(notches(delta, mode), expected, `${delta}/${mode}`);
  }
});

Deno.test("buttonFor() names left, middle and right; back and forward are not sent", () => {
  assert.deepEqual([0, 1, 2, 3, 4, -1].map(buttonFor), [
    "left",
    "middle",
    "right",
    undefined,
    undefined,
    undefined,
  ]);
});

Deno.test("PointerInput sends one pointer move per frame, the last one, and skips repeats", () => {
  const { sent, input, frame, frames } = pointer();
  input.move({ x: 1, y: 1 }, -1, 0);
  input.move({ x: 2, y: 2 }, -1, 0);
  input.move({ x: 3, y: 3 }, -1, 0);
  assert.equal(frames.length, 1, "one frame scheduled");
  frame();
  input.move({ x: 3, y: 3 }, -1, 0);
  frame();
  assert.deepEqual(sent, [{ type: "pointer", x: 3, y: 3 }]);
});

Deno.test("PointerInput sends a pending move before a button, so the click lands where it should", () => {
  const { sent, input } = pointer();
  input.move({ x: 5, y: 6 }, -1, 0);
  input.press("left", { x: 7, y: 8 });
  assert.deepEqual(sent, [
    { type: "pointer", x: 5, y: 6 },
    { type: "button", button: "left", down: true, x: 7, y: 8 },
  ]);
  assert.ok(input.release(0, null), "released at the last point");
  assert.deepEqual(sent.at(-1), { type: "button", button: "left", down: false, x: 7, y: 8 });
  assert.equal(input.release(0, { x: 1, y: 1 }), false, "not held any more");
});

Deno.test("PointerInput turns a chorded press or release during a drag into a button message", () => {
  const { sent, input } = pointer();
  input.press("left", { x: 1, y: 1 });
  input.move({ x: 2, y: 2 }, 2, 1 | 2); // right pressed while left is held
  input.move({ x: 3, y: 3 }, 2, 1); // right released
  assert.deepEqual(sent.slice(1), [
    { type: "button", button: "right", down: true, x: 2, y: 2 },
    { type: "button", button: "right", down: false, x: 3, y: 3 },
  ]);
});

Deno.test("PointerInput adds wheel steps up per frame, keeps fractions and caps each message", () => {
  const { sent, input, frame } = pointer();
  input.wheel(0, 30, 0);
  input.wheel(0, 30, 0);
  frame();
  assert.deepEqual(sent, [], "0.6 notch: not yet");
  input.wheel(0, 50, 0);
  frame();
  assert.deepEqual(sent, [{ type: "wheel", dx: 0, dy: 1 }]);
  input.wheel(0, -90_000, 0);
  frame();
  assert.deepEqual(sent.at(-1), { type: "wheel", dx: 0, dy: -100 });
});

Deno.test("PointerInput lets go of held buttons when capture is lost, or forgets them without control", () => {
  const held = pointer();
  held.input.press("left", { x: 4, y: 4 });
  held.input.press("middle", { x: 4, y: 4 });
  held.input.lostCapture();
  assert.deepEqual(held.sent.slice(2).map((m) => m.type === "button" && [m.button, m.down]), [
    ["left", false],
    ["middle", false],
  ]);
  const lost = pointer();
  lost.input.press("left", { x: 4, y: 4 });
  lost.state.controlling = false;
  lost.input.lostCapture();
  assert.equal(lost.input.buttonsDown.size, 0);
  assert.equal(lost.sent.length, 1);
});

Deno.test("PointerInput.releaseAll() sends button-ups only when asked and drops pending wheel steps", () => {
  const { sent, input, frame } = pointer();
  input.press("right", { x: 9, y: 9 });
  input.wheel(0, 0.9, 1);
  input.releaseAll(true);
  frame();
  assert.deepEqual(sent.slice(1), [{ type: "button", button: "right", down: false, x: 9, y: 9 }]);
  input.press("left", { x: 1, y: 1 });
  input.releaseAll(false);
  assert.equal(sent.length, 3);
  assert.equal(input.buttonsDown.size, 0);
});

Deno.test("PointerInput sends no move while not controlling and keeps the last point only when sent", () => {
  const { sent, input, frame, state } = pointer({ open: false });
  input.move({ x: 1, y: 1 }, -1, 0);
  frame();
  assert.equal(input.lastPointer, null, "socket down: not recorded as sent");
  state.open = true;
  state.controlling = false;
  input.move({ x: 2, y: 2 }, -1, 0);
  frame();
  assert.deepEqual(sent, []);
});
