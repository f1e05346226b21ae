/**
 * Physical keys on X11: a DOM `KeyboardEvent.code` → the XKB key name of that position (the
 * standard names of xkeyboard-config's keycodes files, the same on evdev and xfree86 maps) →
 * the keycode the X server gives that name now (`XkbGetMap` + `XkbGetNames`). Used by
 * `KeyInjector` (x11_keyboard.ts) when the technician types in the customer's layout.
 *
 * The name → keycode table is read once and kept: it changes only with a new keyboard
 * description, and the X server says so with an XKB NewKeyboardNotify or NamesNotify event,
 * which this connection selects. Each look-up first takes those events off Xlib's queue
 * (`XCheckTypedEvent`: a flush and a read of what has arrived, no round trip) and reloads the
 * table when there was one.
 */
import type { KeyCode } from "../../protocol/key_codes.ts";

/** `KeyboardEvent.code` → XKB key name (row letter, then the key's number in its row). */
export const XKB_KEY_NAMES: Readonly<Record<KeyCode, string>> = {
  Backquote: "TLDE",
  Digit1: "AE01",
  Digit2: "AE02",
  Digit3: "AE03",
  Digit4: "AE04",
  Digit5: "AE05",
  Digit6: "AE06",
  Digit7: "AE07",
  Digit8: "AE08",
  Digit9: "AE09",
  Digit0: "AE10",
  Minus: "AE11",
  Equal: "AE12",
  IntlYen: "AE13",
  KeyQ: "AD01",
  KeyW: "AD02",
  KeyE: "AD03",
  KeyR: "AD04",
  KeyT: "AD05",
  KeyY: "AD06",
  KeyU: "AD07",
  KeyI: "AD08",
  KeyO: "AD09",
  KeyP: "AD10",
  BracketLeft: "AD11",
  BracketRight: "AD12",
  Backslash: "BKSL",
  KeyA: "AC01",
  KeyS: "AC02",
  KeyD: "AC03",
  KeyF: "AC04",
  KeyG: "AC05",
  KeyH: "AC06",
  KeyJ: "AC07",
  KeyK: "AC08",
  KeyL: "AC09",
  Semicolon: "AC10",
  Quote: "AC11",
  IntlBackslash: "LSGT",
  KeyZ: "AB01",
  KeyX: "AB02",
  KeyC: "AB03",
  KeyV: "AB04",
  KeyB: "AB05",
  KeyN: "AB06",
  KeyM: "AB07",
  Comma: "AB08",
  Period: "AB09",
  Slash: "AB10",
  IntlRo: "AB11",
};

const XKB_SYMBOLS = {
  XkbQueryExtension: {
    parameters: ["pointer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  XkbSelectEvents: { parameters: ["pointer", "u32", "u32", "u32"], result: "i32" },
  /** (display, which, device spec) → XkbDescPtr; which = 0: only the keycode range. */
  XkbGetMap: { parameters: ["pointer", "u32", "u32"], result: "pointer" },
  /** (display, which, desc) → Status (0: Success). */
  XkbGetNames: { parameters: ["pointer", "u32", "pointer"], result: "i32" },
  XkbFreeKeyboard: { parameters: ["pointer", "u32", "i32"], result: "void" },
  XCheckTypedEvent: { parameters: ["pointer", "i32", "buffer"], result: "i32" },
} as const;

const XKB_USE_CORE_KBD = 0x100;
const XKB_KEY_NAMES_MASK = 1 << 9;
const XKB_NEW_KEYBOARD_NOTIFY_MASK = 1 << 0;
const XKB_NAMES_NOTIFY_MASK = 1 << 6;
/** XkbDescRec (LP64, checked with offsetof against Debian 12's XKBstr.h). */
const DESC_MIN_KEY_CODE = 12;
const DESC_MAX_KEY_CODE = 13;
const DESC_NAMES = 48;
/** XkbNamesRec.keys: an array of 4-byte names indexed by keycode. */
const NAMES_KEYS = 456;
const XEVENT_SIZE = 192;

export class XkbKeyNames {
  readonly #lib: Deno.DynamicLibrary<typeof XKB_SYMBOLS>;
  /** The XKB event type, or -1 when the server has no XKB (then no key has a name). */
  readonly #eventType: number;
  readonly #event = new Uint8Array(XEVENT_SIZE);
  #table: Map<string, number> | null = null;
  /** How many times the table was read (tests see the cache work). */
  loads = 0;

  constructor(private readonly dpy: Deno.PointerObject) {
    this.#lib = Deno.dlopen("libX11.so.6", XKB_SYMBOLS);
    const event = new Int32Array(1);
    const cell = () => new Int32Array(1);
    // The last two are in/out: the XKB version this code speaks (1.0), then the server's.
    const xkb = this.#lib.symbols.XkbQueryExtension(
      dpy,
      cell(),
      event,
      cell(),
      new Int32Array([1]),
      new Int32Array([0]),
    );
    this.#eventType = xkb ? event[0] : -1;
    if (xkb) {
      const mask = XKB_NEW_KEYBOARD_NOTIFY_MASK | XKB_NAMES_NOTIFY_MASK;
      this.#lib.symbols.XkbSelectEvents(dpy, XKB_USE_CORE_KBD, mask, mask);
    }
  }

  /** The keycode of `code`'s position on the keyboard now; undefined: it has no such key. */
  keycodeOf(code: KeyCode): number | undefined {
    if (this.#eventType < 0) return undefined;
    if (this.#changed()) this.#table = null;
    this.#table ??= this.#load();
    return this.#table.get(XKB_KEY_NAMES[code]);
  }

  close(): void {
    this.#lib.close();
  }

  /** Whether the keyboard's description changed since the last look (its events consumed). */
  #changed(): boolean {
    let changed = false;
    while (this.#lib.symbols.XCheckTypedEvent(this.dpy, this.#eventType, this.#event)) {
      changed = true;
    }
    return changed;
  }

  #load(): Map<string, number> {
    this.loads++;
    const table = new Map<string, number>();
    const { symbols } = this.#lib;
    const desc = symbols.XkbGetMap(this.dpy, 0, XKB_USE_CORE_KBD);
    if (!desc) return table;
    try {
      if (symbols.XkbGetNames(this.dpy, XKB_KEY_NAMES_MASK, desc) !== 0) return table;
      const view = new Deno.UnsafePointerView(desc);
      const min = view.getUint8(DESC_MIN_KEY_CODE), max = view.getUint8(DESC_MAX_KEY_CODE);
      const names = view.getPointer(DESC_NAMES);
      const keys = names && new Deno.UnsafePointerView(names).getPointer(NAMES_KEYS);
      if (!keys) return table;
      const bytes = new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(keys, (max + 1) * 4));
      for (let keycode = min; keycode <= max; keycode++) {
        const name = keyName(bytes.subarray(keycode * 4, keycode * 4 + 4));
        // The first keycode with a name wins (a broken map may repeat one).
        if (name && !table.has(name)) table.set(name, keycode);
      }
      return table;
    } finally {
      symbols.XkbFreeKeyboard(desc, 0, 1);
    }
  }
}

/** A 4-byte XKB key name, NUL-padded (not terminated when it uses all four). */
function keyName(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return String.fromCharCode(...bytes.subarray(0, end < 0 ? 4 : end));
}
