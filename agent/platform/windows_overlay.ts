/**
 * The technician's whiteboard and laser pointer on a Windows screen (SPEC R4): two layered
 * windows (WS_EX_LAYERED) kept topmost — the board over the whole virtual desktop, the laser a
 * small round one moved about. Their pictures are 32-bit premultiplied DIB sections handed to
 * `UpdateLayeredWindow` with per-pixel alpha: everything but the strokes is fully transparent.
 * WS_EX_TRANSPARENT makes them click-through (every click and key reaches the windows below),
 * WS_EX_NOACTIVATE | WS_EX_TOOLWINDOW keep them out of the focus and the taskbar. The capture's
 * CAPTUREBLT copies layered windows, so the technician sees the drawings in the picture — but
 * not the laser: its window asks to be left out of captures (`SetWindowDisplayAffinity`,
 * WDA_EXCLUDEFROMCAPTURE, Windows 10 2004 and later; earlier ones refuse it and the dot stays in
 * the picture), so the technician sees only their own dot, as on X11.
 *
 * The windows belong to the agent's main thread, which has no message loop: a timer hands
 * their messages on (PeekMessage) so Windows never counts them as hung, and puts them back on
 * top now and then (another topmost window may have come over them). The secure desktop (UAC
 * prompts, the lock screen) is another desktop: the drawings are not shown there.
 */
import { LASER_COLOR, LASER_DIAMETER } from "../../protocol/limits.ts";
import { bitmapInfo, DIB_RGB_COLORS, pointerCell, wide, type Win32 } from "./windows_ffi.ts";
import type { VirtualScreen } from "./windows_input.ts";
import type { Overlay, OverlayPiece } from "./types.ts";

const OVERLAY_SYMBOLS = {
  ShowWindow: { parameters: ["pointer", "i32"], result: "i32" },
  SetWindowPos: {
    parameters: ["pointer", "pointer", "i32", "i32", "i32", "i32", "u32"],
    result: "i32",
  },
  /** (hwnd, hdcDst, POINT* dst, SIZE* size, hdcSrc, POINT* src, key, BLENDFUNCTION*, flags) */
  UpdateLayeredWindow: {
    parameters: [
      "pointer",
      "pointer",
      "buffer",
      "buffer",
      "pointer",
      "buffer",
      "u32",
      "buffer",
      "u32",
    ],
    result: "i32",
  },
  /** (hwnd, UPDATELAYEREDWINDOWINFO*): the same with a dirty rectangle. */
  UpdateLayeredWindowIndirect: { parameters: ["pointer", "buffer"], result: "i32" },
  PeekMessageW: { parameters: ["buffer", "pointer", "u32", "u32", "u32"], result: "i32" },
  TranslateMessage: { parameters: ["buffer"], result: "i32" },
  DispatchMessageW: { parameters: ["buffer"], result: "isize" },
  SetWindowDisplayAffinity: { parameters: ["pointer", "u32"], result: "i32", optional: true },
  GetWindowDisplayAffinity: { parameters: ["pointer", "buffer"], result: "i32", optional: true },
} as const satisfies Deno.ForeignLibraryInterface;

/** The window is shown on the monitor only, left out of every capture (Windows 10 2004+). */
const WDA_NONE = 0;
const WDA_EXCLUDEFROMCAPTURE = 0x11;

// WS_EX_LAYERED | WS_EX_TRANSPARENT | WS_EX_TOPMOST | WS_EX_TOOLWINDOW | WS_EX_NOACTIVATE
const EX_STYLE = 0x00080000 + 0x20 + 0x8 + 0x80 + 0x08000000;
const WS_POPUP = 0x80000000;
const SW_HIDE = 0, SW_SHOWNOACTIVATE = 4;
/** Made into a pointer when used (that needs --allow-ffi; importing this module must not). */
const HWND_TOPMOST = -1n;
const SWP_NOSIZE_NOMOVE_NOACTIVATE = 0x1 | 0x2 | 0x10;
/** AC_SRC_OVER, no flags, constant alpha 255, AC_SRC_ALPHA (per-pixel, premultiplied). */
const BLEND = new Uint8Array([0, 0, 255, 1]);
const ULW_ALPHA = 2;
/**
 * UPDATELAYEREDWINDOWINFO (x64): cbSize @0, hdcDst @8, pptDst @16, psize @24, hdcSrc @32,
 * pptSrc @40, crKey @48, pblend @56, dwFlags @64, prcDirty @72; 80 bytes.
 */
