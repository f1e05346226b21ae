import assert from "node:assert/strict";
import { KeyboardInput, type KeyEventLike } from "./keyboard.ts";

/** [keysym, down] — and the physical key when one was sent. */
type Sent = ([number, boolean] | [number, boolean, string])[];

function keyboard() {
  const sent: Sent = [];
  const input = new KeyboardInput((keysym, down, code) =>
    sent.push(code ? [keysym, down, code] : [keysym, down])
  );
  return { sent, input };
}

let clock = 0;
const ev = (key: string, code: string, extra: Partial<KeyEventLike> = {}): KeyEventLike => ({
  key,
  code,
  ctrlKey: false,
  altKey: false,
  repeat: false,
  isComposing: false,
  timeStamp: clock += 100,
  ...extra,
});

const SHIFT_L = 0xffe1;
const CTRL_L = 0xffe3;
const ALTGR = 0xfe03;

Deno.test("KeyboardInput (local layout) types Shift+a as 'A' without sending Shift", () => {
  const { sent, input } = keyboard();
  input.down(ev("Shift", "ShiftLeft"), "local");
  input.down(ev("A", "KeyA", { key: "A" }), "local");
  input.up(ev("A", "KeyA"));
  input.up(ev("Shift", "ShiftLeft"));
  assert.deepEqual(sent, [[0x41, true], [0x41, false]]);
});

Deno.test("KeyboardInput (local layout) sends a held Shift before a non-character key", () => {
  const { sent, input } = keyboard();
  input.down(ev("Shift", "ShiftLeft"), "local");
  input.down(ev("ArrowRight", "ArrowRight"), "local");
  input.up(ev("ArrowRight", "ArrowRight"));
  input.up(ev("Shift", "ShiftLeft"));
  assert.deepEqual(sent, [[SHIFT_L, true], [0xff53, true], [0xff53, false], [SHIFT_L, false]]);
});

Deno.test("KeyboardInput (remote layout) sends Shift and the physical key, with its code", () => {
  const { sent, input } = keyboard();
  input.down(ev("Shift", "ShiftLeft"), "remote");
  input.down(ev("Q", "KeyA"), "remote");
  input.down(ev("Q", "KeyA", { repeat: true }), "remote");
  input.up(ev("Q", "KeyA"));
  input.up(ev("Shift", "ShiftLeft"));
  assert.deepEqual(sent, [
    [SHIFT_L, true],
    [0x61, true, "KeyA"],
    [0x61, true, "KeyA"],
    [0x61, false, "KeyA"],
    [SHIFT_L, false],
  ]);
  // AltGr goes as a key of its own; a held key is let go by its code too.
  const altGr = keyboard();
  altGr.input.down(ev("AltGraph", "AltRight"), "remote");
  altGr.input.down(ev("@", "KeyQ"), "remote");
  altGr.input.down(ev("Enter", "Enter"), "remote");
  altGr.input.releaseAll(true);
  assert.deepEqual(altGr.sent, [
    [ALTGR, true],
    [0x71, true, "KeyQ"],
    [0xff0d, true],
    [0xff0d, false],
    [0x71, false, "KeyQ"],
    [ALTGR, false],
  ]);
});

Deno.test("KeyboardInput (local layout) sends no code: the character decides", () => {
  const { sent, input } = keyboard();
  input.down(ev("Shift", "ShiftLeft"), "local");
  input.down(ev("Z", "KeyY"), "local"); // a German technician's Z key
  input.up(ev("Z", "KeyY"));
  input.down(ev("y", "KeyZ", { ctrlKey: true }), "local"); // a shortcut: its US letter
  input.up(ev("y", "KeyZ"));
  assert.deepEqual(sent, [[0x5a, true], [0x5a, false], [SHIFT_L, true], [0x7a, true], [
    0x7a,
    false,
  ]]);
});

Deno.test("KeyboardInput takes back Windows' fake Control before AltGr", () => {
  const { sent, input } = keyboard();
  const at = (clock += 1000);
  input.down(ev("Control", "ControlLeft", { timeStamp: at }), "remote");
  input.down(ev("AltGraph", "AltRight", { timeStamp: at + 1 }), "remote");
  assert.deepEqual(sent, [[CTRL_L, true], [CTRL_L, false], [ALTGR, true]]);
  // A real Control held for longer stays down.
  const real = keyboard();
  real.input.down(ev("Control", "ControlLeft", { timeStamp: at }), "remote");
  real.input.down(ev("AltGraph", "AltRight", { timeStamp: at + 200 }), "remote");
  assert.deepEqual(real.sent, [[CTRL_L, true], [ALTGR, true]]);
});

Deno.test("KeyboardInput (local layout) leaves AltGr and Caps Lock to the characters", () => {
  const { sent, input } = keyboard();
  input.down(ev("AltGraph", "AltRight"), "local");
  input.down(ev("CapsLock", "CapsLock"), "local");
  input.down(ev("€", "KeyE"), "local");
  assert.deepEqual(sent, [[0x10020ac, true]]);
});

Deno.test("KeyboardInput repeats a held key only on auto-repeat and ignores composition", () => {
  const { sent, input } = keyboard();
  input.down(ev("x", "KeyX"), "local");
  input.down(ev("x", "KeyX"), "local");
  input.down(ev("x", "KeyX", { repeat: true }), "local");
  input.down(ev("e", "KeyE", { isComposing: true }), "local");
  assert.deepEqual(sent, [[0x78, true], [0x78, true]]);
});

Deno.test("KeyboardInput.releaseAll() lets go last-pressed first, or silently", () => {
  const { sent, input } = keyboard();
  input.down(ev("Control", "ControlLeft"), "remote");
  input.down(ev("Alt", "AltLeft"), "remote");
  input.down(ev("Delete", "Delete"), "remote");
  sent.length = 0;
  input.releaseAll(true);
  assert.deepEqual(sent, [[0xffff, false], [0xffe9, false], [CTRL_L, false]]);
  input.down(ev("a", "KeyA"), "remote");
  sent.length = 0;
  input.releaseAll(false);
  input.up(ev("a", "KeyA"));
  assert.deepEqual(sent, [], "nothing held after a silent release");
});
