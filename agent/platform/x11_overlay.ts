// Over 400 lines on purpose: one X connection's overlay — the board, its shape mask, the laser and the watch that keeps them on top share the display and the window ids.
/**
 * The technician's whiteboard and laser pointer on an X11 screen (SPEC R4), without a
 * compositor (Xvfb and many plain desktops have none, so no transparent window can be had):
 *
 * - The drawings are one override-redirect window over the whole screen whose *bounding shape*
 *   (XShape) is exactly the strokes: each piece of a line is drawn into a small 1-bit pixmap and
 *   added to the shape (ShapeUnion), so everything but the strokes is the desktop itself. The
 *   window's background is a full-screen pixmap the strokes are drawn into in their colours: the
 *   X server repaints any part from it (shape changes, a window moved away) with no help from us.
 * - The laser is a small round window (a circular bounding shape) moved with XMoveWindow.
 * - Both have an empty *input* shape: every click and key goes to the windows below.
 *
 * They are real windows on the screen, so the agent's own capture (root window, XShm) and its
 * damage watch see them like any other drawing: the technician sees them in the picture.
 *
 * Compositors paint these windows like any other; xcompmgr needs a nudge after every shape
 * change (`#reshaped`).
 *
 * They stay on top and full-size: the root's structure events (a window mapped, raised or
 * circulated above them; the root resized by RandR) are read every `WATCH_MS` on the overlay's
 * own connection, and the overlay is raised again (no focus taken: override-redirect windows
 * with an empty input shape) or grown to the new screen, the strokes kept.
 */
import { LASER_COLOR, LASER_DIAMETER } from "../../protocol/limits.ts";
import type { Overlay, OverlayPiece } from "./types.ts";
import { coversScreen, CoverWatch } from "./overlay_cover.ts";
import { LaserTrail, type Patch, type PatchFrame } from "./laser_patch.ts";
import {
  acquireX11,
  cell32,
  cell64,
  cString,
  num,
  releaseX11,
  takeXError,
  X,
  type X11Libs,
  XEVENT_SIZE,
  XIMAGE,
} from "./x11_ffi.ts";

