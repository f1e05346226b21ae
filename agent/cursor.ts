// The pointer: drawn into captured frames by the agent (X11 capture leaves it out), or sent
// apart from them as a `cursor` message's image (cursor_sender.ts, protocol/cursor.ts).
import { base64url, CURSOR_MAX_SIDE, type CursorShape } from "../protocol/mod.ts";
import type { CursorImage, Frame, Rect } from "./platform/types.ts";

/** The screen area the cursor image covers. */
export function cursorRect(cursor: CursorImage): Rect {
  return {
    x: cursor.x - cursor.hotX,
    y: cursor.y - cursor.hotY,
    width: cursor.width,
    height: cursor.height,
  };
}

/** Blends the cursor (ARGB, premultiplied as XFixes gives it) into a B,G,R,X frame. */
export function drawCursor(frame: Frame, cursor: CursorImage) {
  const left = cursor.x - cursor.hotX;
  const top = cursor.y - cursor.hotY;
  const data = frame.data;
  for (let row = 0; row < cursor.height; row++) {
    const y = top + row;
    if (y < 0 || y >= frame.height) continue;
    for (let col = 0; col < cursor.width; col++) {
      const x = left + col;
      if (x < 0 || x >= frame.width) continue;
      const argb = cursor.pixels[row * cursor.width + col];
      const alpha = argb >>> 24;
      if (alpha === 0) continue;
      const at = y * frame.stride + x * 4;
      const r = (argb >>> 16) & 0xff, g = (argb >>> 8) & 0xff, b = argb & 0xff;
      if (alpha === 255) {
        data[at] = b;
        data[at + 1] = g;
        data[at + 2] = r;
      } else {
        const keep = 255 - alpha;
        data[at] = Math.min(255, b + data[at] * keep / 255);
        data[at + 1] = Math.min(255, g + data[at + 1] * keep / 255);
        data[at + 2] = Math.min(255, r + data[at + 2] * keep / 255);
      }
    }
  }
}

/**
 * The cursor's image as a `cursor` message carries it: straight (not premultiplied) R,G,B,A —
 * a browser's ImageData is straight — halved with its hot spot until no side is over
 * CURSOR_MAX_SIDE (a large accessibility cursor). An empty image (a hidden pointer) is one
 * transparent pixel.
 */
export function cursorShape(cursor: CursorImage): CursorShape {
  let { width, height } = cursor;
  let hotX = Math.min(cursor.hotX, width - 1), hotY = Math.min(cursor.hotY, height - 1);
  if (width < 1 || height < 1 || cursor.pixels.length < width * height) {
    return { width: 1, height: 1, hotX: 0, hotY: 0, rgba: base64url(new Uint8Array(4)) };
  }
  // Premultiplied A,R,G,B channels: averaging premultiplied colour is what blending does.
  let argb: Float32Array = new Float32Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const p = cursor.pixels[i];
    argb.set([p >>> 24, (p >>> 16) & 0xff, (p >>> 8) & 0xff, p & 0xff], i * 4);
  }
  while (width > CURSOR_MAX_SIDE || height > CURSOR_MAX_SIDE) {
    argb = halve(argb, width, height);
    width = Math.ceil(width / 2);
    height = Math.ceil(height / 2);
    hotX >>= 1;
    hotY >>= 1;
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const a = Math.round(argb[i * 4]);
    if (a === 0) continue; // fully transparent: 0,0,0,0
    const straight = (c: number) => Math.min(255, Math.round(c * 255 / argb[i * 4]));
    rgba[i * 4] = straight(argb[i * 4 + 1]);
    rgba[i * 4 + 1] = straight(argb[i * 4 + 2]);
    rgba[i * 4 + 2] = straight(argb[i * 4 + 3]);
    rgba[i * 4 + 3] = a;
  }
  return { width, height, hotX, hotY, rgba: base64url(rgba) };
}

/** Each 2 × 2 block's average (a block cut by an odd edge: of the pixels it has). */
function halve(argb: Float32Array, width: number, height: number): Float32Array {
  const w = Math.ceil(width / 2), h = Math.ceil(height / 2);
  const out = new Float32Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let n = 0;
      for (let dy = 0; dy < 2 && y * 2 + dy < height; dy++) {
        for (let dx = 0; dx < 2 && x * 2 + dx < width; dx++) {
          const from = ((y * 2 + dy) * width + x * 2 + dx) * 4;
          for (let c = 0; c < 4; c++) out[(y * w + x) * 4 + c] += argb[from + c];
          n++;
        }
      }
      for (let c = 0; c < 4; c++) out[(y * w + x) * 4 + c] /= n;
    }
  }
  return out;
}
