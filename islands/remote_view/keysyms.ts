/**
 * DOM keys → X11 keysyms, the remote side's key identities. Two layouts:
 * - "local": the technician's own layout decides — a printed character goes out as that
 *   character's keysym (the agent types it whatever the customer's layout), other keys by name;
 * - "remote": the customer's layout decides. A key whose character depends on the layout
 *   (letters, digits, punctuation, the ISO key: `KEY_CODES`) goes out with its physical
 *   position (`code`), and the agent presses that key of the customer's keyboard as it is —
 *   Shift and AltGr go out as keys of their own and choose its level there; its keysym (the
 *   character a US layout prints, or failing that this one) is only the fallback for an agent
 *   or keyboard without that position. Other keys go by name, modifiers as they are.
 */
import { isKeyCode, type KeyCode } from "../../protocol/key_codes.ts";

/** What a keydown looks like to the mapping (a `KeyboardEvent` is one). */
export interface KeyLike {
  key: string;
  code: string;
  ctrlKey: boolean;
  altKey: boolean;
  getModifierState?(key: string): boolean;
}

export type KeyLayout = "local" | "remote";

/**
 * shift: deferred in the local layout; caps: dropped there (characters carry it); altgr: AltGr;
 * mod: other modifiers; char: a character printed by the local layout; key: anything else.
 */
export type KeyKind = "shift" | "caps" | "altgr" | "mod" | "char" | "key";

/** Named keys by `event.key` (both layouts). */
const NAMED_KEYS: Record<string, number> = {
  Enter: 0xff0d,
  Backspace: 0xff08,
  Tab: 0xff09,
  Escape: 0xff1b,
  Delete: 0xffff,
  Home: 0xff50,
  End: 0xff57,
  PageUp: 0xff55,
  PageDown: 0xff56,
  ArrowLeft: 0xff51,
  ArrowUp: 0xff52,
  ArrowRight: 0xff53,
  ArrowDown: 0xff54,
  Insert: 0xff63,
  Pause: 0xff13,
  ScrollLock: 0xff14,
  PrintScreen: 0xff61,
  ContextMenu: 0xff67,
  NumLock: 0xff7f,
};
for (let n = 1; n <= 24; n++) NAMED_KEYS[`F${n}`] = 0xffbe + n - 1;

/** Modifier keys by `event.code` (left and right kept apart). */
const MODIFIER_CODES: Record<string, number> = {
  ShiftLeft: 0xffe1,
  ShiftRight: 0xffe2,
  ControlLeft: 0xffe3,
  ControlRight: 0xffe4,
  AltLeft: 0xffe9,
  AltRight: 0xffea,
  MetaLeft: 0xffeb,
  MetaRight: 0xffec,
  OSLeft: 0xffeb,
  OSRight: 0xffec,
  CapsLock: 0xffe5,
};
const ISO_LEVEL3_SHIFT = 0xfe03;
const MODIFIER_KEY = /^(Shift|Control|Alt|Meta|OS|CapsLock)$/;

/** Physical keys by `event.code` → the keysym a US layout gives them (the "remote" layout). */
const US_CODES: Record<string, number> = {
  Minus: 0x2d,
  Equal: 0x3d,
  BracketLeft: 0x5b,
  BracketRight: 0x5d,
  Backslash: 0x5c,
  IntlBackslash: 0x3c,
  Semicolon: 0x3b,
  Quote: 0x27,
  Backquote: 0x60,
  Comma: 0x2c,
  Period: 0x2e,
  Slash: 0x2f,
  Space: 0x20,
  NumpadDecimal: 0xffae,
  NumpadAdd: 0xffab,
  NumpadSubtract: 0xffad,
  NumpadMultiply: 0xffaa,
  NumpadDivide: 0xffaf,
  NumpadEnter: 0xff8d,
  NumpadEqual: 0xffbd,
  ...NAMED_KEYS,
};
for (let i = 0; i < 26; i++) US_CODES[`Key${String.fromCharCode(65 + i)}`] = 0x61 + i;
for (let d = 0; d <= 9; d++) {
  US_CODES[`Digit${d}`] = 0x30 + d;
  US_CODES[`Numpad${d}`] = 0xffb0 + d;
}

/** The keysym of one Unicode character (X11: Latin-1 as is, the rest at 0x1000000 + code). */
export function charKeysym(char: string): number {
  const cp = char.codePointAt(0) ?? 0;
  if ((cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff)) return cp;
  return 0x1000000 + cp;
}

const singleChar = (key: string) => key.length > 0 && key.length <= 2 && [...key].length === 1;
const own = (table: Record<string, number>, name: string) =>
  Object.hasOwn(table, name) ? table[name] : undefined;

/** What a keydown means for the remote side, or null (nothing to send). */
export function keysymFor(
  event: KeyLike,
  layout: KeyLayout,
): { keysym: number; kind: KeyKind; code?: KeyCode } | null {
  const { key, code } = event;
  if (key === "AltGraph") return { keysym: ISO_LEVEL3_SHIFT, kind: "altgr" };
  const modifier = own(MODIFIER_CODES, code);
  if (modifier !== undefined && MODIFIER_KEY.test(key)) {
    const kind = key === "Shift" ? "shift" : key === "CapsLock" ? "caps" : "mod";
    return { keysym: modifier, kind };
  }
  const named = own(NAMED_KEYS, key);
  if (layout === "remote") {
    const keysym = own(US_CODES, code) ?? (singleChar(key) ? charKeysym(key) : named);
    // A key a US layout does not have falls back to what it printed here.
    if (keysym === undefined) return null;
    return isKeyCode(code) ? { keysym, kind: "key", code } : { keysym, kind: "key" };
  }
  if (named !== undefined) return { keysym: named, kind: "key" };
  if (!singleChar(key)) return null; // Dead, Process, Unidentified, …
  // A shortcut (Ctrl/Alt held, AltGr not): the physical letter or digit, as a US layout has it.
  const shortcut = (event.ctrlKey || event.altKey) && !event.getModifierState?.("AltGraph");
  if (shortcut && /^(Key[A-Z]|Digit\d)$/.test(code)) return { keysym: US_CODES[code], kind: "key" };
  return { keysym: charKeysym(key), kind: shortcut ? "key" : "char" };
}
