// DOM key → keysym, table by table. Expected values are X11's keysyms as noVNC publishes them
// (core/input/keysym.js and the DOM key table core/input/domkeytable.js), used as a reference
// for cases: the same DOM key must reach the same X11 key. Where we deliberately differ, the
// row says why.
import assert from "node:assert/strict";
import { charKeysym, type KeyLayout, type KeyLike, keysymFor } from "./keysyms.ts";
import { isKeyCode } from "../../protocol/key_codes.ts";

const key = (k: string, code: string, extra: Partial<KeyLike> = {}): KeyLike => ({
  key: k,
  code,
  ctrlKey: false,
  altKey: false,
  ...extra,
});

/** [event.key, event.code, expected keysym (noVNC's name), kind] — the same in both layouts. */
const NAMED: [string, string, number, string][] = [
  ["Enter", "Enter", 0xff0d, "XK_Return"],
  ["Backspace", "Backspace", 0xff08, "XK_BackSpace"],
  ["Tab", "Tab", 0xff09, "XK_Tab"],
  ["Escape", "Escape", 0xff1b, "XK_Escape"],
  ["Delete", "Delete", 0xffff, "XK_Delete"],
  ["Home", "Home", 0xff50, "XK_Home"],
  ["End", "End", 0xff57, "XK_End"],
  ["PageUp", "PageUp", 0xff55, "XK_Prior"],
  ["PageDown", "PageDown", 0xff56, "XK_Next"],
  ["ArrowLeft", "ArrowLeft", 0xff51, "XK_Left"],
  ["ArrowUp", "ArrowUp", 0xff52, "XK_Up"],
  ["ArrowRight", "ArrowRight", 0xff53, "XK_Right"],
  ["ArrowDown", "ArrowDown", 0xff54, "XK_Down"],
  ["Insert", "Insert", 0xff63, "XK_Insert"],
  ["Pause", "Pause", 0xff13, "XK_Pause"],
  ["ScrollLock", "ScrollLock", 0xff14, "XK_Scroll_Lock"],
  ["PrintScreen", "PrintScreen", 0xff61, "XK_Print"],
  ["ContextMenu", "ContextMenu", 0xff67, "XK_Menu"],
  ["NumLock", "NumLock", 0xff7f, "XK_Num_Lock"],
  ["F1", "F1", 0xffbe, "XK_F1"],
  ["F12", "F12", 0xffc9, "XK_F12"],
  ["F24", "F24", 0xffd5, "XK_F24"],
];

/** Modifiers by physical key: left and right stay apart (noVNC's addLeftRight). */
const MODIFIERS: [string, string, number, string, string][] = [
  ["Shift", "ShiftLeft", 0xffe1, "XK_Shift_L", "shift"],
  ["Shift", "ShiftRight", 0xffe2, "XK_Shift_R", "shift"],
  ["Control", "ControlLeft", 0xffe3, "XK_Control_L", "mod"],
  ["Control", "ControlRight", 0xffe4, "XK_Control_R", "mod"],
  ["Alt", "AltLeft", 0xffe9, "XK_Alt_L", "mod"],
  ["Alt", "AltRight", 0xffea, "XK_Alt_R", "mod"],
  ["Meta", "MetaLeft", 0xffeb, "XK_Super_L", "mod"],
  ["Meta", "MetaRight", 0xffec, "XK_Super_R", "mod"],
  ["OS", "OSLeft", 0xffeb, "XK_Super_L (older browsers' name)", "mod"],
  ["CapsLock", "CapsLock", 0xffe5, "XK_Caps_Lock", "caps"],
  ["AltGraph", "AltRight", 0xfe03, "XK_ISO_Level3_Shift", "altgr"],
];

