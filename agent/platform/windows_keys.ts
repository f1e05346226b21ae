/**
 * X11 keysyms (the protocol's key identity) → Windows virtual keys, and keyboard layout ids
 * (KLIDs) → the XKB-style names the technician sees, and physical keys → scan codes. Pure
 * tables, tested without Windows.
 */
import type { KeyCode } from "../../protocol/key_codes.ts";

/** A key Windows knows by virtual key; `extended` sets KEYEVENTF_EXTENDEDKEY (the E0 prefix). */
export interface VirtualKey {
  vk: number;
  extended: boolean;
}

const VK = {
  CANCEL: 0x03,
  BACK: 0x08,
  TAB: 0x09,
  CLEAR: 0x0c,
  RETURN: 0x0d,
  PAUSE: 0x13,
  CAPITAL: 0x14,
  ESCAPE: 0x1b,
  SPACE: 0x20,
  PRIOR: 0x21,
  NEXT: 0x22,
  END: 0x23,
  HOME: 0x24,
  LEFT: 0x25,
  UP: 0x26,
  RIGHT: 0x27,
  DOWN: 0x28,
  SELECT: 0x29,
  EXECUTE: 0x2b,
  SNAPSHOT: 0x2c,
  INSERT: 0x2d,
  DELETE: 0x2e,
  HELP: 0x2f,
  LWIN: 0x5b,
  RWIN: 0x5c,
  APPS: 0x5d,
  SLEEP: 0x5f,
  NUMPAD0: 0x60,
  MULTIPLY: 0x6a,
  ADD: 0x6b,
  SEPARATOR: 0x6c,
  SUBTRACT: 0x6d,
  DECIMAL: 0x6e,
  DIVIDE: 0x6f,
  F1: 0x70,
  NUMLOCK: 0x90,
  SCROLL: 0x91,
  LSHIFT: 0xa0,
  RSHIFT: 0xa1,
  LCONTROL: 0xa2,
  RCONTROL: 0xa3,
  LMENU: 0xa4,
  RMENU: 0xa5,
} as const;

export const VK_SHIFT = 0x10;
export const VK_LSHIFT = VK.LSHIFT;
export const VK_RSHIFT = VK.RSHIFT;
export const VK_LCONTROL = VK.LCONTROL;
export const VK_LMENU = VK.LMENU;
export const VK_RMENU = VK.RMENU;
export const VK_CAPITAL = VK.CAPITAL;

const key = (vk: number, extended = false): VirtualKey => ({ vk, extended });

/**
 * Keys that are not characters. The extended flag follows the keyboard: the dedicated
 * navigation block, right Ctrl/Alt, the Windows and menu keys, keypad Enter and Divide,
 * Num Lock, Print and the media keys carry E0; the keypad's navigation keys (Num Lock off)
 * do not, so they stay keypad keys.
 */
