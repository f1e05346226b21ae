/**
 * The physical keys a `key` message may name by position (`code`, the DOM
 * `KeyboardEvent.code`): the keys whose character depends on the layout — letters, digits,
 * punctuation, the ISO key left of Z and the Japanese/Brazilian extra keys. The agent presses
 * that position on the customer's keyboard (XKB key name, Windows scan code), so the
 * customer's layout decides what it types. Other keys (Enter, arrows, modifiers) mean the same
 * everywhere and go by keysym alone. A plain file: the island imports it too.
 */
export const KEY_CODES = [
  "Backquote",
  "Digit1",
  "Digit2",
  "Digit3",
  "Digit4",
  "Digit5",
  "Digit6",
  "Digit7",
  "Digit8",
  "Digit9",
  "Digit0",
  "Minus",
  "Equal",
  "IntlYen",
  "KeyQ",
  "KeyW",
  "KeyE",
  "KeyR",
  "KeyT",
  "KeyY",
  "KeyU",
  "KeyI",
  "KeyO",
  "KeyP",
  "BracketLeft",
  "BracketRight",
  "Backslash",
  "KeyA",
  "KeyS",
  "KeyD",
  "KeyF",
  "KeyG",
  "KeyH",
  "KeyJ",
  "KeyK",
  "KeyL",
  "Semicolon",
  "Quote",
  "IntlBackslash",
  "KeyZ",
  "KeyX",
  "KeyC",
  "KeyV",
  "KeyB",
  "KeyN",
  "KeyM",
  "Comma",
  "Period",
  "Slash",
  "IntlRo",
] as const;
export type KeyCode = typeof KEY_CODES[number];

const KNOWN = new Set<string>(KEY_CODES);

/** Whether `code` (a `KeyboardEvent.code`) is one of `KEY_CODES`. */
export function isKeyCode(code: string): code is KeyCode {
  return KNOWN.has(code);
}