const ULWINFO_SIZE = 80;
const PM_REMOVE = 1;
/** How often the windows' messages are handed on; every tenth time they are raised again. */
const PUMP_MS = 100;
const RAISE_EVERY = 10;

export const LASER_SIZE = LASER_DIAMETER;
const LASER_RGB = parseInt(LASER_COLOR.slice(1), 16);

/** One layered window and the premultiplied BGRA picture it shows. */
class LayeredWindow {
  readonly hwnd: Deno.PointerObject;
  readonly pixels: Uint32Array;
  readonly #dc: Deno.PointerObject;
  readonly #bitmap: Deno.PointerObject;
  readonly #previous: Deno.PointerValue;
  #shown = false;

  constructor(
    private readonly win: Win32,
    private readonly ui: Deno.DynamicLibrary<typeof OVERLAY_SYMBOLS>["symbols"],
    readonly width: number,
    readonly height: number,
  ) {
    const { user, gdi } = win;
    const hwnd = user.CreateWindowExW(
      EX_STYLE,
      wide("STATIC"),
      wide(""),
      WS_POPUP,
      0,
      0,
      width,
      height,
      null,
      null,
      null,
      null,
    );
    const dc = gdi.CreateCompatibleDC(null);
    const bits = pointerCell();
    const bitmap = dc &&
      gdi.CreateDIBSection(dc, bitmapInfo(width, height, 32), DIB_RGB_COLORS, bits, null, 0);
    const data = Deno.UnsafePointer.create(bits[0]);
    if (!hwnd || !dc || !bitmap || !data) {
      if (bitmap) gdi.DeleteObject(bitmap);
      if (dc) gdi.DeleteDC(dc);
      if (hwnd) user.DestroyWindow(hwnd);
      throw new Error(`Windows could not make a ${width}×${height} overlay window`);
    }
    this.hwnd = hwnd;
    this.#dc = dc;
    this.#bitmap = bitmap;
    this.#previous = gdi.SelectObject(dc, bitmap);
    this.pixels = new Uint32Array(
      Deno.UnsafePointerView.getArrayBuffer(data, width * height * 4),
    );
    this.pixels.fill(0);
  }

