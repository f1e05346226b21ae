/**
 * The X11 keyboard: XTest key presses by keysym (levels, Shift and Caps Lock, keysyms the
 * layout lacks bound to a spare keycode for a while) or by physical position (the customer's
 * layout decides: x11_key_names.ts) and the layout's name. Used by
 * `X11Desktop` (x11.ts) on its X connection.
 */
import { cell32, cell64, cString, getProperty, takeXError, X, type X11Libs } from "./x11_ffi.ts";
import { XkbKeyNames } from "./x11_key_names.ts";
import type { KeyCode } from "../../protocol/key_codes.ts";

const NO_SYMBOL = 0;
const SHIFT_L = 0xffe1;
const SHIFT_R = 0xffe2;
/** A borrowed keycode goes back to its own keysyms after this long unused. */
const RESTORE_AFTER_MS = 1000;

interface KeyMap {
  min: number;
  max: number;
  per: number;
  syms: Float64Array;
}

/**
 * XTest keyboard by keysym. The keyboard map is read afresh for every key press (a layout
 * switch takes effect at once; it is one round trip). Keysyms the map lacks, or has only
 * behind AltGr, are bound to a spare keycode as [sym, sym], so Shift cannot change them.
 * The binding is undone only after RESTORE_AFTER_MS idle: a client looks a KeyPress up in
 * the map it holds when it *processes* the event, which may already be the restored one if
 * we restored at once (xdotool's dropped-character problem).
 */
/**
 * The X server's own auto-repeat is off while a technician types: the technician's browser
 * sends its own repeats (a held key arrives as repeated presses), and a release that comes a
 * moment late over the network would otherwise have the X server repeat the key as well
 * ("controlll"). It is put back as it was when the technician's keys are released (control
 * taken back, the technician gone, the desktop closed) — x11vnc does the same while clients
 * are connected. The customer's own keyboard does not repeat meanwhile.
 */
const AUTO_REPEAT_OFFSET = 24; // XKeyboardState.global_auto_repeat (LP64)
const KEYBOARD_STATE_SIZE = 64;