/** The remote layout: the physical key as a US keyboard has it, whatever it printed here. */
const US_PHYSICAL: [string, string, number, string][] = [
  ["q", "KeyA", 0x61, "XK_a (AZERTY's A key is US A)"],
  ["A", "KeyA", 0x61, "XK_a (Shift goes as its own key)"],
  ["z", "KeyY", 0x79, "XK_y (German Z key is US Y)"],
  ["&", "Digit1", 0x31, "XK_1 (AZERTY's 1 key)"],
  ["ß", "Minus", 0x2d, "XK_minus"],
  ["´", "Equal", 0x3d, "XK_equal"],
  ["ü", "BracketLeft", 0x5b, "XK_bracketleft"],
  ["+", "BracketRight", 0x5d, "XK_bracketright"],
  ["#", "Backslash", 0x5c, "XK_backslash"],
  ["<", "IntlBackslash", 0x3c, "XK_less (the ISO key)"],
  ["ö", "Semicolon", 0x3b, "XK_semicolon"],
  ["ä", "Quote", 0x27, "XK_apostrophe"],
  ["^", "Backquote", 0x60, "XK_grave"],
  [",", "Comma", 0x2c, "XK_comma"],
  [".", "Period", 0x2e, "XK_period"],
  ["-", "Slash", 0x2f, "XK_slash"],
  [" ", "Space", 0x20, "XK_space"],
  ["7", "Numpad7", 0xffb7, "XK_KP_7"],
  ["0", "Numpad0", 0xffb0, "XK_KP_0"],
  [",", "NumpadDecimal", 0xffae, "XK_KP_Decimal"],
  ["+", "NumpadAdd", 0xffab, "XK_KP_Add"],
  ["-", "NumpadSubtract", 0xffad, "XK_KP_Subtract"],
  ["*", "NumpadMultiply", 0xffaa, "XK_KP_Multiply"],
  ["/", "NumpadDivide", 0xffaf, "XK_KP_Divide"],
  ["Enter", "NumpadEnter", 0xff8d, "XK_KP_Enter"],
  ["=", "NumpadEqual", 0xffbd, "XK_KP_Equal"],
  ["ç", "IntlRo", 0xe7, "no US key: what it printed (XK_ccedilla)"],
];

/** The local layout: the character printed here, Latin-1 as is, the rest as Unicode keysyms. */
const LOCAL_CHARS: [string, string, number, string][] = [
  ["a", "KeyQ", 0x61, "XK_a (AZERTY: the Q key prints a)"],
  ["A", "KeyQ", 0x41, "XK_A"],
  ["@", "Digit2", 0x40, "XK_at"],
  ["é", "Digit2", 0xe9, "XK_eacute (Latin-1, same as noVNC)"],
  ["ß", "Minus", 0xdf, "XK_ssharp"],
  ["ü", "BracketLeft", 0xfc, "XK_udiaeresis"],
  ["~", "Backquote", 0x7e, "XK_asciitilde"],
  ["\u00a0", "Space", 0xa0, "XK_nobreakspace"],
  // noVNC looks € up in its legacy table (XK_EuroSign 0x20ac); we always send Unicode keysyms
  // past Latin-1, which X servers map the same way (0x1000000 + code point).
  ["€", "KeyE", 0x10020ac, "U+20AC as a Unicode keysym"],
  ["ł", "KeyL", 0x1000142, "U+0142 as a Unicode keysym"],
  ["😀", "KeyX", 0x101f600, "a character outside the BMP (two UTF-16 units)"],
];

Deno.test("keysymFor() maps named keys as noVNC's DOM key table does, in both layouts", () => {
  for (const layout of ["local", "remote"] as KeyLayout[]) {
    for (const [k, code, keysym, name] of NAMED) {
      assert.deepEqual(
        keysymFor(key(k, code), layout),
        { keysym, kind: "key" },
        `${layout} ${name}`,
      );
    }
  }
});

Deno.test("keysymFor() keeps left and right modifiers apart and marks their kind", () => {
  for (const layout of ["local", "remote"] as KeyLayout[]) {
    for (const [k, code, keysym, name, kind] of MODIFIERS) {
      assert.deepEqual(keysymFor(key(k, code), layout), { keysym, kind }, `${layout} ${name}`);
    }
  }
});

