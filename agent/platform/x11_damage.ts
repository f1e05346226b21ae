/**
 * Screen-change notification for the X11 backend (the DAMAGE extension), so the agent can
 * sleep until the screen changes instead of grabbing and diffing it on a timer.
 *
 * The watcher has its own X connection: Xlib is not thread-safe and the desktop's connection
 * is used synchronously by capture and input, while waiting means blocking in libc `poll()`
 * on another thread. That poll only touches the connection's file descriptor; every Xlib
 * call stays on the main thread.
 *
 * Damage is reported at the NonEmpty level: the server sends one event when the damage goes
 * from empty to non-empty and nothing more until take() subtracts it, so a busy screen costs
 * one event per take(), not one per drawing request. A new watcher reports the whole screen
 * once (the server damages a window's visible area when a Damage is created on it), which
 * suits a caller that starts with a full frame.
 *
 * The pointer wakes it too (`pointer`): XInput 2 raw motion (x11_xinput.ts) for a move, XFixes
 * cursor notification for a new shape — the pointer is drawn apart from the screen, so its
 * damage says nothing about it, and without these the caller must ask the server where it is
 * (XFixesGetCursorImage: a round trip and a copy of the image) 30 times a second. Where either
 * is missing, `pointer` is false and the caller does just that.
 */
import {
  acquireX11,
  cell32,
  cell64,
  cString,
  num,
  releaseX11,
  takeXError,
  type X11Libs,
  XEVENT_SIZE,
} from "./x11_ffi.ts";
import { openXInput, type RawMotion, type XInputLib } from "./x11_xinput.ts";
import type { DamageWatcher, Rect } from "./types.ts";

const DAMAGE_SYMBOLS = {
  XDamageQueryExtension: { parameters: ["pointer", "buffer", "buffer"], result: "i32" },
  XDamageCreate: { parameters: ["pointer", "u64", "i32"], result: "u64" },
  XDamageSubtract: { parameters: ["pointer", "u64", "u64", "u64"], result: "void" },
  XDamageDestroy: { parameters: ["pointer", "u64"], result: "void" },
} as const satisfies Deno.ForeignLibraryInterface;

type DamageLib = Deno.DynamicLibrary<typeof DAMAGE_SYMBOLS>;

const XDamageReportNonEmpty = 3;
const XDamageNotify = 0; // added to the extension's event base
const XFixesCursorNotify = 1; // added to the extension's event base
const XFixesDisplayCursorNotifyMask = 1n;
const QueuedAlready = 0;
const QueuedAfterFlush = 2;
const POLLIN = 0x1;
const POLLNVAL = 0x20;
/** struct pollfd { int fd; short events; short revents; } — two: the X socket, the eventfd. */
const POLLFD = { size: 8, fd: 0, events: 4, revents: 6 };
/** <sys/eventfd.h> */
const EFD_NONBLOCK = 0o4000;
const EFD_CLOEXEC = 0o2000000;
/** XRectangle { short x, y; unsigned short width, height; } */
const XRECTANGLE_SIZE = 8;
/** XAnyEvent: int type at 0, unsigned long serial at 8. */
const EVENT = { type: 0, serial: 8 };
const MAX_RECTS = 64;
/**
 * Longest single poll(). It bounds how late a pending wait() notices close(), and how late it
 * sees a notification that a take() made meanwhile pulled off the socket with its reply (the
 * fd is then no longer readable, so only the queue check between slices finds it).
 */
const POLL_SLICE_MS = 50;
/** How often take() re-reads the screen size it clips to (a resolution change). */
const GEOMETRY_CHECK_MS = 1000;

/**
 * Opens a watcher on `display`, or null when this X server or system cannot report damage:
 * no libXdamage.so.1, no DAMAGE or XFIXES extension, or the display cannot be opened (the
 * caller then polls, as it would without the extension).
 */