export class KeyInjector {
  readonly #pressed = new Map<number, number>(); // keysym → keycode held down
  readonly #pressedAt = new Map<KeyCode, number>(); // physical key → keycode held down
  #names: XkbKeyNames | undefined;
  /** The X server's auto-repeat was on and is off while the technician types. */
  #repeatTaken = false;
  readonly #borrowed = new Map<number, { original: number[]; usedAt: number }>();
  #restoreTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly x: X11Libs,
    private readonly dpy: Deno.PointerObject,
    private readonly root: bigint,
  ) {}

  key(keysym: number, down: boolean, code?: KeyCode): void {
    if (!Number.isInteger(keysym) || keysym <= 0) throw new TypeError(`Bad keysym ${keysym}`);
    if (code !== undefined && this.#keyAt(code, down)) return;
    const sym = keysym >= 0x1000020 && keysym <= 0x10000ff ? keysym - 0x1000000 : keysym;
    if (!down) return this.#release(sym);
    this.#takeRepeat();
    const map = this.#loadMap();
    let found = findKeycode(this.x, map, sym);
    if (!found) found = { keycode: this.#borrow(map, sym), level: -1, shiftMatters: false };
    const already = this.#pressed.get(sym);
    if (already !== undefined && already !== found.keycode) this.#fake(already, false);
    this.#pressed.set(sym, found.keycode);
    this.#touch(found.keycode);
    const isChar = sym < 0xfe00 || sym >= 0x1000000; // not a function/modifier/ISO key
    if (found.level < 0 || !found.shiftMatters || !isChar) {
      this.#fake(found.keycode, true);
    } else {
      this.#pressWithLevel(map, found.keycode, found.level === 1, found.alphabetic ?? false);
    }
    this.x.x.XFlush(this.dpy);
  }

  /**
   * Presses or releases the key at `code`'s position as it is: the modifiers the technician
   * holds (sent as keys of their own) decide its level, so no Shift is added or lifted. False:
   * the keyboard has no such key (or was not pressed here), and the keysym is typed instead.
   */
  #keyAt(code: KeyCode, down: boolean): boolean {
    if (!down) {
      const keycode = this.#pressedAt.get(code);
      if (keycode === undefined) return false;
      this.#pressedAt.delete(code);
      this.#fake(keycode, false);
      this.x.x.XFlush(this.dpy);
      return true;
    }
    this.#names ??= new XkbKeyNames(this.dpy);
    const keycode = this.#names.keycodeOf(code);
    if (keycode === undefined) return false;
    this.#takeRepeat();
    this.#pressedAt.set(code, keycode);
    this.#fake(keycode, true);
    this.x.x.XFlush(this.dpy);
    return true;
  }

  /** How many times the physical keys' table was read (it is kept until the keyboard changes). */
  get keyNameLoads(): number {
    return this.#names?.loads ?? 0;
  }

  /** Releases every key the technician holds and gives the X server its auto-repeat back. */
  releaseAll(): void {
    for (const keycode of this.#pressed.values()) this.#fake(keycode, false);
    for (const keycode of this.#pressedAt.values()) this.#fake(keycode, false);
    this.#pressed.clear();
    this.#pressedAt.clear();
    if (this.#repeatTaken) {
      this.#repeatTaken = false;
      this.x.x.XAutoRepeatOn(this.dpy);
    }
    this.x.x.XFlush(this.dpy);
  }

  /** Whether the X server's auto-repeat is on now. */
  autoRepeat(): boolean {
    const state = new Uint8Array(KEYBOARD_STATE_SIZE);
    this.x.x.XGetKeyboardControl(this.dpy, state);
    return new DataView(state.buffer).getInt32(AUTO_REPEAT_OFFSET, true) !== 0;
  }

  #takeRepeat(): void {
    if (this.#repeatTaken || !this.autoRepeat()) return;
    this.#repeatTaken = true;
    this.x.x.XAutoRepeatOff(this.dpy);
  }

  close(): void {
    clearTimeout(this.#restoreTimer);
    this.#restore(true);
    this.#names?.close();
    this.#names = undefined;
  }

  #release(sym: number): void {
    let keycode = this.#pressed.get(sym);
    this.#pressed.delete(sym);
    keycode ??= findKeycode(this.x, this.#loadMap(), sym)?.keycode;
    if (keycode === undefined) return;
    this.#fake(keycode, false);
    this.#touch(keycode);
    this.x.x.XFlush(this.dpy);
  }

  /** Presses `keycode` with Shift in the state its level needs, then puts Shift back. */
  #pressWithLevel(map: KeyMap, keycode: number, shifted: boolean, alphabetic: boolean) {
    const mask = cell32();
    const { x } = this.x;
    x.XQueryPointer(
      this.dpy,
      this.root,
      cell64(),
      cell64(),
      cell32(),
      cell32(),
      cell32(),
      cell32(),
      mask,
    );
    const shiftDown = (mask[0] & X.ShiftMask) !== 0;
    const capsLock = alphabetic && (mask[0] & X.LockMask) !== 0;
    if ((shiftDown !== capsLock) === shifted) return this.#fake(keycode, true);
    if (!shiftDown) {
      const shift = findKeycode(this.x, map, SHIFT_L)?.keycode;
      if (shift !== undefined) this.#fake(shift, true);
      this.#fake(keycode, true);
      if (shift !== undefined) this.#fake(shift, false);
      return;
    }
    const held = heldKeycodes(this.x, this.dpy).filter((k) => {
      const s = map.syms[(k - map.min) * map.per];
      return s === SHIFT_L || s === SHIFT_R;
    });
    for (const k of held) this.#fake(k, false);
    this.#fake(keycode, true);
    for (const k of held) this.#fake(k, true);
  }

  #fake(keycode: number, down: boolean): void {
    this.x.tst.XTestFakeKeyEvent(this.dpy, keycode, down ? 1 : 0, 0n);
  }

  /** The keyboard map as it is now. */
  map(): KeyMap {
    return this.#loadMap();
  }

  #loadMap(): KeyMap {
    const lo = cell32(), hi = cell32(), per = cell32();
    this.x.x.XDisplayKeycodes(this.dpy, lo, hi);
    const count = hi[0] - lo[0] + 1;
    const p = this.x.x.XGetKeyboardMapping(this.dpy, lo[0], count, per);
    const syms = new Float64Array(count * per[0]);
    if (p) {
      const raw = new BigUint64Array(Deno.UnsafePointerView.getArrayBuffer(p, syms.length * 8));
      for (let i = 0; i < syms.length; i++) syms[i] = Number(raw[i]);
      this.x.x.XFree(p);
    }
    return { min: lo[0], max: hi[0], per: per[0], syms };
  }

  /** Binds `sym` to a spare (or the least recently borrowed, idle) keycode. */
  #borrow(map: KeyMap, sym: number): number {
    const idle = (k: number) => ![...this.#pressed.values()].includes(k);
    let keycode: number | undefined;
    for (let k = map.max; k >= map.min && keycode === undefined; k--) {
      const row = map.syms.subarray((k - map.min) * map.per, (k - map.min + 1) * map.per);
      if (!this.#borrowed.has(k) && row.every((s) => s === NO_SYMBOL)) keycode = k;
    }
    if (keycode === undefined) {
      const oldest = [...this.#borrowed].filter(([k]) => idle(k))
        .sort((a, b) => a[1].usedAt - b[1].usedAt)[0];
      keycode = oldest?.[0] ?? map.max; // a full map: borrow the last keycode
    }
    if (!this.#borrowed.has(keycode)) {
      const start = (keycode - map.min) * map.per;
      this.#borrowed.set(keycode, {
        original: [...map.syms.subarray(start, start + map.per)],
        usedAt: performance.now(),
      });
    }
    this.#setSyms(keycode, [sym, sym]);
    return keycode;
  }

  #setSyms(keycode: number, syms: number[]): void {
    const data = new BigUint64Array(syms.map((s) => BigInt(s)));
    this.x.x.XChangeKeyboardMapping(this.dpy, keycode, syms.length, data, 1);
  }

  #touch(keycode: number): void {
    const borrowed = this.#borrowed.get(keycode);
    if (!borrowed) return;
    borrowed.usedAt = performance.now();
    clearTimeout(this.#restoreTimer);
    this.#scheduleRestore(RESTORE_AFTER_MS + 10);
  }

  #restore(all: boolean): void {
    const now = performance.now();
    const held = new Set(this.#pressed.values());
    for (const [keycode, b] of this.#borrowed) {
      if (!all && (held.has(keycode) || now - b.usedAt < RESTORE_AFTER_MS)) continue;
      this.#setSyms(keycode, b.original);
      this.#borrowed.delete(keycode);
    }
    this.x.x.XFlush(this.dpy);
    if (this.#borrowed.size > 0 && !all) {
      this.#scheduleRestore(RESTORE_AFTER_MS);
    }
  }

  #scheduleRestore(ms: number): void {
    const timer = setTimeout(() => this.#restore(false), ms);
    Deno.unrefTimer(timer);
    this.#restoreTimer = timer;
  }
}

