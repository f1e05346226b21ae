// Longer than most files: capture, keyboard and clipboard share one X connection's
// lifetime and are kept as three private classes here so each stays a screenful.
/**
 * The X11 desktop: MIT-SHM capture, XFixes cursor, XTest input and an Xlib clipboard, all
 * through synchronous FFI calls on the main thread (Xlib is not thread-safe; each call takes
 * microseconds, so nothing here uses `nonblocking`).
 */
import {
  acquireX11,
  cell32,
  cell64,
  cString,
  CURSOR_IMAGE,
  EV,
  num,
  releaseX11,
  SHM_INFO,
  takeXError,
  X,
  type X11Libs,
  XEVENT_SIZE,
  XIMAGE,
} from "./x11_ffi.ts";
import { openX11Damage, type X11DamageWatcher } from "./x11_damage.ts";
import type { CursorImage, DamageWatcher, Desktop, Frame, MouseButton } from "./types.ts";

const BUTTONS: Record<MouseButton, number> = { left: 1, middle: 2, right: 3 };
const MAX_WHEEL_CLICKS = 100;
/** How often grab() re-reads the root window's size (a resolution change). */
const GEOMETRY_CHECK_MS = 1000;

/** Opens the X11 desktop on `display` (default: $DISPLAY). */
export function openX11Desktop(display?: string): X11Desktop {
  return new X11Desktop(display);
}

/** The X11 implementation of `Desktop` (see types.ts for the contract of each method). */
export class X11Desktop implements Desktop {
  readonly #x: X11Libs;
  readonly #name: string;
  readonly #dpy: Deno.PointerObject;
  readonly #screen: number;
  readonly #root: bigint;
  readonly #hasXTest: boolean;
  readonly #hasXFixes: boolean;
  readonly #buttonCount: number;
  readonly #keys: _KeyInjector;
  readonly #clipboard: _SelectionClipboard;
  readonly #heldButtons = new Set<number>();
  readonly #watchers = new Set<X11DamageWatcher>();
  #capture: _Capture;
  #checkedGeometryAt = 0;
  #closed = false;

  constructor(display?: string) {
    const name = display ?? Deno.env.get("DISPLAY");
    if (!name) throw new Error("DISPLAY is not set: the X11 backend needs an X display");
    this.#name = name;
    const x = this.#x = acquireX11();
    const dpy = x.x.XOpenDisplay(cString(name));
    if (!dpy) {
      releaseX11();
      throw new Error(`Cannot open X display ${name}`);
    }
    this.#dpy = dpy;
    this.#screen = x.x.XDefaultScreen(dpy);
    this.#root = x.x.XRootWindow(dpy, this.#screen);
    const i = cell32();
    this.#hasXTest = x.tst.XTestQueryExtension(dpy, i, cell32(), cell32(), cell32()) !== 0;
    this.#hasXFixes = x.fixes.XFixesQueryExtension(dpy, i, cell32()) !== 0;
    this.#buttonCount = x.x.XGetPointerMapping(dpy, new Uint8Array(256), 256);
    try {
      this.#capture = _Capture.open(x, dpy, this.#screen, this.#root);
    } catch (error) {
      x.x.XCloseDisplay(dpy);
      releaseX11();
      throw error;
    }
    this.#keys = new _KeyInjector(x, dpy, this.#root);
    this.#clipboard = new _SelectionClipboard(x, name);
  }

  get width(): number {
    return this.#capture.width;
  }

  get height(): number {
    return this.#capture.height;
  }