export function openX11Damage(display: string): X11DamageWatcher | null {
  let lib: DamageLib;
  try {
    lib = Deno.dlopen("libXdamage.so.1", DAMAGE_SYMBOLS);
  } catch {
    return null;
  }
  const x = acquireX11();
  const xi = openXInput();
  const dpy = x.x.XOpenDisplay(cString(display));
  let pollfd: Deno.PointerValue = null;
  let region = 0n, damage = 0n, wakeFd = -1;
  const fail = () => {
    if (dpy) {
      if (damage) lib.symbols.XDamageDestroy(dpy, damage);
      if (region) x.fixes.XFixesDestroyRegion(dpy, region);
      x.x.XCloseDisplay(dpy);
    }
    if (pollfd) x.c.free(pollfd);
    if (wakeFd >= 0) x.c.close(wakeFd);
    xi?.close(); // after XCloseDisplay: libXi hooks into it
    releaseX11();
    lib.close();
    return null;
  };
  if (!dpy) return fail();
  const damageBase = cell32(), fixesBase = cell32();
  // Both queries also negotiate the extension's version on this connection, which the server
  // requires before it accepts any other request of that extension.
  if (!x.fixes.XFixesQueryExtension(dpy, fixesBase, cell32())) return fail();
  if (!lib.symbols.XDamageQueryExtension(dpy, damageBase, cell32())) return fail();
  // Native, not a JS buffer: poll() runs on another thread while JS goes on.
  pollfd = x.c.calloc(2n, BigInt(POLLFD.size));
  if (!pollfd) return fail();
  wakeFd = x.c.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wakeFd < 0) return fail();
  const root = BigInt(x.x.XRootWindow(dpy, x.x.XDefaultScreen(dpy)));
  takeXError();
  region = BigInt(x.fixes.XFixesCreateRegion(dpy, null, 0));
  damage = BigInt(lib.symbols.XDamageCreate(dpy, root, XDamageReportNonEmpty));
  x.x.XSync(dpy, 0);
  if (takeXError()) return fail();
  const pointer = selectPointer(x, xi, dpy, root, fixesBase[0] + XFixesCursorNotify);
  return new X11DamageWatcher(x, { damage: lib, xi }, dpy, {
    root,
    damage,
    region,
    pollfd,
    wakeFd,
    notifyType: damageBase[0] + XDamageNotify,
    pointer,
  });
}

/** What tells the watcher about the pointer on its connection (see the header). */
interface PointerEvents {
  motion: RawMotion;
  cursorNotifyType: number;
}

/** Raw motion and cursor-shape notification on `root`, or null unless both are reported. */
function selectPointer(
  x: X11Libs,
  xi: XInputLib | null,
  dpy: Deno.PointerObject,
  root: bigint,
  cursorNotifyType: number,
): PointerEvents | null {
  const motion = xi?.selectRawMotion(x, dpy, root);
  if (!motion) return null;
  x.fixes.XFixesSelectCursorInput(dpy, root, XFixesDisplayCursorNotifyMask);
  x.x.XSync(dpy, 0);
  return takeXError() ? null : { motion, cursorNotifyType };
}

/** The X11 `DamageWatcher` (see types.ts for the contract); made by `openX11Damage`. */
export class X11DamageWatcher implements DamageWatcher {
  readonly pointer: boolean;
  readonly #fd: number;
  readonly #event = new Uint8Array(XEVENT_SIZE);
  readonly #eventView = new DataView(this.#event.buffer);
  readonly #pollView: DataView;
  readonly #one = new BigUint64Array([1n]);
  readonly #counter = new BigUint64Array(1);
  #width = 0;
  #height = 0;
  #checkedGeometryAt = -Infinity;
  /** A notification was taken off the queue and no take() has collected it yet. */
  #damaged = false;
  /** Likewise a pointer move or a new cursor shape (only with `pointer`). */
  #moved = false;
  #waiting = false;
  #closed = false;
  #released = false;

