/**
 * The X11 desktop: MIT-SHM capture (x11_capture.ts), XFixes cursor, XTest input (keys in
 * x11_keyboard.ts) and an Xlib clipboard (x11_clipboard.ts), all through synchronous FFI
 * calls on the main thread (Xlib is not thread-safe; each call takes microseconds, so nothing
 * here uses `nonblocking`).
 */
import {
  acquireX11,
  cell32,
  cell64,
  cString,
  CURSOR_IMAGE,
  num,
  releaseX11,
  type X11Libs,
} from "./x11_ffi.ts";
import { rootSize, ScreenCapture } from "./x11_capture.ts";
import { ctrlAltDel, keyboardLayout, KeyInjector } from "./x11_keyboard.ts";
import { SelectionClipboard } from "./x11_clipboard.ts";
import { openX11Damage, type X11DamageWatcher } from "./x11_damage.ts";
import { listX11Screens } from "./x11_screens.ts";
import { X11Overlay } from "./x11_overlay.ts";
import type {
  CursorImage,
  DamageWatcher,
  Desktop,
  Frame,
  MouseButton,
  ScreenInfo,
} from "./types.ts";
import type { KeyCode } from "../../protocol/key_codes.ts";

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
  readonly #keys: KeyInjector;
  readonly #clipboard: SelectionClipboard;
  readonly #heldButtons = new Set<number>();
  readonly #watchers = new Set<X11DamageWatcher>();
  /** Overlays opened on this desktop: their laser dot is left out of its grabs. */
  readonly #overlays = new Set<X11Overlay>();
  #capture: ScreenCapture;
  #checkedGeometryAt = 0;
  #closed = false;
  /** The last image XFixes gave (see #cursorWhereItIs). */
  #lastCursor: CursorImage | null = null;

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
      this.#capture = ScreenCapture.open(x, dpy, this.#screen, this.#root);
    } catch (error) {
      x.x.XCloseDisplay(dpy);
      releaseX11();
      throw error;
    }
    this.#keys = new KeyInjector(x, dpy, this.#root);
    this.#clipboard = new SelectionClipboard(x, name);
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
      const [w, h] = rootSize(this.#x, this.#dpy, this.#root);
      if (w !== this.#capture.width || h !== this.#capture.height) this.#reopenCapture();
    }
    if (!this.#capture.grab()) {
      this.#reopenCapture(); // the screen may have shrunk under the SHM image
      if (!this.#capture.grab()) {
        throw new Error(`Screen capture failed on X display ${this.#name}`);
      }
    }
    const frame = this.#capture.frame();
    // The laser's dot stays on the customer's screen but not in the picture (laser_patch.ts).
    for (const overlay of this.#overlays) {
      if (overlay.closed) this.#overlays.delete(overlay);
      else overlay.hideLaser(frame);
    }
    return frame;
  }

  cursor(): CursorImage | null {
    this.#open();
    if (!this.#hasXFixes) return null;
    const { x, fixes } = this.#x;
    const p = fixes.XFixesGetCursorImage(this.#dpy);
    if (!p) return this.#cursorWhereItIs();
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
      const image: CursorImage = {
        x: v.getInt16(CURSOR_IMAGE.x),
        y: v.getInt16(CURSOR_IMAGE.y),
        width,
        height,
        hotX: v.getUint16(CURSOR_IMAGE.xhot),
        hotY: v.getUint16(CURSOR_IMAGE.yhot),
        pixels,
        serial: num(v.getBigUint64(CURSOR_IMAGE.serial)),
      };
      this.#lastCursor = image;
      return image;
    } finally {
      x.XFree(p);
    }
  }

  /**
   * XFixesGetCursorImage answers nothing on a connection once the client that set the current
   * cursor has exited (`xsetroot -cursor_name …`), moves or not, until another client asks
   * (Xvfb 21, reproduced with plain Xlib). The pointer then keeps its last image, at the place
   * XQueryPointer gives — a technician would otherwise see it stand still, or vanish.
   */
  #cursorWhereItIs(): CursorImage | null {
    const last = this.#lastCursor;
    if (!last) return null;
    const rootX = cell32(), rootY = cell32();
    const on = this.#x.x.XQueryPointer(
      this.#dpy,
      this.#root,
      cell64(),
      cell64(),
      rootX,
      rootY,
      cell32(),
      cell32(),
      cell32(),
    );
    if (!on) return null; // on another X screen
    return { ...last, x: rootX[0], y: rootY[0] };
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

  key(keysym: number, down: boolean, code?: KeyCode): void {
    this.#input();
    this.#keys.key(keysym, down, code);
  }

  releaseInput(): void {
    if (this.#closed || !this.#hasXTest) return;
    this.#keys.releaseAll();
    for (const n of this.#heldButtons) this.#x.tst.XTestFakeButtonEvent(this.#dpy, n, 0, 0n);
    this.#heldButtons.clear();
    this.#x.x.XFlush(this.#dpy);
  }

  ctrlAltDel(): string | null {
    this.#input();
    return ctrlAltDel(this.#keys, this.#x, this.#dpy, this.#root);
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
    return keyboardLayout(this.#x, this.#dpy, this.#root, this.#name);
  }

  screens(): ScreenInfo[] {
    this.#open();
    return listX11Screens(this.#x, this.#dpy, this.#root, this);
  }

  /**
   * The whiteboard's and laser's windows, on their own X connection (x11_overlay.ts); this
   * desktop's grabs leave its laser dot out.
   */
  overlay(): X11Overlay {
    const overlay = new X11Overlay(this.#name);
    this.#overlays.add(overlay);
    return overlay;
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
    this.#capture = ScreenCapture.open(this.#x, this.#dpy, this.#screen, this.#root);
  }
}