const CONTROL_L = 0xffe3;
const ALT_L = 0xffe9;
const DELETE = 0xffff;

/**
 * Ctrl-Alt-Del, only when something on the desktop answers it. X has no secure attention key:
 * a desktop that acts on Ctrl-Alt-Del (GNOME's, KDE's, Xfce's log-out dialog) holds a passive
 * grab on it; with none, the keys go to the focused window, and a terminal there gets
 * `ESC [ 3 ; 7 ~` — the shell shows a stray `~`. So the grab is tried first: refused
 * (BadAccess) means a client holds it and the keys go to that client; granted means nobody
 * does, and it is let go at once and nothing is typed. Returns null when pressed, else why not.
 */
export function ctrlAltDel(keys: KeyInjector, x: X11Libs, dpy: Deno.PointerObject, root: bigint) {
  const keycode = findKeycode(x, keys.map(), DELETE)?.keycode;
  if (keycode === undefined) return "this keyboard has no Delete key";
  const modifiers = X.ControlMask | X.Mod1Mask;
  x.x.XSync(dpy, 0);
  takeXError();
  x.x.XGrabKey(dpy, keycode, modifiers, root, 0, X.GrabModeAsync, X.GrabModeAsync);
  x.x.XSync(dpy, 0);
  const error = takeXError();
  if (!error) {
    x.x.XUngrabKey(dpy, keycode, modifiers, root);
    x.x.XSync(dpy, 0);
    return "nothing on this desktop answers Ctrl-Alt-Del";
  }
  if (error.code !== X.BadAccess) return `the X server refused (error ${error.code})`;
  const sequence = [CONTROL_L, ALT_L, DELETE];
  for (const k of sequence) keys.key(k, true);
  for (const k of sequence.reverse()) keys.key(k, false);
  // Processed by the server before this returns, while the grab it found still holds: the
  // grabbing client may go a moment later (x11_test.ts closed it at once, and under CI's load
  // the keys, still queued, reached the focused terminal instead).
  x.x.XSync(dpy, 0);
  return null;
}

