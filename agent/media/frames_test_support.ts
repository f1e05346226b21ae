// Test support: synthetic BGRX screens (a text page that scrolls, a textured picture that pans)
// and the luma/PSNR arithmetic the encoder tests compare decoded pictures with.

/** Dark "text" on a light page: rows of 7×12 glyphs of random strokes, `shift` px scrolled. */
export function textPage(w: number, h: number, shift: number): Uint8Array {
  const stride = w * 4, f = new Uint8Array(stride * h).fill(0xf0);
  for (let y = 0; y < h; y++) {
    const row = y + shift, line = Math.floor(row / 18), inLine = row % 18;
    if (inLine >= 12) continue;
    for (let x = 8; x < w - 8; x++) {
      const glyph = Math.floor(x / 8), col = x % 8;
      if (col === 7 || (line * 31 + glyph) % 11 === 0) continue; // spaces
      const hash = Math.imul(line * 7919 + glyph * 104729 + inLine * 31 + col, 0x9e3779b1) >>> 0;
      if (hash % 5 < 2) {
        const o = y * stride + x * 4;
        f[o] = 0x20 + (line % 3) * 40; // some colour: the text is not all grey
        f[o + 1] = 0x20;
        f[o + 2] = 0x30 + (glyph % 4) * 30;
      }
    }
  }
  return f;
}

/** A textured picture panning sideways (a photo being dragged): it uses every bit it gets. */
export function panning(w: number, h: number, step: number): Uint8Array {
  const stride = w * 4, f = new Uint8Array(stride * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const X = x + step * 7;
      const grain = (Math.imul(X * 0x1f123bb5 ^ y * 0x5f356495, 0x9e3779b1) >>> 28) - 8;
      const v = 128 + 50 * Math.sin(X / 23) * Math.cos(y / 17) + 30 * Math.sin((X + y) / 7) + grain;
      const o = y * stride + x * 4;
      f[o] = v;
      f[o + 1] = 255 - v;
      f[o + 2] = (v + X) & 255;
    }
  }
  return f;
}

/** BT.601 studio-range luma of a packed BGRX frame, as libyuv's ARGBToI420 computes it. */
export function luma(bgrx: Uint8Array, w: number, h: number): Uint8Array {
  const y = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) {
    const b = bgrx[i * 4], g = bgrx[i * 4 + 1], r = bgrx[i * 4 + 2];
    y[i] = ((66 * r + 129 * g + 25 * b + 128) >> 8) + 16;
  }
  return y;
}

export function psnr(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) {
    throw new RangeError(`planes differ in size: ${a.length}, ${b.length}`);
  }
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return sum === 0 ? 99 : 10 * Math.log10(255 * 255 / (sum / a.length));
}

/** What an encoder's rate test needs of it. */
interface RateEncoder {
  encode(bgrx: Uint8Array, stride: number, options: { at?: number }): { data: Uint8Array } | null;
  close(): void;
}

/**
 * Bytes per second an encoder sends for `fps` panning frames a second over `seconds`, as a
 * share of `kbps` (the first second, which settles rate control, not counted): with the
 * frames' capture times (`withTimes`), or without them (the encoder assumes 30 frames/s).
 */
export function rateShare(
  make: (kbps: number) => RateEncoder,
  size: { width: number; height: number },
  { kbps, fps, seconds, withTimes }: {
    kbps: number;
    fps: number;
    seconds: number;
    withTimes: boolean;
  },
): number {
  const { width: w, height: h } = size;
  const enc = make(kbps);
  try {
    let bytes = 0;
    for (let i = 0; i < fps * seconds; i++) {
      const at = 5_000 + i * 1000 / fps;
      const frame = enc.encode(panning(w, h, i), w * 4, withTimes ? { at } : {});
      if (i >= fps) bytes += frame?.data.byteLength ?? 0;
    }
    return bytes / (seconds - 1) / (kbps * 125);
  } finally {
    enc.close();
  }
}