  /**
   * Shows the picture with its top-left corner at (x, y) of Windows' screen; with `dirty`
   * (left, top, right, bottom of the picture), only that part changed: Windows (and Wine, which
   * otherwise re-reads a whole screen's worth of pixels each time) takes just that part.
   */
  show(x: number, y: number, dirty?: readonly [number, number, number, number]): void {
    const at = new Int32Array([x, y]), size = new Int32Array([this.width, this.height]);
    const origin = new Int32Array(2);
    if (!dirty || !this.#shown) {
      this.ui.UpdateLayeredWindow(
        this.hwnd,
        null,
        new Uint8Array(at.buffer),
        new Uint8Array(size.buffer),
        this.#dc,
        new Uint8Array(origin.buffer),
        0,
        BLEND,
        ULW_ALPHA,
      );
    } else {
      // The struct holds pointers to these arrays, alive until the call returns.
      const rect = new Int32Array(dirty);
      const info = new DataView(new ArrayBuffer(ULWINFO_SIZE));
      const address = (b: BufferSource) =>
        BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(b)));
      info.setUint32(0, ULWINFO_SIZE, true);
      info.setBigUint64(16, address(at), true);
      info.setBigUint64(24, address(size), true);
      info.setBigUint64(32, BigInt(Deno.UnsafePointer.value(this.#dc)), true);
      info.setBigUint64(40, address(origin), true);
      info.setBigUint64(56, address(BLEND), true);
      info.setUint32(64, ULW_ALPHA, true);
      info.setBigUint64(72, address(rect), true);
      this.ui.UpdateLayeredWindowIndirect(this.hwnd, new Uint8Array(info.buffer));
    }
    this.#shown = true;
    this.ui.ShowWindow(this.hwnd, SW_SHOWNOACTIVATE);
  }

  hide(): void {
    this.ui.ShowWindow(this.hwnd, SW_HIDE);
  }

  raise(): void {
    const topmost = Deno.UnsafePointer.create(HWND_TOPMOST);
    this.ui.SetWindowPos(this.hwnd, topmost, 0, 0, 0, 0, SWP_NOSIZE_NOMOVE_NOACTIVATE);
  }

  close(): void {
    const { user, gdi } = this.win;
    user.DestroyWindow(this.hwnd);
    gdi.SelectObject(this.#dc, this.#previous);
    gdi.DeleteObject(this.#bitmap);
    gdi.DeleteDC(this.#dc);
  }
}

/** The Windows overlay (see the top of this file). */
export class WindowsOverlay implements Overlay {
  readonly #lib: Deno.DynamicLibrary<typeof OVERLAY_SYMBOLS>;
  readonly #pieces: OverlayPiece[] = [];
  #board: LayeredWindow | null = null;
  #boardAt: VirtualScreen | null = null;
  #laser: LayeredWindow | null = null;
  #laserShown = false;
  /** What Windows says of the laser window's display affinity once made (null: not made). */
  #laserAffinity: number | null = null;
  /** The laser's window is captured (`laserInPicture`). */
  #inPicture = false;
  readonly #timer: ReturnType<typeof setInterval>;
  #pumps = 0;
  #closed = false;
  readonly #screen: () => VirtualScreen;
  readonly #onClosed: () => void;

  /** `screen`: the virtual desktop now; `closed`: told once, when close() is called. */
  constructor(
    private readonly win: Win32,
    options: { screen: () => VirtualScreen; closed?: () => void },
  ) {
    this.#screen = options.screen;
    this.#onClosed = options.closed ?? (() => {});
    this.#lib = Deno.dlopen("user32.dll", OVERLAY_SYMBOLS);
    this.#timer = setInterval(() => this.#pump(), PUMP_MS);
    Deno.unrefTimer(this.#timer);
  }

  stroke(points: readonly number[], rgb: number, width: number): void {
    this.#open();
    const piece = { points: [...points], rgb, width };
    this.#pieces.push(piece);
    const board = this.#ensureBoard();
    if (board.fresh) return this.#showBoard();
    const { pixels, width: w, height: h } = board.window;
    drawPiece(pixels, w, h, piece);
    this.#showBoard(pieceBounds(piece, w, h));
  }

  clear(): void {
    this.redraw([]);
  }

  redraw(pieces: readonly OverlayPiece[]): void {
    this.#open();
    this.#pieces.splice(0, this.#pieces.length, ...pieces.map((p) => ({ ...p })));
    if (!this.#pieces.length && !this.#board) return; // nothing shown, nothing to show
    const board = this.#ensureBoard().window;
    board.pixels.fill(0);
    for (const piece of this.#pieces) drawPiece(board.pixels, board.width, board.height, piece);
    this.#showBoard();
  }

  laser(at: { x: number; y: number } | null): void {
    this.#open();
    if (!at) {
      if (this.#laserShown) this.#laser?.hide();
      this.#laserShown = false;
      return;
    }
    if (!this.#laser) {
      this.#laser = new LayeredWindow(this.win, this.#lib.symbols, LASER_SIZE, LASER_SIZE);
      const r = LASER_SIZE / 2;
      drawPiece(this.#laser.pixels, LASER_SIZE, LASER_SIZE, {
        points: [r, r],
        rgb: LASER_RGB,
        width: LASER_SIZE,
      });
      this.#setAffinity();
    }
    const s = this.#screen();
    const half = LASER_SIZE / 2;
    this.#laser.show(Math.round(s.x + at.x - half), Math.round(s.y + at.y - half));
    this.#laserShown = true;
  }

  /**
   * In the picture (a recorded one): the laser's window is captured like any other (WDA_NONE);
   * out: it asks to be left out of captures (WDA_EXCLUDEFROMCAPTURE, where Windows knows it).
   */
  laserInPicture(on: boolean): void {
    if (on === this.#inPicture) return;
    this.#inPicture = on;
    if (this.#laser) this.#setAffinity();
  }

  #setAffinity() {
    if (!this.#laser) return;
    const { SetWindowDisplayAffinity: set, GetWindowDisplayAffinity: get } = this.#lib.symbols;
    set?.(this.#laser.hwnd, this.#inPicture ? WDA_NONE : WDA_EXCLUDEFROMCAPTURE);
    const affinity = new Uint32Array(1);
    this.#laserAffinity = get?.(this.#laser.hwnd, affinity) ? affinity[0] : 0;
  }

  /**
   * The laser window's display affinity as Windows reports it (0x11: left out of captures; 0:
   * refused, an older Windows) — null before the laser was first shown.
   */
  get laserAffinity(): number | null {
    return this.#laserAffinity;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#board?.close();
    this.#laser?.close();
    this.#pump(); // the windows' last messages (WM_DESTROY's) handed on
    this.#lib.close();
    this.#onClosed();
  }

  /** The board, made or re-made at the virtual desktop's size (`fresh`: drawn whole now). */
  #ensureBoard(): { window: LayeredWindow; fresh: boolean } {
    const s = this.#screen();
    const at = this.#boardAt;
    if (
      this.#board && at && at.x === s.x && at.y === s.y && at.width === s.width &&
      at.height === s.height
    ) {
      return { window: this.#board, fresh: false };
    }
    this.#board?.close();
    const board = this.#board = new LayeredWindow(this.win, this.#lib.symbols, s.width, s.height);
    this.#boardAt = s;
    for (const piece of this.#pieces) drawPiece(board.pixels, board.width, board.height, piece);
    return { window: board, fresh: true };
  }

  #showBoard(dirty?: readonly [number, number, number, number]): void {
    const at = this.#boardAt!;
    if (dirty && (dirty[2] <= dirty[0] || dirty[3] <= dirty[1])) return; // all off the board
    this.#board!.show(at.x, at.y, dirty);
    this.#laser?.raise(); // the laser over the drawings
  }

  #pump(): void {
    const msg = new Uint8Array(48);
    const ui = this.#lib.symbols;
    while (ui.PeekMessageW(msg, null, 0, 0, PM_REMOVE)) {
      ui.TranslateMessage(msg);
      ui.DispatchMessageW(msg);
    }
    if (this.#closed || ++this.#pumps % RAISE_EVERY) return;
    this.#board?.raise();
    if (this.#laserShown) this.#laser?.raise();
  }

  #open(): void {
    if (this.#closed) throw new Error("This overlay is closed");
  }
}

/** The rectangle (left, top, right, bottom; clipped to the board) a piece paints in. */
export function pieceBounds(
  piece: OverlayPiece,
  width: number,
  height: number,
): [number, number, number, number] {
  const r = Math.max(0.5, piece.width / 2) + 1;
  const xs = piece.points.filter((_, i) => i % 2 === 0);
  const ys = piece.points.filter((_, i) => i % 2 === 1);
  return [
    Math.max(0, Math.floor(Math.min(...xs) - r)),
    Math.max(0, Math.floor(Math.min(...ys) - r)),
    Math.min(width, Math.ceil(Math.max(...xs) + r)),
    Math.min(height, Math.ceil(Math.max(...ys) + r)),
  ];
}

/**
 * Paints one piece — a line through `points` of the given width with round ends and joins,
 * or a dot — opaque into premultiplied BGRA `pixels`: every pixel whose centre lies within half
 * the width of a segment.
 */
export function drawPiece(
  pixels: Uint32Array,
  width: number,
  height: number,
  piece: OverlayPiece,
): void {
  const { points } = piece;
  const color = (0xff000000 | (piece.rgb & 0xffffff)) >>> 0;
  const r = Math.max(0.5, piece.width / 2);
  const segments = points.length >= 4 ? points.length / 2 - 1 : 1;
  for (let i = 0; i < segments; i++) {
    const x0 = points[i * 2], y0 = points[i * 2 + 1];
    const x1 = points.length >= 4 ? points[i * 2 + 2] : x0;
    const y1 = points.length >= 4 ? points[i * 2 + 3] : y0;
    const left = Math.max(0, Math.floor(Math.min(x0, x1) - r));
    const right = Math.min(width - 1, Math.ceil(Math.max(x0, x1) + r));
    const top = Math.max(0, Math.floor(Math.min(y0, y1) - r));
    const bottom = Math.min(height - 1, Math.ceil(Math.max(y0, y1) + r));
    const dx = x1 - x0, dy = y1 - y0, length2 = dx * dx + dy * dy;
    for (let y = top; y <= bottom; y++) {
      for (let x = left; x <= right; x++) {
        const px = x + 0.5, py = y + 0.5;
        const t = length2
          ? Math.max(0, Math.min(1, ((px - x0) * dx + (py - y0) * dy) / length2))
          : 0;
        const ex = px - (x0 + t * dx), ey = py - (y0 + t * dy);
        if (ex * ex + ey * ey <= r * r) pixels[y * width + x] = color;
      }
    }
  }
}