  grab(): Frame {
    this.#open();
    const now = performance.now();
    if (now - this.#checkedGeometryAt > GEOMETRY_CHECK_MS) {
      this.#checkedGeometryAt = now;
      const [w, h] = _rootSize(this.#x, this.#dpy, this.#root);
      if (w !== this.#capture.width || h !== this.#capture.height) this.#reopenCapture();
    }
    if (this.#capture.grab()) return this.#capture.frame();
    this.#reopenCapture(); // the screen may have shrunk under the SHM image
    if (this.#capture.grab()) return this.#capture.frame();
    throw new Error(`Screen capture failed on X display ${this.#name}`);
  }

  cursor(): CursorImage | null {
    this.#open();
    if (!this.#hasXFixes) return null;
    const { x, fixes } = this.#x;
    const p = fixes.XFixesGetCursorImage(this.#dpy);
    if (!p) return null;
    try {
      const v = new Deno.UnsafePointerView(p);
      const width = v.getUint16(CURSOR_IMAGE.width);
      const height = v.getUint16(CURSOR_IMAGE.height);
      const pixels = new Uint32Array(width * height);
      const src = v.getPointer(CURSOR_IMAGE.pixels);
      if (src && pixels.length > 0) {
        // Each pixel is an `unsigned long` (8 bytes) holding 32-bit ARGB in its low half.
        const longs = new Uint32Array(
          Deno.UnsafePointerView.getArrayBuffer(src, pixels.length * 8),
        );
        for (let i = 0; i < pixels.length; i++) pixels[i] = longs[i * 2];
      }
      return {
        x: v.getInt16(CURSOR_IMAGE.x),
        y: v.getInt16(CURSOR_IMAGE.y),
        width,
        height,
        hotX: v.getUint16(CURSOR_IMAGE.xhot),
        hotY: v.getUint16(CURSOR_IMAGE.yhot),
        pixels,
        serial: num(v.getBigUint64(CURSOR_IMAGE.serial)),
      };
    } finally {
      x.XFree(p);
    }
  }

  pointer(x: number, y: number): void {
    this.#input();
    this.#move(x, y);
    this.#x.x.XFlush(this.#dpy);
  }

  button(button: MouseButton, down: boolean, x: number, y: number): void {
    this.#input();
    const n = BUTTONS[button];
    if (n === undefined) throw new TypeError(`Unknown mouse button ${button}`);
    this.#move(x, y);
    this.#x.tst.XTestFakeButtonEvent(this.#dpy, n, down ? 1 : 0, 0n);
    if (down) this.#heldButtons.add(n);
    else this.#heldButtons.delete(n);
    this.#x.x.XFlush(this.#dpy);
  }

  wheel(dx: number, dy: number): void {
    this.#input();
    const click = (n: number, times: number) => {
      if (n > this.#buttonCount) return; // a pointer without horizontal-wheel buttons
      const count = Math.min(MAX_WHEEL_CLICKS, Math.round(Math.abs(times)));
      for (let i = 0; i < count; i++) {
        this.#x.tst.XTestFakeButtonEvent(this.#dpy, n, 1, 0n);
        this.#x.tst.XTestFakeButtonEvent(this.#dpy, n, 0, 0n);
      }
    };
    click(dy < 0 ? 4 : 5, dy);
    click(dx < 0 ? 6 : 7, dx);
    this.#x.x.XFlush(this.#dpy);
  }

  key(keysym: number, down: boolean): void {
    this.#input();
    this.#keys.key(keysym, down);
  }

  ctrlAltDel(): void {
    const keys = [0xffe3, 0xffe9, 0xffff]; // Control_L, Alt_L, Delete
    for (const k of keys) this.key(k, true);
    for (const k of keys.reverse()) this.key(k, false);
  }

  clipboardRead(): Promise<string> {
    this.#open();
    return this.#clipboard.read();
  }

  clipboardWrite(text: string): Promise<void> {
    this.#open();
    return this.#clipboard.write(text);
  }

  keyboardLayout(): string {
    this.#open();
    return _layoutFromSetxkbmap(this.#name) ??
      _layoutFromRulesNames(this.#x, this.#dpy, this.#root) ?? "unknown";
  }

  /** A watcher on its own X connection (see x11_damage.ts); closed with this desktop. */
  damage(): DamageWatcher | null {
    this.#open();
    for (const w of this.#watchers) if (w.closed) this.#watchers.delete(w);
    const watcher = openX11Damage(this.#name);
    if (watcher) this.#watchers.add(watcher);
    return watcher;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const w of this.#watchers) w.close();
    if (this.#hasXTest) {
      // Never leave a technician's key or button stuck down on the customer's machine.
      this.#keys.releaseAll();
      for (const n of this.#heldButtons) this.#x.tst.XTestFakeButtonEvent(this.#dpy, n, 0, 0n);
    }
    this.#keys.close();
    this.#clipboard.close();
    this.#capture.close();
    this.#x.x.XCloseDisplay(this.#dpy);
    releaseX11();
  }

  #open(): void {
    if (this.#closed) throw new Error("This desktop is closed");
  }

  #input(): void {
    this.#open();
    if (!this.#hasXTest) throw new Error("The X server has no XTEST extension: input is off");
  }

  #move(x: number, y: number): void {
    const px = Math.max(0, Math.min(this.width - 1, Math.round(x)));
    const py = Math.max(0, Math.min(this.height - 1, Math.round(y)));
    this.#x.tst.XTestFakeMotionEvent(this.#dpy, this.#screen, px, py, 0n);
  }

  #reopenCapture(): void {
    this.#capture.close();
    this.#capture = _Capture.open(this.#x, this.#dpy, this.#screen, this.#root);
  }
}

function _rootSize(x: X11Libs, dpy: Deno.PointerObject, root: bigint): [number, number] {
  const w = cell32(), h = cell32();
  x.x.XGetGeometry(dpy, root, cell64(), cell32(), cell32(), w, h, cell32(), cell32());
  return [w[0], h[0]];
}

/** Writes a pointer into native memory at `offset`. */
function _pokePointer(target: Deno.PointerObject, offset: number, value: Deno.PointerValue) {
  const view = new DataView(Deno.UnsafePointerView.getArrayBuffer(target, offset + 8));
  view.setBigUint64(offset, BigInt(Deno.UnsafePointer.value(value)), true);
}

/**
 * Whole-screen capture: one MIT-SHM segment and XImage (≈0.5 ms for 1080p), the frame being a
 * view of the segment itself (no 8 MB copy: ≈1 ms saved per frame), or XGetImage into a
 * buffer when the server cannot share memory with us (a remote display). Either way a
 * frame is valid until the next grab() or close() (the segment is unmapped then).
 */
class _Capture {
  #buffer: Uint8Array;
  #shm: Uint8Array | null;

  private constructor(
    private readonly x: X11Libs,
    private readonly dpy: Deno.PointerObject,
    private readonly root: bigint,
    readonly width: number,
    readonly height: number,
    readonly stride: number,
    private readonly image: Deno.PointerObject | null,
    private readonly shminfo: Deno.PointerObject | null,
    private readonly shmaddr: Deno.PointerObject | null,
  ) {
    this.#buffer = new Uint8Array(shmaddr ? 0 : stride * height);
    this.#shm = shmaddr
      ? new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(shmaddr, stride * height))
      : null;
  }

  static open(x: X11Libs, dpy: Deno.PointerObject, screen: number, root: bigint): _Capture {
    const [width, height] = _rootSize(x, dpy, root);
    const shm = x.ext.XShmQueryExtension(dpy)
      ? _Capture.#openShm(x, dpy, screen, width, height)
      : null;
    if (shm) {
      return new _Capture(x, dpy, root, width, height, shm.stride, shm.image, shm.info, shm.addr);
    }
    return new _Capture(x, dpy, root, width, height, width * 4, null, null, null);
  }

  static #openShm(x: X11Libs, dpy: Deno.PointerObject, screen: number, w: number, h: number) {
    const { c } = x;
    // Xlib keeps this pointer (XImage.obdata) and free()s it in XDestroyImage: calloc it.
    const info = c.calloc(1n, BigInt(SHM_INFO.size));
    if (!info) throw new Error("Out of memory");
    const depth = x.x.XDefaultDepth(dpy, screen);
    const visual = x.x.XDefaultVisual(dpy, screen);
    const image = x.ext.XShmCreateImage(dpy, visual, depth, X.ZPixmap, null, info, w, h);
    if (!image) {
      c.free(info);
      return null;
    }
    const iv = new Deno.UnsafePointerView(image);
    const stride = iv.getInt32(XIMAGE.bytesPerLine);
    if (iv.getInt32(XIMAGE.bitsPerPixel) !== 32) {
      x.x.XDestroyImage(image);
      throw new Error(`Only 24/32-bit screens are supported (depth ${depth})`);
    }
    const shmid = c.shmget(X.IPC_PRIVATE, BigInt(stride * h), X.IPC_CREAT | 0o600);
    const addr = shmid < 0 ? null : c.shmat(shmid, null, 0);
    const failed = !addr || Deno.UnsafePointer.value(addr) === 0xffffffffffffffffn;
    if (failed) {
      if (shmid >= 0) c.shmctl(shmid, X.IPC_RMID, null);
      x.x.XDestroyImage(image);
      return null;
    }
    new DataView(Deno.UnsafePointerView.getArrayBuffer(info, SHM_INFO.size))
      .setInt32(SHM_INFO.shmid, shmid, true);
    _pokePointer(info, SHM_INFO.shmaddr, addr);
    _pokePointer(image, XIMAGE.data, addr);
    takeXError();
    x.ext.XShmAttach(dpy, info);
    x.x.XSync(dpy, 0);
    // Removed now, the segment is freed when both sides detach, even if we crash.
    c.shmctl(shmid, X.IPC_RMID, null);
    if (takeXError()) {
      c.shmdt(addr);
      _pokePointer(image, XIMAGE.data, null);
      x.x.XDestroyImage(image);
      return null;
    }
    return { image, info, addr, stride };
  }

  /** Captures into the buffer; false if the server refused (e.g. the screen shrank). */
  grab(): boolean {
    const { x, dpy } = this;
    if (this.image && this.#shm) {
      return Boolean(x.ext.XShmGetImage(dpy, this.root, this.image, 0, 0, X.AllPlanes));
    }
    takeXError();
    const img = x.x.XGetImage(
      dpy,
      this.root,
      0,
      0,
      this.width,
      this.height,
      X.AllPlanes,
      X.ZPixmap,
    );
    if (!img) return false;
    const v = new Deno.UnsafePointerView(img);
    const ok = v.getInt32(XIMAGE.bitsPerPixel) === 32 &&
      v.getInt32(XIMAGE.bytesPerLine) === this.stride;
    const data = v.getPointer(XIMAGE.data);
    if (ok && data) {
      this.#buffer.set(
        new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(data, this.#buffer.length)),
      );
    }
    x.x.XDestroyImage(img);
    return ok;
  }

  frame(): Frame {
    const data = this.#shm ?? this.#buffer;
    return { width: this.width, height: this.height, stride: this.stride, data };
  }

  close(): void {
    const { x, dpy, image, shminfo, shmaddr } = this;
    if (!image || !shminfo || !shmaddr) return;
    x.ext.XShmDetach(dpy, shminfo);
    x.x.XSync(dpy, 0);
    this.#shm = null;
    x.c.shmdt(shmaddr);
    _pokePointer(image, XIMAGE.data, null); // not malloc'd: XDestroyImage must not free it
    x.x.XDestroyImage(image); // also frees shminfo (obdata)
  }
}

const NO_SYMBOL = 0;
const SHIFT_L = 0xffe1;
const SHIFT_R = 0xffe2;
/** A borrowed keycode goes back to its own keysyms after this long unused. */
const RESTORE_AFTER_MS = 1000;

interface _KeyMap {
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
class _KeyInjector {
  readonly #pressed = new Map<number, number>(); // keysym → keycode held down
  readonly #borrowed = new Map<number, { original: number[]; usedAt: number }>();
  #restoreTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly x: X11Libs,
    private readonly dpy: Deno.PointerObject,
    private readonly root: bigint,
  ) {}

  key(keysym: number, down: boolean): void {
    if (!Number.isInteger(keysym) || keysym <= 0) throw new TypeError(`Bad keysym ${keysym}`);
    const sym = keysym >= 0x1000020 && keysym <= 0x10000ff ? keysym - 0x1000000 : keysym;
    if (!down) return this.#release(sym);
    const map = this.#loadMap();
    let found = _findKeycode(this.x, map, sym);
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

  releaseAll(): void {
    for (const keycode of this.#pressed.values()) this.#fake(keycode, false);
    this.#pressed.clear();
    this.x.x.XFlush(this.dpy);
  }

  close(): void {
    clearTimeout(this.#restoreTimer);
    this.#restore(true);
  }

  #release(sym: number): void {
    let keycode = this.#pressed.get(sym);
    this.#pressed.delete(sym);
    keycode ??= _findKeycode(this.x, this.#loadMap(), sym)?.keycode;
    if (keycode === undefined) return;
    this.#fake(keycode, false);
    this.#touch(keycode);
    this.x.x.XFlush(this.dpy);
  }

  /** Presses `keycode` with Shift in the state its level needs, then puts Shift back. */
  #pressWithLevel(map: _KeyMap, keycode: number, shifted: boolean, alphabetic: boolean) {
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
      const shift = _findKeycode(this.x, map, SHIFT_L)?.keycode;
      if (shift !== undefined) this.#fake(shift, true);
      this.#fake(keycode, true);
      if (shift !== undefined) this.#fake(shift, false);
      return;
    }
    const held = _heldKeycodes(this.x, this.dpy).filter((k) => {
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

  #loadMap(): _KeyMap {
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
  #borrow(map: _KeyMap, sym: number): number {
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

interface _KeyHit {
  keycode: number;
  /** 0 unshifted, 1 shifted, -1 either. */
  level: number;
  /** Whether Shift changes what this keycode types. */
  shiftMatters: boolean;
  /** A letter pair (Caps Lock acts like Shift on it). */
  alphabetic?: boolean;
}

/** The keycode typing `sym` on the first group's first two levels (core protocol rules). */
function _findKeycode(x: X11Libs, map: _KeyMap, sym: number): _KeyHit | null {
  let shiftedHit: _KeyHit | null = null;
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

function _heldKeycodes(x: X11Libs, dpy: Deno.PointerObject): number[] {
  const bits = new Uint8Array(32);
  x.x.XQueryKeymap(dpy, bits);
  const held: number[] = [];
  for (let k = 8; k < 256; k++) if (bits[k >> 3] & (1 << (k & 7))) held.push(k);
  return held;
}

/** `setxkbmap -query` → "us", "de(nodeadkeys)", "us,ru"; null when it cannot run. */
function _layoutFromSetxkbmap(display: string): string | null {
  try {
    const out = new Deno.Command("setxkbmap", {
      args: ["-query", "-display", display],
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    if (!out.success) return null;
    const text = new TextDecoder().decode(out.stdout);
    const field = (name: string) => text.match(new RegExp(`^${name}:\\s*(\\S*)`, "m"))?.[1] ?? "";
    return _layoutName(field("layout"), field("variant"));
  } catch {
    return null; // not installed, or no --allow-run
  }
}

/** The _XKB_RULES_NAMES root property (what setxkbmap itself reads). */
function _layoutFromRulesNames(x: X11Libs, dpy: Deno.PointerObject, root: bigint): string | null {
  const atom = x.x.XInternAtom(dpy, cString("_XKB_RULES_NAMES"), 1);
  if (atom === 0n) return null;
  const bytes = _getProperty(x, dpy, root, atom, false)?.data;
  if (!bytes) return null;
  const [, , layout = "", variant = ""] = new TextDecoder().decode(bytes).split("\0");
  return _layoutName(layout, variant);
}

function _layoutName(layouts: string, variants: string): string | null {
  if (!layouts) return null;
  const v = variants.split(",");
  return layouts.split(",").map((l, i) => (v[i] ? `${l}(${v[i]})` : l)).join(",");
}

function _latin1(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return text;
}

/** One window property: its type atom and bytes (format-32 items come back as longs). */
function _getProperty(
  x: X11Libs,
  dpy: Deno.PointerObject,
  window: bigint,
  property: bigint,
  remove: boolean,
): { type: bigint; format: number; data: Uint8Array } | null {
  const type = cell64(), format = cell32(), items = cell64(), after = cell64(), out = cell64();
  const status = x.x.XGetWindowProperty(
    dpy,
    window,
    property,
    0n,
    1n << 28n,
    remove ? 1 : 0,
    X.AnyPropertyType,
    type,
    format,
    items,
    after,
    out,
  );
  const p = Deno.UnsafePointer.create(out[0]);
  if (status !== 0 || type[0] === 0n) {
    if (p) x.x.XFree(p);
    return null;
  }
  const unit = format[0] === 32 ? 8 : format[0] / 8;
  const length = Number(items[0]) * unit;
  const data = new Uint8Array(length);
  if (p && length > 0) data.set(new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(p, length)));
  if (p) x.x.XFree(p);
  return { type: type[0], format: format[0], data };
}

/** How often the clipboard answers other programs while it owns the selection. */
const SERVE_POLL_MS = 20;
const CONVERT_TIMEOUT_MS = 2000;
const MAX_CLIPBOARD_BYTES = 64 * 1024 * 1024;
const ATOM_NAMES = {
  CLIPBOARD: "CLIPBOARD",
  UTF8_STRING: "UTF8_STRING",
  TARGETS: "TARGETS",
  TEXT: "TEXT",
  INCR: "INCR",
  TEXT_PLAIN: "text/plain;charset=utf-8",
  PROP: "DENO_AGENT_CLIPBOARD",
} as const;
type _Atoms = Record<keyof typeof ATOM_NAMES, bigint>;

/**
 * The CLIPBOARD selection in pure Xlib, on its own Display connection and 1×1 window so its
 * events never mix with the desktop's. Reading converts to UTF8_STRING (then STRING) and
 * accepts INCR transfers; owning it answers TARGETS, UTF8_STRING, text/plain;charset=utf-8,
 * TEXT and STRING from an unref'd timer pump. Chosen over `xclip` children: no extra
 * program or --allow-run on the customer's machine and no background process to reap.
 */
class _SelectionClipboard {
  #dpy: Deno.PointerObject | null = null;
  #win = 0n;
  #atoms: _Atoms | null = null;
  #maxBytes = 0;
  #text: string | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #notify: { property: bigint } | null = null;
  #newValues = 0;
  #closed = false;
  readonly #event = new Uint8Array(XEVENT_SIZE);

  constructor(private readonly x: X11Libs, private readonly display: string) {}

  read(): Promise<string> {
    return this.#serially(() => this.#read());
  }

  write(text: string): Promise<void> {
    return this.#serially(() => Promise.resolve(this.#write(text)));
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    if (!this.#dpy) return;
    this.x.x.XDestroyWindow(this.#dpy, this.#win);
    this.x.x.XCloseDisplay(this.#dpy);
    this.#dpy = null;
  }

  #serially<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => {});
    return run;
  }

  #connect(): { dpy: Deno.PointerObject; a: _Atoms } {
    if (this.#closed) throw new Error("This desktop is closed");
    if (this.#dpy && this.#atoms) return { dpy: this.#dpy, a: this.#atoms };
    const { x } = this.x;
    const dpy = x.XOpenDisplay(cString(this.display));
    if (!dpy) throw new Error(`Cannot open X display ${this.display} for the clipboard`);
    const root = x.XRootWindow(dpy, x.XDefaultScreen(dpy));
    this.#win = x.XCreateSimpleWindow(dpy, root, 0, 0, 1, 1, 0, 0n, 0n);
    x.XSelectInput(dpy, this.#win, BigInt(X.PropertyChangeMask));
    const a = Object.fromEntries(
      Object.entries(ATOM_NAMES).map(([k, name]) => [k, x.XInternAtom(dpy, cString(name), 0)]),
    ) as _Atoms;
    const units = num(x.XExtendedMaxRequestSize(dpy)) || num(x.XMaxRequestSize(dpy));
    this.#maxBytes = (units - 64) * 4;
    this.#dpy = dpy;
    this.#atoms = a;
    return { dpy, a };
  }

  async #read(): Promise<string> {
    const { dpy, a } = this.#connect();
    this.#pump();
    const owner = this.x.x.XGetSelectionOwner(dpy, a.CLIPBOARD);
    if (owner === 0n) return "";
    if (owner === this.#win && this.#text !== null) return this.#text;
    const utf8 = await this.#convert(a.UTF8_STRING);
    if (utf8) return new TextDecoder().decode(utf8);
    const latin1 = await this.#convert(X.XA_STRING);
    return latin1 ? _latin1(latin1) : "";
  }

  #write(text: string): void {
    const { dpy, a } = this.#connect();
    this.#text = text;
    this.x.x.XSetSelectionOwner(dpy, a.CLIPBOARD, this.#win, 0n);
    if (this.x.x.XGetSelectionOwner(dpy, a.CLIPBOARD) !== this.#win) {
      this.#text = null;
      throw new Error("Could not take the clipboard");
    }
    if (this.#timer === undefined) {
      const timer = setInterval(() => this.#pump(), SERVE_POLL_MS);
      Deno.unrefTimer(timer);
      this.#timer = timer;
    }
  }

  /** Asks the owner for `target`; the bytes, or null if refused or too slow. */
  async #convert(target: bigint): Promise<Uint8Array | null> {
    const { dpy, a } = this.#connect();
    const { x } = this.x;
    x.XDeleteProperty(dpy, this.#win, a.PROP);
    this.#notify = null;
    x.XConvertSelection(dpy, a.CLIPBOARD, target, a.PROP, this.#win, 0n);
    x.XFlush(dpy);
    const note = await this.#until(() => this.#notify);
    if (!note || note.property === 0n) return null;
    const first = _getProperty(this.x, dpy, this.#win, a.PROP, true);
    if (!first || first.type !== a.INCR) return first?.data ?? null;
    // INCR: each time we delete the property the owner writes the next chunk; empty ends it.
    this.#newValues = 0;
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      if (!await this.#until(() => this.#newValues > 0 || null)) return null;
      this.#newValues = 0;
      const chunk = _getProperty(this.x, dpy, this.#win, a.PROP, true)?.data;
      if (!chunk || chunk.length === 0) break;
      chunks.push(chunk);
      total += chunk.length;
      if (total > MAX_CLIPBOARD_BYTES) return null;
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) out.set(c, (at += c.length) - c.length);
    return out;
  }

  async #until<T>(probe: () => T | null): Promise<T | null> {
    const end = performance.now() + CONVERT_TIMEOUT_MS;
    for (;;) {
      if (this.#closed) throw new Error("This desktop is closed");
      this.#pump();
      const value = probe();
      if (value) return value;
      if (performance.now() > end) return null;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  #pump(): void {
    const dpy = this.#dpy, a = this.#atoms;
    if (!dpy || !a || this.#closed) return;
    const ev = new DataView(this.#event.buffer);
    const u64 = (offset: number) => ev.getBigUint64(offset, true);
    while (this.x.x.XPending(dpy) > 0) {
      this.x.x.XNextEvent(dpy, this.#event);
      switch (ev.getInt32(EV.type, true)) {
        case X.SelectionRequest:
          this.#serve(dpy, a, ev);
          break;
        case X.SelectionClear:
          if (u64(EV.clrSelection) === a.CLIPBOARD) {
            this.#text = null; // another program owns the clipboard now
            clearInterval(this.#timer);
            this.#timer = undefined;
          }
          break;
        case X.SelectionNotify:
          if (u64(EV.notRequestor) === this.#win) this.#notify = { property: u64(EV.notProperty) };
          break;
        case X.PropertyNotify:
          if (
            u64(EV.propWindow) === this.#win && u64(EV.propAtom) === a.PROP &&
            ev.getInt32(EV.propState, true) === X.PropertyNewValue
          ) this.#newValues++;
          break;
      }
    }
  }

  #serve(dpy: Deno.PointerObject, a: _Atoms, request: DataView): void {
    const u64 = (offset: number) => request.getBigUint64(offset, true);
    const requestor = u64(EV.reqRequestor), selection = u64(EV.reqSelection);
    const target = u64(EV.reqTarget);
    const property = u64(EV.reqProperty) || target; // obsolete clients send None
    const ok = selection === a.CLIPBOARD && this.#text !== null &&
      this.#answer(dpy, a, requestor, property, target, this.#text);
    const reply = new DataView(new ArrayBuffer(XEVENT_SIZE));
    reply.setInt32(EV.type, X.SelectionNotify, true);
    reply.setInt32(16, 1, true); // send_event
    reply.setBigUint64(EV.notRequestor, requestor, true);
    reply.setBigUint64(EV.notSelection, selection, true);
    reply.setBigUint64(EV.notTarget, target, true);
    reply.setBigUint64(EV.notProperty, ok ? property : 0n, true);
    reply.setBigUint64(EV.notTime, request.getBigUint64(EV.reqTime, true), true);
    this.x.x.XSendEvent(dpy, requestor, 0, 0n, new Uint8Array(reply.buffer));
    this.x.x.XFlush(dpy);
  }

  #answer(
    dpy: Deno.PointerObject,
    a: _Atoms,
    requestor: bigint,
    property: bigint,
    target: bigint,
    text: string,
  ): boolean {
    const { x } = this.x;
    if (target === a.TARGETS) {
      const list = [a.TARGETS, a.UTF8_STRING, a.TEXT_PLAIN, a.TEXT, X.XA_STRING];
      const longs = new BigUint64Array(list); // format 32 = C longs
      const bytes = new Uint8Array(longs.buffer);
      x.XChangeProperty(
        dpy,
        requestor,
        property,
        X.XA_ATOM,
        32,
        X.PropModeReplace,
        bytes,
        list.length,
      );
      return true;
    }
    let bytes: Uint8Array<ArrayBuffer>;
    let type = target;
    if (target === a.UTF8_STRING || target === a.TEXT_PLAIN || target === a.TEXT) {
      bytes = new TextEncoder().encode(text);
      if (target === a.TEXT) type = a.UTF8_STRING;
    } else if (target === X.XA_STRING) {
      bytes = Uint8Array.from(
        text,
        (ch) => (ch.codePointAt(0)! <= 0xff ? ch.codePointAt(0)! : 0x3f),
      );
    } else {
      return false;
    }
    // Larger than one request would need INCR serving; the protocol caps text far below.
    if (bytes.length > this.#maxBytes) return false;
    x.XChangeProperty(dpy, requestor, property, type, 8, X.PropModeReplace, bytes, bytes.length);
    return true;
  }
}