Deno.test("keysymFor() in the remote layout sends the physical key: its code, a US keysym", () => {
  for (const [k, code, keysym, name] of US_PHYSICAL) {
    // The agent presses the position (code); the keysym is the fallback for an older agent.
    const expected = isKeyCode(code) ? { keysym, kind: "key", code } : { keysym, kind: "key" };
    assert.deepEqual(keysymFor(key(k, code), "remote"), expected, name);
  }
  assert.equal(keysymFor(key("q", "KeyA"), "remote")?.code, "KeyA");
  assert.equal(keysymFor(key("<", "IntlBackslash"), "remote")?.code, "IntlBackslash");
  assert.equal(keysymFor(key("ç", "IntlRo"), "remote")?.code, "IntlRo");
  for (const [k, code] of [[" ", "Space"], ["7", "Numpad7"], ["Enter", "Enter"]]) {
    assert.equal(keysymFor(key(k, code), "remote")?.code, undefined, `${code}: no layout decides`);
  }
  for (let i = 0; i < 26; i++) {
    const letter = String.fromCharCode(97 + i);
    const code = `Key${letter.toUpperCase()}`;
    assert.equal(keysymFor(key("x", code), "remote")?.keysym, 0x61 + i, code);
  }
  for (let d = 0; d <= 9; d++) {
    assert.equal(keysymFor(key("!", `Digit${d}`), "remote")?.keysym, 0x30 + d);
  }
});

Deno.test("keysymFor() in the local layout sends the character it printed, no code", () => {
  for (const [k, code, keysym, name] of LOCAL_CHARS) {
    assert.deepEqual(keysymFor(key(k, code), "local"), { keysym, kind: "char" }, name);
  }
});

Deno.test("keysymFor() sends a shortcut's physical letter or digit, but AltGr characters as printed", () => {
  // Ctrl+C on AZERTY, Ctrl+Z on QWERTZ: the US key, so remote shortcuts keep their letter.
  assert.deepEqual(keysymFor(key("c", "KeyC", { ctrlKey: true }), "local"), {
    keysym: 0x63,
    kind: "key",
  });
  assert.deepEqual(keysymFor(key("y", "KeyZ", { ctrlKey: true }), "local"), {
    keysym: 0x7a,
    kind: "key",
  });
  assert.deepEqual(keysymFor(key("&", "Digit1", { altKey: true }), "local"), {
    keysym: 0x31,
    kind: "key",
  });
  // Ctrl with a non-letter key: the character, as a key (not deferred like typing).
  assert.deepEqual(keysymFor(key("+", "BracketRight", { ctrlKey: true }), "local"), {
    keysym: 0x2b,
    kind: "key",
  });
  // AltGr (Windows reports Ctrl+Alt held): the character it printed.
  const altGr = { ctrlKey: true, altKey: true, getModifierState: (k: string) => k === "AltGraph" };
  assert.deepEqual(keysymFor(key("@", "KeyQ", altGr), "local"), { keysym: 0x40, kind: "char" });
  assert.deepEqual(keysymFor(key("€", "KeyE", altGr), "local"), {
    keysym: 0x10020ac,
    kind: "char",
  });
});

Deno.test("keysymFor() sends nothing for dead keys, IME processing and unidentified keys", () => {
  for (const k of ["Dead", "Process", "Unidentified", "Compose"]) {
    assert.equal(keysymFor(key(k, "BracketLeft"), "local"), null, k);
  }
  assert.equal(keysymFor(key("Unidentified", "Lang1"), "remote"), null);
  assert.equal(keysymFor(key("Shift", "toString"), "local"), null, "no prototype keys");
});

Deno.test("charKeysym() keeps Latin-1 as is and puts the rest at 0x1000000 + code point", () => {
  assert.equal(charKeysym(" "), 0x20);
  assert.equal(charKeysym("~"), 0x7e);
  assert.equal(charKeysym("\u007f"), 0x100007f, "DEL is not a Latin-1 keysym");
  assert.equal(charKeysym("\u009f"), 0x100009f, "C1 controls are not either");
  assert.equal(charKeysym("ÿ"), 0xff);
  assert.equal(charKeysym("Ā"), 0x1000100);
});
