/**
 * The Windows pointer: where it is (GetCursorInfo) and its shape (GetIconInfo's colour and
 * mask bitmaps, read with GetDIBits) as premultiplied ARGB. Shapes are cached per HCURSOR —
 * Windows hands out one handle per loaded cursor — so the serial changes only when the shape
 * does and a shape is decoded once. A shape that cannot be read is shown as the arrow.
 */
import {
  BITMAP,
  bitmapInfo,
  CURSORINFO,
  DIB_RGB_COLORS,
  ICONINFO,
  pointerAt,
  type Win32,
} from "./windows_ffi.ts";
import type { CursorImage } from "./types.ts";

interface Shape {
  width: number;
  height: number;
  hotX: number;
  hotY: number;
  pixels: Uint32Array;
  serial: number;
}

/** Cached shapes; more than this many distinct cursors (animations) start the cache afresh. */
const CACHE_MAX = 64;
/** The serial of a hidden pointer (an empty image, as the X11 backend gives then). */
const HIDDEN_SERIAL = 0;

export class CursorReader {
  readonly #shapes = new Map<bigint, Shape>();
  #nextSerial = HIDDEN_SERIAL + 1;

  constructor(private readonly win: Win32) {}

  /** The pointer at its position on the virtual desktop whose top-left is (originX, originY). */
  read(originX: number, originY: number): CursorImage | null {
    const info = new Uint8Array(CURSORINFO.size);
    const v = new DataView(info.buffer);
    v.setUint32(0, CURSORINFO.size, true);
    if (!this.win.user.GetCursorInfo(info)) return null;
    const x = v.getInt32(CURSORINFO.x, true) - originX;
    const y = v.getInt32(CURSORINFO.y, true) - originY;
    const handle = v.getBigUint64(CURSORINFO.cursor, true);
    const showing = (v.getUint32(CURSORINFO.flags, true) & CURSORINFO.SHOWING) !== 0;
    const shape = showing && handle !== 0n ? this.#shape(handle) : null;
    if (!shape) {
      return {
        x,
        y,
        width: 0,
        height: 0,
        hotX: 0,
        hotY: 0,
        pixels: new Uint32Array(0),
        serial: HIDDEN_SERIAL,
      };
    }
    return { x, y, ...shape };
  }

  #shape(handle: bigint): Shape | null {
    const cached = this.#shapes.get(handle);
    if (cached) return cached;
    const decoded = this.#decode(handle);
    let shape: Shape | null;
    if (decoded) shape = { ...decoded, serial: this.#nextSerial++ };
    else {
      // A cursor whose pictures cannot be read (Wine keeps them in the process that made the
      // cursor): the standard arrow where the pointer is, rather than no pointer at all.
      const arrow = this.#arrow();
      shape = arrow !== null && arrow !== handle ? this.#shape(arrow) : null;
      if (!shape) return null;
    }
    if (this.#shapes.size >= CACHE_MAX) this.#shapes.clear();
    this.#shapes.set(handle, shape);
    return shape;
  }

  /** This process's handle of the standard arrow (IDC_ARROW). */
  #arrow(): bigint | null {
    const IDC_ARROW = Deno.UnsafePointer.create(32512n);
    const arrow = this.win.user.LoadCursorW(null, IDC_ARROW);
    return arrow ? BigInt(Deno.UnsafePointer.value(arrow)) : null;
  }