const SPECIAL_KEYS = new Map<number, VirtualKey>([
  [0xff08, key(VK.BACK)],
  [0xff09, key(VK.TAB)],
  [0xfe20, key(VK.TAB)], // ISO_Left_Tab (Shift+Tab: Shift is held already)
  [0xff0b, key(VK.CLEAR)],
  [0xff0d, key(VK.RETURN)],
  [0xff13, key(VK.PAUSE)],
  [0xff14, key(VK.SCROLL)],
  [0xff15, key(VK.SNAPSHOT, true)], // Sys_Req
  [0xff1b, key(VK.ESCAPE)],
  [0xffff, key(VK.DELETE, true)],
  [0xff50, key(VK.HOME, true)],
  [0xff51, key(VK.LEFT, true)],
  [0xff52, key(VK.UP, true)],
  [0xff53, key(VK.RIGHT, true)],
  [0xff54, key(VK.DOWN, true)],
  [0xff55, key(VK.PRIOR, true)],
  [0xff56, key(VK.NEXT, true)],
  [0xff57, key(VK.END, true)],
  [0xff60, key(VK.SELECT)],
  [0xff61, key(VK.SNAPSHOT, true)],
  [0xff62, key(VK.EXECUTE)],
  [0xff63, key(VK.INSERT, true)],
  [0xff67, key(VK.APPS, true)],
  [0xff69, key(VK.CANCEL, true)],
  [0xff6a, key(VK.HELP)],
  [0xff6b, key(VK.CANCEL, true)], // Break
  [0xff7f, key(VK.NUMLOCK, true)],
  // Keypad
  [0xff80, key(VK.SPACE)],
  [0xff89, key(VK.TAB)],
  [0xff8d, key(VK.RETURN, true)],
  [0xff95, key(VK.HOME)],
  [0xff96, key(VK.LEFT)],
  [0xff97, key(VK.UP)],
  [0xff98, key(VK.RIGHT)],
  [0xff99, key(VK.DOWN)],
  [0xff9a, key(VK.PRIOR)],
  [0xff9b, key(VK.NEXT)],
  [0xff9c, key(VK.END)],
  [0xff9d, key(VK.CLEAR)], // KP_Begin (the 5)
  [0xff9e, key(VK.INSERT)],
  [0xff9f, key(VK.DELETE)],
  [0xffaa, key(VK.MULTIPLY)],
  [0xffab, key(VK.ADD)],
  [0xffac, key(VK.SEPARATOR)],
  [0xffad, key(VK.SUBTRACT)],
  [0xffae, key(VK.DECIMAL)],
  [0xffaf, key(VK.DIVIDE, true)],
  // Modifiers, left and right apart
  [0xffe1, key(VK.LSHIFT)],
  [0xffe2, key(VK.RSHIFT)],
  [0xffe3, key(VK.LCONTROL)],
  [0xffe4, key(VK.RCONTROL, true)],
  [0xffe5, key(VK.CAPITAL)],
  [0xffe7, key(VK.LWIN, true)], // Meta_L
  [0xffe8, key(VK.RWIN, true)], // Meta_R
  [0xffe9, key(VK.LMENU)],
  [0xffea, key(VK.RMENU, true)],
  [0xffeb, key(VK.LWIN, true)], // Super_L
  [0xffec, key(VK.RWIN, true)], // Super_R
  [0xfe03, key(VK.RMENU, true)], // ISO_Level3_Shift: AltGr is the right Alt on Windows
  // XF86 media and browser keys
  [0x1008ff11, key(0xae, true)], // AudioLowerVolume → VK_VOLUME_DOWN
  [0x1008ff12, key(0xad, true)], // AudioMute
  [0x1008ff13, key(0xaf, true)], // AudioRaiseVolume
  [0x1008ff14, key(0xb3, true)], // AudioPlay → VK_MEDIA_PLAY_PAUSE
  [0x1008ff31, key(0xb3, true)], // AudioPause
  [0x1008ff15, key(0xb2, true)], // AudioStop
  [0x1008ff16, key(0xb1, true)], // AudioPrev
  [0x1008ff17, key(0xb0, true)], // AudioNext
  [0x1008ff18, key(0xac, true)], // HomePage → VK_BROWSER_HOME
  [0x1008ff19, key(0xb4, true)], // Mail → VK_LAUNCH_MAIL
  [0x1008ff1b, key(0xaa, true)], // Search
  [0x1008ff1d, key(0xb7, true)], // Calculator → VK_LAUNCH_APP2
  [0x1008ff26, key(0xa6, true)], // Back
  [0x1008ff27, key(0xa7, true)], // Forward
  [0x1008ff28, key(0xa9, true)], // Stop
  [0x1008ff29, key(0xa8, true)], // Refresh
  [0x1008ff2f, key(VK.SLEEP, true)], // Sleep
  [0x1008ff30, key(0xab, true)], // Favorites
  [0x1008ff32, key(0xb5, true)], // AudioMedia → VK_LAUNCH_MEDIA_SELECT
  [0x1008ff33, key(0xb6, true)], // MyComputer → VK_LAUNCH_APP1
]);
for (let n = 0; n < 24; n++) SPECIAL_KEYS.set(0xffbe + n, key(VK.F1 + n)); // F1–F24
for (let n = 0; n < 4; n++) SPECIAL_KEYS.set(0xff91 + n, key(VK.F1 + n)); // KP_F1–KP_F4
for (let d = 0; d <= 9; d++) SPECIAL_KEYS.set(0xffb0 + d, key(VK.NUMPAD0 + d)); // KP_0–KP_9

/** The virtual key of a keysym that is not a character, or undefined. */
export function specialKey(keysym: number): VirtualKey | undefined {
  return SPECIAL_KEYS.get(keysym);
}

/** A few legacy (pre-Unicode) keysyms a client may still send for characters. */
const LEGACY_CHARS = new Map<number, number>([
  [0x20ac, 0x20ac], // EuroSign
  [0xffbd, 0x3d], // KP_Equal (Windows keypads have none)
]);

/**
 * The character a keysym types (Latin-1 keysyms are their code point, Unicode keysyms are
 * 0x1000000 + the code point), or undefined for a key that is no character.
 */
export function keysymChar(keysym: number): string | undefined {
  if ((keysym >= 0x20 && keysym <= 0x7e) || (keysym >= 0xa0 && keysym <= 0xff)) {
    return String.fromCodePoint(keysym);
  }
  if (keysym >= 0x1000020 && keysym <= 0x110ffff) {
    const cp = keysym - 0x1000000;
    if (cp >= 0xd800 && cp <= 0xdfff) return undefined; // a lone surrogate is no character
    return String.fromCodePoint(cp);
  }
  const legacy = LEGACY_CHARS.get(keysym);
  return legacy === undefined ? undefined : String.fromCodePoint(legacy);
}

