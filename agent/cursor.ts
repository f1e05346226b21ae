// The pointer, drawn into captured frames by the agent (X11 capture leaves it out).
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