  #decode(handle: bigint): Omit<Shape, "serial"> | null {
    const { user, gdi } = this.win;
    const icon = new Uint8Array(ICONINFO.size);
    if (!user.GetIconInfo(Deno.UnsafePointer.create(handle), icon)) return null;
    const v = new DataView(icon.buffer);
    const maskBitmap = pointerAt(v, ICONINFO.mask);
    const colorBitmap = pointerAt(v, ICONINFO.color);
    const dc = user.GetDC(null);
    try {
      if (!maskBitmap) return null;
      const mask = bitmapSize(this.win, maskBitmap);
      if (!mask) return null;
      const width = mask.width;
      // Without a colour bitmap the mask holds both halves: AND on top, XOR below.
      const height = colorBitmap ? mask.height : mask.height >> 1;
      const maskStride = ((width + 31) >> 5) * 4;
      const maskBits = new Uint8Array(maskStride * mask.height);
      const maskInfo = bitmapInfo(width, mask.height, 1);
      if (!gdi.GetDIBits(dc, maskBitmap, 0, mask.height, maskBits, maskInfo, DIB_RGB_COLORS)) {
        return null;
      }
      let color: Uint8Array | null = null;
      if (colorBitmap) {
        color = new Uint8Array(width * height * 4);
        const info = bitmapInfo(width, height, 32);
        if (!gdi.GetDIBits(dc, colorBitmap, 0, height, color, info, DIB_RGB_COLORS)) return null;
      }
      return {
        width,
        height,
        hotX: v.getUint32(ICONINFO.hotX, true),
        hotY: v.getUint32(ICONINFO.hotY, true),
        pixels: cursorPixels(width, height, maskBits, color),
      };
    } finally {
      user.ReleaseDC(null, dc);
      if (maskBitmap) gdi.DeleteObject(maskBitmap);
      if (colorBitmap) gdi.DeleteObject(colorBitmap);
    }
  }
}

function bitmapSize(win: Win32, bitmap: Deno.PointerObject) {
  const buf = new Uint8Array(BITMAP.size);
  if (!win.gdi.GetObjectW(bitmap, BITMAP.size, buf)) return null;
  const v = new DataView(buf.buffer);
  const width = v.getInt32(BITMAP.width, true), height = Math.abs(v.getInt32(BITMAP.height, true));
  return width > 0 && height > 0 && width <= 1024 && height <= 2048 ? { width, height } : null;
}

const BLACK = 0xff000000, WHITE = 0xffffffff;

/**
 * A Windows cursor's bitmaps → premultiplied ARGB (0xAARRGGBB), row-major.
 * - `mask`: 1 bit per pixel, rows padded to 4 bytes, top-down; `height` rows of AND mask,
 *   followed (monochrome cursors, `color` null) by `height` rows of XOR mask.
 * - `color`: B,G,R,A bytes, top-down, or null.
 * A colour cursor with any alpha is drawn by its alpha (straight, so premultiplied here).
 * Otherwise AND 0 is the colour (or XOR bit: white/black), AND 1 with nothing to XOR is
 * transparent, and AND 1 with something to XOR — the screen inverted, as the I-beam does — is
 * drawn black with a white outline, so it shows on any background (what a picture can do).
 */
export function cursorPixels(
  width: number,
  height: number,
  mask: Uint8Array,
  color: Uint8Array | null,
): Uint32Array {
  const out = new Uint32Array(width * height);
  const stride = ((width + 31) >> 5) * 4;
  const bit = (row: number, col: number) =>
    (mask[row * stride + (col >> 3)] >> (7 - (col & 7))) & 1;
  let alpha = false;
  if (color) { for (let i = 3; i < color.length && !alpha; i += 4) alpha = color[i] !== 0; }
  const inverted: number[] = [];
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      const i = row * width + col;
      if (color && alpha) {
        const a = color[i * 4 + 3];
        const pre = (c: number) => Math.round(c * a / 255);
        out[i] = ((a << 24) | (pre(color[i * 4 + 2]) << 16) | (pre(color[i * 4 + 1]) << 8) |
          pre(color[i * 4])) >>> 0;
        continue;
      }
      const and = bit(row, col);
      const xorRgb = color
        ? (color[i * 4 + 2] << 16) | (color[i * 4 + 1] << 8) | color[i * 4]
        : bit(row + height, col)
        ? 0xffffff
        : 0;
      if (!and) out[i] = (0xff000000 | xorRgb) >>> 0;
      else if (xorRgb !== 0) {
        out[i] = BLACK;
        inverted.push(i);
      }
    }
  }
  for (const i of inverted) {
    const row = Math.floor(i / width), col = i % width;
    for (const [dr, dc] of [[-1, 0], [1, 0], [0, -1], [0, 1]]) {
      const r = row + dr, c = col + dc;
      if (r < 0 || c < 0 || r >= height || c >= width) continue;
      if (out[r * width + c] === 0) out[r * width + c] = WHITE;
    }
  }
  return out;
}