/**
 * Windows keyboard layout ids (the KLID, "00000407") → XKB layout names, for the layouts
 * customers commonly have. An id not listed is shown as it is.
 */
const LAYOUTS: Record<string, string> = {
  "00000409": "us",
  "00020409": "us(intl)",
  "00010409": "us(dvorak)",
  "00000809": "gb",
  "00001809": "ie",
  "00001009": "ca",
  "00011009": "ca(multix)",
  "00000407": "de",
  "00000807": "ch",
  "0000100c": "ch(fr)",
  "00000c07": "at",
  "0000040c": "fr",
  "0000080c": "be",
  "00000813": "be",
  "00000413": "nl",
  "0000040a": "es",
  "0000080a": "latam",
  "00000410": "it",
  "00000816": "pt",
  "00000416": "br",
  "00010416": "br",
  "00000406": "dk",
  "0000041d": "se",
  "00000414": "no",
  "0000040b": "fi",
  "0000040f": "is",
  "00000415": "pl",
  "00000405": "cz",
  "0000041b": "sk",
  "0000040e": "hu",
  "00000418": "ro",
  "00000424": "si",
  "0000041a": "hr",
  "00000402": "bg",
  "00000419": "ru",
  "00000422": "ua",
  "00000423": "by",
  "00000408": "gr",
  "0000041f": "tr",
  "0000040d": "il",
  "00000401": "ara",
  "00000429": "ir",
  "0000041e": "th",
  "00000411": "jp",
  "00000412": "kr",
  "00000804": "cn",
  "00000404": "tw",
  "00000439": "in",
  "00000425": "ee",
  "00000426": "lv",
  "00000427": "lt",
};

/**
 * The KLID of a keyboard layout handle (HKL), or null when it cannot be told from the handle:
 * the high word is the layout (0x04070407 → "00000407"; 0x08070409, Swiss German keys for
 * English, → "00000807") unless it is a device handle (0xF…, e.g. Dvorak), which only the
 * registry resolves.
 */
export function klidOfHkl(hkl: bigint): string | null {
  const layout = Number((hkl >> 16n) & 0xffffn);
  if (layout === 0 || (layout & 0xf000) === 0xf000) return null;
  return layout.toString(16).padStart(8, "0");
}

/** A KLID's readable name ("00000407" → "de"); an unknown one as it is. */
export function layoutName(klid: string): string {
  const id = klid.trim().toLowerCase();
  if (!/^[0-9a-f]{8}$/.test(id)) return "unknown";
  return LAYOUTS[id] ?? id.toUpperCase();
}

/**
 * `KeyboardEvent.code` → the key's set-1 scan code (what `SendInput` takes with
 * `KEYEVENTF_SCANCODE`): the position, whatever the layout prints on it. None of these keys
 * has the E0 prefix (only the navigation block, right Ctrl/Alt and such do).
 */
export const SCAN_CODES: Readonly<Record<KeyCode, number>> = {
  Backquote: 0x29,
  Digit1: 0x02,
  Digit2: 0x03,
  Digit3: 0x04,
  Digit4: 0x05,
  Digit5: 0x06,
  Digit6: 0x07,
  Digit7: 0x08,
  Digit8: 0x09,
  Digit9: 0x0a,
  Digit0: 0x0b,
  Minus: 0x0c,
  Equal: 0x0d,
  IntlYen: 0x7d,
  KeyQ: 0x10,
  KeyW: 0x11,
  KeyE: 0x12,
  KeyR: 0x13,
  KeyT: 0x14,
  KeyY: 0x15,
  KeyU: 0x16,
  KeyI: 0x17,
  KeyO: 0x18,
  KeyP: 0x19,
  BracketLeft: 0x1a,
  BracketRight: 0x1b,
  Backslash: 0x2b,
  KeyA: 0x1e,
  KeyS: 0x1f,
  KeyD: 0x20,
  KeyF: 0x21,
  KeyG: 0x22,
  KeyH: 0x23,
  KeyJ: 0x24,
  KeyK: 0x25,
  KeyL: 0x26,
  Semicolon: 0x27,
  Quote: 0x28,
  IntlBackslash: 0x56,
  KeyZ: 0x2c,
  KeyX: 0x2d,
  KeyC: 0x2e,
  KeyV: 0x2f,
  KeyB: 0x30,
  KeyN: 0x31,
  KeyM: 0x32,
  Comma: 0x33,
  Period: 0x34,
  Slash: 0x35,
  IntlRo: 0x73,
};