  /** @internal use openX11Damage */
  constructor(
    private readonly x: X11Libs,
    private readonly libs: { damage: DamageLib; xi: XInputLib | null },
    private readonly dpy: Deno.PointerObject,
    private readonly own: {
      root: bigint;
      damage: bigint;
      region: bigint;
      /** Two native `struct pollfd`s. */
      pollfd: Deno.PointerObject;
      /** An eventfd: written to end a poll() early (a wait given up, close()). */
      wakeFd: number;
      notifyType: number;
      pointer: PointerEvents | null;
    },
  ) {
    this.pointer = own.pointer !== null;
    this.#fd = x.x.XConnectionNumber(dpy);
    this.#pollView = new DataView(
      Deno.UnsafePointerView.getArrayBuffer(own.pollfd, 2 * POLLFD.size),
    );
    this.#refreshGeometry();
  }

  /** True once close() was called. */
  get closed(): boolean {
    return this.#closed;
  }

  get moved(): boolean {
    return this.#moved;
  }

  async wait(
    timeoutMs: number,
    options: { signal?: AbortSignal; pointer?: boolean } = {},
  ): Promise<boolean> {
    if (this.#closed) return false;
    if (this.#waiting) throw new Error("DamageWatcher.wait() is already pending");
    const { signal } = options;
    if (signal?.aborted) return false;
    this.#waiting = true;
    const wake = () => this.#wake();
    signal?.addEventListener("abort", wake);
    try {
      const pointer = this.pointer && options.pointer !== false;
      return await this.#wait(performance.now() + Math.max(0, timeoutMs), pointer, signal);
    } finally {
      signal?.removeEventListener("abort", wake);
      this.#waiting = false;
      if (this.#closed) this.#release(); // close() came while poll() ran: finish it now
    }
  }

  async #wait(deadline: number, pointer: boolean, signal?: AbortSignal): Promise<boolean> {
    for (;;) {
      // The queue first: Xlib may already hold a notification it read with another call's
      // reply (take()'s fetch), and then the socket has nothing left to wake poll() with.
      // QueuedAfterFlush also reads whatever the socket has, without blocking.
      this.#drain(QueuedAfterFlush);
      if (this.#damaged || (pointer && this.#moved)) return true;
      const left = deadline - performance.now();
      if (left <= 0 || signal?.aborted) return false;
      const p = this.#pollView;
      for (const [i, fd] of [this.#fd, this.own.wakeFd].entries()) {
        p.setInt32(i * POLLFD.size + POLLFD.fd, fd, true);
        p.setInt16(i * POLLFD.size + POLLFD.events, POLLIN, true);
        p.setInt16(i * POLLFD.size + POLLFD.revents, 0, true);
      }
      await this.x.c.poll(this.own.pollfd, 2n, Math.min(POLL_SLICE_MS, Math.ceil(left)));
      // Never touch Xlib after close(): the display is gone.
      if (this.#closed) return false;
      if (p.getInt16(POLLFD.revents, true) & POLLNVAL) return false;
      // Woken on purpose: reset the eventfd, then look again (the signal, the queue).
      if (p.getInt16(POLLFD.size + POLLFD.revents, true) & POLLIN) {
        this.x.c.read(this.own.wakeFd, this.#counter, 8n);
      }
    }
  }

  /** Ends a poll() under way at once (the eventfd becomes readable). */
  #wake(): void {
    if (!this.#released) this.x.c.write(this.own.wakeFd, this.#one, 8n);
  }

  take(): Rect[] {
    if (this.#closed) return [];
    const { x, dpy } = this;
    const { damage, region } = this.own;
    if (performance.now() - this.#checkedGeometryAt > GEOMETRY_CHECK_MS) this.#refreshGeometry();
    this.#damaged = this.#moved = false;
    const subtractSerial = num(x.x.XNextRequest(dpy));
    this.libs.damage.symbols.XDamageSubtract(dpy, damage, 0n, region);
    const count = cell32();
    // A round trip: the Subtract reaches the server with it, which re-arms the NonEmpty
    // report, so no XFlush is needed afterwards.
    const rects = x.fixes.XFixesFetchRegion(dpy, region, count);
    this.#dropStale(subtractSerial);
    if (!rects) return [];
    const view = new Deno.UnsafePointerView(rects);
    const raw: Rect[] = [];
    for (let i = 0, at = 0; i < count[0]; i++, at += XRECTANGLE_SIZE) {
      raw.push({
        x: view.getInt16(at),
        y: view.getInt16(at + 2),
        width: view.getUint16(at + 4),
        height: view.getUint16(at + 6),
      });
    }
    x.x.XFree(rects);
    return clipRects(raw, this.#width, this.#height);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const { x, dpy } = this;
    this.libs.damage.symbols.XDamageDestroy(dpy, this.own.damage);
    x.fixes.XFixesDestroyRegion(dpy, this.own.region);
    // Safe while poll() runs on the fd: the kernel keeps the socket until poll() returns,
    // and wait() checks `closed` before anything else.
    x.x.XCloseDisplay(dpy);
    // The poll() in flight still uses the pollfd memory, the eventfd and libc: release after
    // it returns — which the eventfd makes at once.
    if (this.#waiting) this.#wake();
    else this.#release();
  }

  #release(): void {
    if (this.#released) return;
    this.#released = true;
    this.x.c.free(this.own.pollfd);
    this.x.c.close(this.own.wakeFd);
    this.libs.xi?.close(); // after XCloseDisplay: libXi hooks into it
    releaseX11();
    this.libs.damage.close();
  }

  /**
   * Takes every queued event off Xlib's queue, noting whether one announced damage or (with
   * `pointer`) a pointer move or a new cursor shape.
   */
  #drain(mode: number): void {
    const { x, dpy } = this;
    const pointer = this.own.pointer;
    // The core protocol also delivers a few events unselected (MappingNotify, to clients
    // without XKB): they must count as nothing.
    for (let n = x.x.XEventsQueued(dpy, mode); n > 0; n = x.x.XEventsQueued(dpy, QueuedAlready)) {
      x.x.XNextEvent(dpy, this.#event);
      const type = this.#eventView.getInt32(EVENT.type, true) & 0x7f;
      if (type === this.own.notifyType) this.#damaged = true;
      else if (
        pointer &&
        (type === pointer.cursorNotifyType || pointer.motion.isRawMotion(this.#eventView))
      ) this.#moved = true;
    }
  }

  /**
   * Drops the queued events the server sent before it processed our Subtract: they announced
   * damage this take() has just collected. Any of them is in the queue by now, since the
   * fetch's reply came after them. Later ones (serial ≥ the Subtract's) are new damage.
   */
  #dropStale(subtractSerial: number): void {
    const { x, dpy } = this;
    while (x.x.XEventsQueued(dpy, QueuedAlready) > 0) {
      x.x.XPeekEvent(dpy, this.#event);
      if (Number(this.#eventView.getBigUint64(EVENT.serial, true)) >= subtractSerial) break;
      x.x.XNextEvent(dpy, this.#event);
    }
  }

  #refreshGeometry(): void {
    const w = cell32(), h = cell32();
    const { x, dpy } = this;
    const { root } = this.own;
    x.x.XGetGeometry(dpy, root, cell64(), cell32(), cell32(), w, h, cell32(), cell32());
    this.#width = w[0];
    this.#height = h[0];
    this.#checkedGeometryAt = performance.now();
  }
}

/**
 * `rects` clipped to a `width`×`height` screen, empty ones dropped; more than 64 become their
 * bounding box (the cap `DamageWatcher.take()` promises, so callers need no such check).
 */
export function clipRects(rects: readonly Rect[], width: number, height: number): Rect[] {
  const out: Rect[] = [];
  for (const r of rects) {
    const x0 = Math.max(0, r.x), y0 = Math.max(0, r.y);
    const x1 = Math.min(width, r.x + r.width), y1 = Math.min(height, r.y + r.height);
    if (x1 > x0 && y1 > y0) out.push({ x: x0, y: y0, width: x1 - x0, height: y1 - y0 });
  }
  if (out.length <= MAX_RECTS) return out;
  let left = Infinity, top = Infinity, right = 0, bottom = 0;
  for (const r of out) {
    left = Math.min(left, r.x);
    top = Math.min(top, r.y);
    right = Math.max(right, r.x + r.width);
    bottom = Math.max(bottom, r.y + r.height);
  }
  return [{ x: left, y: top, width: right - left, height: bottom - top }];
}