const DRAW_SYMBOLS = {
  XDisplayWidth: { parameters: ["pointer", "i32"], result: "i32" },
  XDisplayHeight: { parameters: ["pointer", "i32"], result: "i32" },
  XCreateWindow: {
    parameters: [
      "pointer",
      "u64",
      "i32",
      "i32",
      "u32",
      "u32",
      "u32",
      "i32",
      "u32",
      "pointer",
      "u64",
      "buffer",
    ],
    result: "u64",
  },
  XCreatePixmap: { parameters: ["pointer", "u64", "u32", "u32", "u32"], result: "u64" },
  XFreePixmap: { parameters: ["pointer", "u64"], result: "i32" },
  XCreateGC: { parameters: ["pointer", "u64", "u64", "pointer"], result: "pointer" },
  XFreeGC: { parameters: ["pointer", "pointer"], result: "i32" },
  XSetForeground: { parameters: ["pointer", "pointer", "u64"], result: "i32" },
  XSetLineAttributes: {
    parameters: ["pointer", "pointer", "u32", "i32", "i32", "i32"],
    result: "i32",
  },
  XDrawLines: { parameters: ["pointer", "u64", "pointer", "buffer", "i32", "i32"], result: "i32" },
  XFillRectangle: {
    parameters: ["pointer", "u64", "pointer", "i32", "i32", "u32", "u32"],
    result: "i32",
  },
  XFillArc: {
    parameters: ["pointer", "u64", "pointer", "i32", "i32", "u32", "u32", "i32", "i32"],
    result: "i32",
  },
  XSetWindowBackgroundPixmap: { parameters: ["pointer", "u64", "u64"], result: "i32" },
  XClearArea: {
    parameters: ["pointer", "u64", "i32", "i32", "u32", "u32", "i32"],
    result: "i32",
  },
  XMapRaised: { parameters: ["pointer", "u64"], result: "i32" },
  XUnmapWindow: { parameters: ["pointer", "u64"], result: "i32" },
  XMoveWindow: { parameters: ["pointer", "u64", "i32", "i32"], result: "i32" },
  XRaiseWindow: { parameters: ["pointer", "u64"], result: "i32" },
  XResizeWindow: { parameters: ["pointer", "u64", "u32", "u32"], result: "i32" },
  XCopyArea: {
    parameters: ["pointer", "u64", "u64", "pointer", "i32", "i32", "u32", "u32", "i32", "i32"],
    result: "i32",
  },
  XStoreName: { parameters: ["pointer", "u64", "buffer"], result: "i32" },
  XQueryTree: {
    parameters: ["pointer", "u64", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
} as const;

const SHAPE_SYMBOLS = {
  XShapeQueryExtension: { parameters: ["pointer", "buffer", "buffer"], result: "i32" },
  XShapeCombineMask: {
    parameters: ["pointer", "u64", "i32", "i32", "i32", "u64", "i32"],
    result: "void",
  },
  XShapeCombineRectangles: {
    parameters: ["pointer", "u64", "i32", "i32", "i32", "pointer", "i32", "i32", "i32"],
    result: "void",
  },
} as const;

const SHAPE_BOUNDING = 0;
const SHAPE_INPUT = 2;
const SHAPE_SET = 0;
const SHAPE_UNION = 1;
const INPUT_OUTPUT = 1;
const CW_BACK_PIXEL = 1n << 1n;
const CW_OVERRIDE_REDIRECT = 1n << 9n;
/** `XSetWindowAttributes` (x86_64): 112 bytes; background_pixel at 8, override_redirect at 88. */
const ATTRIBUTES_SIZE = 112;
const CAP_ROUND = 2;
const JOIN_ROUND = 2;
/** The laser dot's diameter in screen pixels, and its colour (protocol/limits.ts). */
export const LASER_SIZE = LASER_DIAMETER;
const LASER_RGB = parseInt(LASER_COLOR.slice(1), 16);
/** How often the root's structure events are read (at most one re-raise per look). */
const WATCH_MS = 50;
const STRUCTURE_NOTIFY_MASK = 1n << 17n;
const SUBSTRUCTURE_NOTIFY_MASK = 1n << 19n;
const DESTROY_NOTIFY = 17;
const UNMAP_NOTIFY = 18;
const MAP_NOTIFY = 19;
const CONFIGURE_NOTIFY = 22;
const CIRCULATE_NOTIFY = 26;
const PLACE_ON_TOP = 0;
/**
 * XEvent offsets (x86_64): the event's window at 40; ConfigureNotify's size and sibling;
 * MapNotify's override_redirect.
 */
const EVENT = { type: 0, window: 40, place: 48, width: 56, height: 60, above: 72, override: 48 };

/** The customer's screen's overlay for the whiteboard and the laser (X11). */
export class X11Overlay implements Overlay {
  readonly #x: X11Libs;
  readonly #draw: Deno.DynamicLibrary<typeof DRAW_SYMBOLS>;
  readonly #shape: Deno.DynamicLibrary<typeof SHAPE_SYMBOLS>;
  readonly #dpy: Deno.PointerObject;
  readonly #root: bigint;
  readonly #event = new Uint8Array(XEVENT_SIZE);
  readonly #watch: ReturnType<typeof setInterval>;
  #width: number;
  #height: number;
  #board = 0n;
  #paper = 0n;
  #paperGc: Deno.PointerValue = null;
  #maskGc: Deno.PointerValue = null;
  #laser = 0n;
  #laserShown = false;
  /** The laser's top-left corner now, and what the screen had under its square (laser_patch.ts). */
  #laserAt: { x: number; y: number } | null = null;
  /**
   * What the screen had under its square, and under the squares it left lately, hidden too: a
   * compositor may paint a move frames later than the server made it, so a grab can still show
   * the dot where it was.
   */
  #trail = new LaserTrail(LASER_RGB);
  /** A 1×1 window never mapped, moved to tell a compositor that clips changed (#reshaped). */
  #nudge = 0n;
  #nudged = false;
  #closed = false;
  /** A lock screen (or the like) is mapped over the screen: the drawings are hidden. */
  readonly #cover = new CoverWatch();

  /** Opens its own connection to `display` (default $DISPLAY); throws without XShape. */
  constructor(display?: string) {
    this.#x = acquireX11();
    this.#draw = Deno.dlopen("libX11.so.6", DRAW_SYMBOLS);
    this.#shape = Deno.dlopen("libXext.so.6", SHAPE_SYMBOLS);
    const dpy = this.#x.x.XOpenDisplay(display ? cString(display) : null);
    if (!dpy) {
      this.#release();
      throw new Error(`cannot open X display ${display ?? "$DISPLAY"} for the whiteboard`);
    }
    this.#dpy = dpy;
    if (!this.#shape.symbols.XShapeQueryExtension(dpy, new Int32Array(1), new Int32Array(1))) {
      this.#x.x.XCloseDisplay(dpy);
      this.#release();
      throw new Error("the X server has no SHAPE extension: the whiteboard cannot be shown");
    }
    const screen = this.#x.x.XDefaultScreen(dpy);
    this.#root = BigInt(num(this.#x.x.XRootWindow(dpy, screen)));
    this.#width = this.#draw.symbols.XDisplayWidth(dpy, screen);
    this.#height = this.#draw.symbols.XDisplayHeight(dpy, screen);
    // Structure: the root's own size (RandR); substructure: its children mapped and restacked.
    this.#x.x.XSelectInput(dpy, this.#root, STRUCTURE_NOTIFY_MASK | SUBSTRUCTURE_NOTIFY_MASK);
    this.#x.x.XFlush(dpy);
    const watch = setInterval(() => this.#look(), WATCH_MS);
    Deno.unrefTimer(watch);
    this.#watch = watch;
  }

  /** The screen's size the overlay covers (the root window's, followed through RandR). */
  get width(): number {
    return this.#width;
  }

  get height(): number {
    return this.#height;
  }

  /** Draws one piece of a line through `points` (x, y pairs, desktop pixels). */
  stroke(points: readonly number[], rgb: number, width: number): void {
    if (this.#closed || points.length < 2) return;
    this.#ensureBoard();
    const d = this.#draw.symbols;
    const dpy = this.#dpy;
    const pts = _dotted(points);
    const margin = Math.ceil(width / 2) + 1;
    let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
    for (let i = 0; i < pts.length; i += 2) {
      minX = Math.min(minX, pts[i]);
      maxX = Math.max(maxX, pts[i]);
      minY = Math.min(minY, pts[i + 1]);
      maxY = Math.max(maxY, pts[i + 1]);
    }
    const bx = minX - margin, by = minY - margin;
    const bw = maxX - minX + 2 * margin, bh = maxY - minY + 2 * margin;
    // The colour, on the window's background: what shows where the shape lets it.
    this.#paint(pts, rgb, width);
    // The same line into a 1-bit mask of its box, added to the window's shape.
    const mask = this.#mask(bw, bh);
    this.#maskLine(mask, pts, width, bx, by);
    this.#shape.symbols.XShapeCombineMask(
      dpy,
      this.#board,
      SHAPE_BOUNDING,
      bx,
      by,
      mask,
      SHAPE_UNION,
    );
    d.XFreePixmap(dpy, mask);
    // Where strokes already showed, the new colour is painted from the background now.
    d.XClearArea(dpy, this.#board, bx, by, bw, bh, 0);
    this.#reshaped();
    this.#raise();
    this.#x.x.XFlush(dpy);
  }

  /**
   * Every drawing replaced by `pieces` in one step for whoever looks (Undo). The pieces are
   * painted again on the background and shown from it while the old shape still holds them (a
   * colour a taken line had laid over one that stays is put back), then the shape becomes
   * exactly theirs with one request — a full-screen mask set at once. A capture in between sees
   * the old drawing or the new, never the board empty or half drawn again (clearing and
   * stroking each line again did show that: x11_overlay_undo_test.ts).
   */
  redraw(pieces: readonly OverlayPiece[]): void {
    if (this.#closed) return;
    if (pieces.length === 0) return this.clear();
    this.#ensureBoard();
    const d = this.#draw.symbols;
    const dpy = this.#dpy;
    for (const piece of pieces) this.#paint(_dotted(piece.points), piece.rgb, piece.width);
    d.XClearArea(dpy, this.#board, 0, 0, 0, 0, 0); // 0 × 0: the whole window
    const mask = this.#mask(this.#width, this.#height);
    for (const piece of pieces) this.#maskLine(mask, _dotted(piece.points), piece.width, 0, 0);
    this.#shape.symbols.XShapeCombineMask(dpy, this.#board, SHAPE_BOUNDING, 0, 0, mask, SHAPE_SET);
    d.XFreePixmap(dpy, mask);
    this.#reshaped();
    this.#raise();
    this.#x.x.XFlush(dpy);
  }

  /** Erases every drawing (the window's shape is empty again: nothing of it shows). */
  clear(): void {
    if (this.#closed || !this.#board) return;
    this.#emptyShape(this.#board, SHAPE_BOUNDING);
    this.#reshaped();
    this.#x.x.XFlush(this.#dpy);
  }

  /**
   * After the board's shape changed: a ConfigureNotify a compositor hears. xcompmgr 1.1.8 does
   * not follow ShapeNotify: it clips each window to the shape it read when it painted it
   * first, and reads all shapes again only after a window is configured, mapped or unmapped
   * (its `clipChanged`) — it showed the first stroke only and kept a cleared one. A move of
   * the board to where it is sends no event, a real move would shift the drawings; so a 1×1
   * window that is never mapped steps between x 0 and 1: nothing on the screen changes, no
   * damage, and xcompmgr paints the new shape (x11_overlay_xcompmgr_test.ts). picom follows
   * shapes itself; without a compositor the move costs one request.
   */
  #reshaped() {
    if (!this.#nudge) this.#nudge = this.#window(this.#root, 0, 0, 1, 1, 0);
    this.#nudged = !this.#nudged;
    this.#draw.symbols.XMoveWindow(this.#dpy, this.#nudge, this.#nudged ? 1 : 0, 0);
  }

  /** The laser's dot is left in the grabs (`laserInPicture`). */
  #inPicture = false;

  /** The laser's dot centred on (x, y), or hidden (null). */
  laser(at: { x: number; y: number } | null): void {
    if (this.#closed) return;
    const d = this.#draw.symbols;
    if (!at) {
      if (this.#laserShown && !this.#cover.covered) d.XUnmapWindow(this.#dpy, this.#laser);
      this.#laserShown = false;
      this.#laserAt = null;
      this.#trail.clear();
      this.#x.x.XFlush(this.#dpy);
      return;
    }
    if (!this.#laser) this.#laser = this.#makeLaser();
    const half = LASER_SIZE / 2;
    const to = { x: Math.round(at.x - half), y: Math.round(at.y - half) };
    if (this.#laserShown && this.#laserAt?.x === to.x && this.#laserAt.y === to.y) return;
    // What the dot will cover, read before it goes there (where the old dot lies: its patch).
    if (!this.#laserShown || this.#cover.covered) this.#trail.clear();
    this.#trail.moveTo(this.#cover.covered ? null : this.#readUnder(to));
    d.XMoveWindow(this.#dpy, this.#laser, to.x, to.y);
    if (!this.#laserShown && !this.#cover.covered) d.XMapRaised(this.#dpy, this.#laser);
    this.#laserShown = true;
    this.#laserAt = to;
    // Done by the server before any later grab: the patch and the dot's place agree.
    this.#x.x.XSync(this.#dpy, 0);
  }

  /**
   * The laser's dot taken out of a frame grabbed from this screen (laser_patch.ts): the
   * technician's window shows its own dot at the pointer, the customer's screen keeps this one.
   */
  hideLaser(frame: PatchFrame): void {
    if (this.#closed || !this.#laserShown || this.#cover.covered || this.#inPicture) return;
    this.#trail.hide(frame);
  }

  /**
   * While on, `hideLaser` leaves the dot in the frames (a recorded picture). The screen under
   * the dot is still read at each move, so the patches are ready when it goes off again.
   */
  laserInPicture(on: boolean): void {
    this.#inPicture = on;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The screen under the laser's square at `to` (clipped to the screen), or null. */
  #readUnder(to: { x: number; y: number }): Patch | null {
    const x0 = Math.max(0, to.x), y0 = Math.max(0, to.y);
    const x1 = Math.min(this.#width, to.x + LASER_SIZE);
    const y1 = Math.min(this.#height, to.y + LASER_SIZE);
    if (x1 <= x0 || y1 <= y0) return null;
    const [width, height] = [x1 - x0, y1 - y0];
    takeXError();
    const x = this.#x.x;
    const image = x.XGetImage(this.#dpy, this.#root, x0, y0, width, height, X.AllPlanes, X.ZPixmap);
    if (!image) return null;
    const view = new Deno.UnsafePointerView(image);
    const perLine = view.getInt32(XIMAGE.bytesPerLine);
    const bits = view.getPointer(XIMAGE.data);
    let patch: Patch | null = null;
    if (bits && view.getInt32(XIMAGE.bitsPerPixel) === 32) {
      const rows = new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(bits, perLine * height));
      const data = new Uint8Array(width * height * 4);
      for (let row = 0; row < height; row++) {
        data.set(rows.subarray(row * perLine, row * perLine + width * 4), row * width * 4);
      }
      patch = { x: x0, y: y0, width, height, data };
    }
    x.XDestroyImage(image);
    return patch;
  }

  /** Removes the drawings and the laser and closes the connection. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#watch);
    const d = this.#draw.symbols;
    const x = this.#x.x;
    if (this.#laser) x.XDestroyWindow(this.#dpy, this.#laser);
    if (this.#nudge) x.XDestroyWindow(this.#dpy, this.#nudge);
    if (this.#board) x.XDestroyWindow(this.#dpy, this.#board);
    if (this.#paper) d.XFreePixmap(this.#dpy, this.#paper);
    if (this.#paperGc) d.XFreeGC(this.#dpy, this.#paperGc);
    if (this.#maskGc) d.XFreeGC(this.#dpy, this.#maskGc);
    x.XSync(this.#dpy, 0);
    x.XCloseDisplay(this.#dpy);
    this.#release();
  }

  /** The drawings, then the laser, on top of every other window (unless stepped back). */
  #raise() {
    if (this.#cover.covered) return;
    const d = this.#draw.symbols;
    if (this.#board) d.XRaiseWindow(this.#dpy, this.#board);
    if (this.#laserShown) d.XRaiseWindow(this.#dpy, this.#laser);
  }

  /**
   * Reads the root's structure events queued since the last look: a window mapped (new windows
   * go on top), raised right above one of ours or circulated to the top covers the drawings, so
   * they are raised again, once however many came; the root resized makes the board follow.
   */
  #look() {
    if (this.#closed) return;
    const x = this.#x.x;
    const view = new DataView(this.#event.buffer);
    const ours = (id: bigint) =>
      id !== 0n && (id === this.#board || id === this.#laser || id === this.#nudge);
    let covered = false;
    let stepBack: boolean | null = null; // hide (true) or show again (false)
    let size: [number, number] | null = null;
    while (x.XPending(this.#dpy) > 0) {
      x.XNextEvent(this.#dpy, this.#event);
      const type = view.getInt32(EVENT.type, true);
      const window = view.getBigUint64(EVENT.window, true);
      if (window === this.#root && type === CONFIGURE_NOTIFY) {
        size = [view.getInt32(EVENT.width, true), view.getInt32(EVENT.height, true)];
      } else if (ours(window)) {
        continue;
      } else if (type === MAP_NOTIFY) {
        covered = true;
        const override = view.getInt32(EVENT.override, true) !== 0;
        if (override && this.#cover.mapped(window, this.#coversScreen(window))) stepBack = true;
      } else if (type === UNMAP_NOTIFY || type === DESTROY_NOTIFY) {
        if (this.#cover.gone(window)) stepBack = false;
      } else if (type === CONFIGURE_NOTIFY) {
        covered ||= ours(view.getBigUint64(EVENT.above, true));
      } else if (type === CIRCULATE_NOTIFY) {
        covered ||= view.getInt32(EVENT.place, true) === PLACE_ON_TOP;
      }
    }
    if (size && (size[0] !== this.#width || size[1] !== this.#height)) {
      this.#resize(size[0], size[1]);
      covered = true;
    }
    if (stepBack !== null) this.#stepBack(stepBack);
    if (!covered || (!this.#board && !this.#laserShown)) return;
    this.#raise();
    x.XFlush(this.#dpy);
  }

  /**
   * Whether the override-redirect window just mapped lies over the whole screen. A compositor's
   * overlay window (Composite's, which it paints everything into, our drawings too) is not one:
   * the server keeps it out of the window tree, so only the root's listed children count.
   */
  #coversScreen(window: bigint): boolean {
    if (!this.#isRootChild(window)) return false;
    const [px, py, w, h] = [cell32(), cell32(), cell32(), cell32()];
    const ok = this.#x.x.XGetGeometry(
      this.#dpy,
      window,
      cell64(),
      px,
      py,
      w,
      h,
      cell32(),
      cell32(),
    );
    if (!ok) return false; // gone already
    const geometry = { overrideRedirect: true, x: px[0], y: py[0], width: w[0], height: h[0] };
    return coversScreen(geometry, { width: this.#width, height: this.#height });
  }

  #isRootChild(window: bigint): boolean {
    const list = cell64(), count = new Uint32Array(1);
    const ok = this.#draw.symbols.XQueryTree(
      this.#dpy,
      this.#root,
      cell64(),
      cell64(),
      list,
      count,
    );
    const p = Deno.UnsafePointer.create(list[0]);
    if (!ok || !p) return false;
    const ids = new BigUint64Array(Deno.UnsafePointerView.getArrayBuffer(p, count[0] * 8));
    const found = ids.includes(window);
    this.#x.x.XFree(p);
    return found;
  }

  /** Hides the drawings and the laser under a lock screen (kept), or shows them again. */
  #stepBack(hide: boolean) {
    const d = this.#draw.symbols;
    const dpy = this.#dpy;
    // Back over the screen: what the dot covers now (the lock screen is gone).
    if (!hide && this.#laserShown && this.#laserAt) {
      this.#trail.clear();
      this.#trail.moveTo(this.#readUnder(this.#laserAt));
    }
    for (const [id, shown] of [[this.#board, true], [this.#laser, this.#laserShown]] as const) {
      if (!id || !shown) continue;
      if (hide) d.XUnmapWindow(dpy, id);
      else d.XMapRaised(dpy, id);
    }
    this.#x.x.XFlush(dpy);
  }

  /** The board as large as the new screen, the strokes drawn so far kept on its background. */
  #resize(width: number, height: number) {
    const old = { width: this.#width, height: this.#height };
    this.#width = width;
    this.#height = height;
    if (!this.#board) return;
    const d = this.#draw.symbols;
    const dpy = this.#dpy;
    const depth = this.#x.x.XDefaultDepth(dpy, this.#x.x.XDefaultScreen(dpy));
    const paper = d.XCreatePixmap(dpy, this.#root, width, height, depth);
    const [w, h] = [Math.min(width, old.width), Math.min(height, old.height)];
    d.XCopyArea(dpy, this.#paper, paper, this.#paperGc, 0, 0, w, h, 0, 0);
    d.XSetWindowBackgroundPixmap(dpy, this.#board, paper);
    d.XFreePixmap(dpy, this.#paper);
    this.#paper = paper;
    d.XResizeWindow(dpy, this.#board, width, height);
  }

  /** A piece's colour on the board's background (shown where the shape lets it). */
  #paint(pts: readonly number[], rgb: number, width: number) {
    const d = this.#draw.symbols;
    d.XSetForeground(this.#dpy, this.#paperGc, BigInt(rgb));
    d.XSetLineAttributes(this.#dpy, this.#paperGc, width, 0, CAP_ROUND, JOIN_ROUND);
    d.XDrawLines(this.#dpy, this.#paper, this.#paperGc, _xPoints(pts, 0, 0), pts.length / 2, 0);
  }

  /** An empty (all 0) 1-bit pixmap for the board's shape. */
  #mask(width: number, height: number): bigint {
    const d = this.#draw.symbols;
    const mask = d.XCreatePixmap(this.#dpy, this.#board, width, height, 1);
    d.XSetForeground(this.#dpy, this.#maskGc, 0n);
    d.XFillRectangle(this.#dpy, mask, this.#maskGc, 0, 0, width, height);
    return mask;
  }

  /** A piece's pixels set in `mask`, whose (0, 0) is the screen's (dx, dy). */
  #maskLine(mask: bigint, pts: readonly number[], width: number, dx: number, dy: number) {
    const d = this.#draw.symbols;
    d.XSetForeground(this.#dpy, this.#maskGc, 1n);
    d.XSetLineAttributes(this.#dpy, this.#maskGc, width, 0, CAP_ROUND, JOIN_ROUND);
    d.XDrawLines(this.#dpy, mask, this.#maskGc, _xPoints(pts, dx, dy), pts.length / 2, 0);
  }

  #release() {
    this.#draw.close();
    this.#shape.close();
    releaseX11();
  }

  /** The drawings' window and its background, made at the first stroke. */
  #ensureBoard() {
    if (this.#board) return;
    const d = this.#draw.symbols;
    const x = this.#x.x;
    const dpy = this.#dpy;
    const root = this.#root;
    const depth = x.XDefaultDepth(dpy, x.XDefaultScreen(dpy));
    this.#look(); // a size change not read yet
    this.#board = this.#window(root, 0, 0, this.#width, this.#height, 0);
    d.XStoreName(dpy, this.#board, cString("rescue-whiteboard"));
    this.#emptyShape(this.#board, SHAPE_BOUNDING);
    this.#paper = d.XCreatePixmap(dpy, root, this.#width, this.#height, depth);
    this.#paperGc = d.XCreateGC(dpy, this.#paper, 0n, null);
    const one = d.XCreatePixmap(dpy, root, 1, 1, 1);
    this.#maskGc = d.XCreateGC(dpy, one, 0n, null); // any 1-bit drawable of this screen
    d.XFreePixmap(dpy, one);
    d.XSetWindowBackgroundPixmap(dpy, this.#board, this.#paper);
    if (!this.#cover.covered) d.XMapRaised(dpy, this.#board);
  }

  #makeLaser(): bigint {
    const d = this.#draw.symbols;
    const dpy = this.#dpy;
    const laser = this.#window(this.#root, 0, 0, LASER_SIZE, LASER_SIZE, LASER_RGB);
    d.XStoreName(dpy, laser, cString("rescue-laser"));
    const mask = d.XCreatePixmap(dpy, laser, LASER_SIZE, LASER_SIZE, 1);
    const gc = d.XCreateGC(dpy, mask, 0n, null);
    d.XSetForeground(dpy, gc, 0n);
    d.XFillRectangle(dpy, mask, gc, 0, 0, LASER_SIZE, LASER_SIZE);
    d.XSetForeground(dpy, gc, 1n);
    d.XFillArc(dpy, mask, gc, 0, 0, LASER_SIZE, LASER_SIZE, 0, 360 * 64);
    this.#shape.symbols.XShapeCombineMask(dpy, laser, SHAPE_BOUNDING, 0, 0, mask, SHAPE_SET);
    d.XFreeGC(dpy, gc);
    d.XFreePixmap(dpy, mask);
    return laser;
  }

  /** An override-redirect window (no window manager moves or decorates it) that takes no input. */
  #window(parent: bigint, x: number, y: number, w: number, h: number, rgb: number): bigint {
    const attributes = new Uint8Array(ATTRIBUTES_SIZE);
    const view = new DataView(attributes.buffer);
    view.setBigUint64(8, BigInt(rgb), true);
    view.setInt32(88, 1, true);
    const window = this.#draw.symbols.XCreateWindow(
      this.#dpy,
      parent,
      x,
      y,
      w,
      h,
      0,
      0, // CopyFromParent
      INPUT_OUTPUT,
      null,
      CW_BACK_PIXEL | CW_OVERRIDE_REDIRECT,
      attributes,
    );
    const id = BigInt(num(window));
    this.#emptyShape(id, SHAPE_INPUT);
    return id;
  }

  #emptyShape(window: bigint, kind: number) {
    this.#shape.symbols.XShapeCombineRectangles(
      this.#dpy,
      window,
      kind,
      0,
      0,
      null,
      0,
      SHAPE_SET,
      0,
    );
  }
}

/** One point is a dot: a zero-length wide line with round caps is a disc in X. */
function _dotted(points: readonly number[]): readonly number[] {
  return points.length === 2 ? [...points, ...points] : points;
}

/** `XPoint[]` (two shorts each) from x, y pairs, moved by (-dx, -dy). */
function _xPoints(points: readonly number[], dx: number, dy: number): Int16Array<ArrayBuffer> {
  const out = new Int16Array(points.length);
  for (let i = 0; i < points.length; i += 2) {
    out[i] = points[i] - dx;
    out[i + 1] = points[i + 1] - dy;
  }
  return out;
}