interface KeyHit {
  keycode: number;
  /** 0 unshifted, 1 shifted, -1 either. */
  level: number;
  /** Whether Shift changes what this keycode types. */
  shiftMatters: boolean;
  /** A letter pair (Caps Lock acts like Shift on it). */
  alphabetic?: boolean;
}

/** The keycode typing `sym` on the first group's first two levels (core protocol rules). */
function findKeycode(x: X11Libs, map: KeyMap, sym: number): KeyHit | null {
  let shiftedHit: KeyHit | null = null;
  const lower = cell64(), upper = cell64();
  for (let k = map.min; k <= map.max; k++) {
    const i = (k - map.min) * map.per;
    let s0 = map.syms[i];
    let s1 = map.per > 1 ? map.syms[i + 1] : NO_SYMBOL;
    if (s0 !== sym && s1 !== sym && !(s1 === NO_SYMBOL && s0 !== NO_SYMBOL)) continue;
    x.x.XConvertCase(BigInt(s0), lower, upper);
    const lo = Number(lower[0]), up = Number(upper[0]);
    const alphabetic = lo !== up && (s1 === NO_SYMBOL || (s0 === lo && s1 === up));
    if (s1 === NO_SYMBOL) {
      if (alphabetic) [s0, s1] = [lo, up];
      else s1 = s0;
    }
    const hit = { keycode: k, shiftMatters: s0 !== s1, alphabetic };
    if (s0 === sym) return { ...hit, level: 0 };
    if (s1 === sym) shiftedHit ??= { ...hit, level: 1 };
  }
  return shiftedHit;
}

function heldKeycodes(x: X11Libs, dpy: Deno.PointerObject): number[] {
  const bits = new Uint8Array(32);
  x.x.XQueryKeymap(dpy, bits);
  const held: number[] = [];
  for (let k = 8; k < 256; k++) if (bits[k >> 3] & (1 << (k & 7))) held.push(k);
  return held;
}

/** The keyboard layout's name, e.g. "us", "de(nodeadkeys)" or "us,ru"; "unknown" if unsure. */
export function keyboardLayout(
  x: X11Libs,
  dpy: Deno.PointerObject,
  root: bigint,
  display: string,
): string {
  return layoutFromSetxkbmap(display) ?? layoutFromRulesNames(x, dpy, root) ?? "unknown";
}

/** `setxkbmap -query` → "us", "de(nodeadkeys)", "us,ru"; null when it cannot run. */
function layoutFromSetxkbmap(display: string): string | null {
  try {
    const out = new Deno.Command("setxkbmap", {
      args: ["-query", "-display", display],
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    if (!out.success) return null;
    const text = new TextDecoder().decode(out.stdout);
    const field = (name: string) => text.match(new RegExp(`^${name}:\\s*(\\S*)`, "m"))?.[1] ?? "";
    return layoutName(field("layout"), field("variant"));
  } catch {
    return null; // not installed, or no --allow-run
  }
}

/** The _XKB_RULES_NAMES root property (what setxkbmap itself reads). */
function layoutFromRulesNames(x: X11Libs, dpy: Deno.PointerObject, root: bigint): string | null {
  const atom = x.x.XInternAtom(dpy, cString("_XKB_RULES_NAMES"), 1);
  if (atom === 0n) return null;
  const bytes = getProperty(x, dpy, root, atom, false)?.data;
  if (!bytes) return null;
  const [, , layout = "", variant = ""] = new TextDecoder().decode(bytes).split("\0");
  return layoutName(layout, variant);
}

function layoutName(layouts: string, variants: string): string | null {
  if (!layouts) return null;
  const v = variants.split(",");
  return layouts.split(",").map((l, i) => (v[i] ? `${l}(${v[i]})` : l)).join(",");
}
