// Static-region handling for the VP8 encoder (vp8.ts). Left alone, libvpx's one-pass CBR keeps
// spending bits on an unchanged screen (cyclic background refresh, quality ramp-up, periodic
// golden-frame boosts): 1–12 KB per 1080p frame with spikes of tens of KB. So each frame is
// compared with the previous one per 16×16 macroblock (I420 planes, ≈ 1 ms at 1080p) and libvpx
// gets an active map (VP8E_SET_ACTIVEMAP): a macroblock stays active for REFINE_SECONDS after it
// last changed (so the encoder can sharpen it after motion or a keyframe), then is skipped for
// free. An unchanged screen then costs a few dozen bytes per frame.

const REFINE_SECONDS = 1;

/** A rectangle of the frame in pixels (the agent's damage rectangles). */
export interface Area {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One I420 plane: a word view on its (native) pixels and its stride in bytes. */
export interface PlaneWords {
  words: Uint32Array;
  stride: number;
}

/** `r` grown to whole 16×16 macroblocks and clipped to the frame. */
export function mbAligned(r: Area, width: number, height: number): Area {
  const x = Math.max(0, Math.floor(r.x / 16) * 16);
  const y = Math.max(0, Math.floor(r.y / 16) * 16);
  const x1 = Math.min(width, Math.ceil((r.x + r.width) / 16) * 16);
  const y1 = Math.min(height, Math.ceil((r.y + r.height) / 16) * 16);
  return { x, y, width: Math.max(0, x1 - x), height: Math.max(0, y1 - y) };
}

/** Which macroblocks changed lately, from one frame's I420 planes to the next. */
export class MacroblockChanges {
  readonly cols: number;
  readonly rows: number;
  readonly #width: number;
  readonly #height: number;
  readonly #refineFrames: number;
  readonly #changed: Uint8Array;
  /** Frames since each macroblock last changed (saturating). */
  readonly #age: Uint16Array;
  /** The previous frame's planes. */
  readonly #prev: Uint32Array[] = [];

  constructor(width: number, height: number, fps: number) {
    this.#width = width;
    this.#height = height;
    this.cols = (width + 15) >> 4;
    this.rows = (height + 15) >> 4;
    this.#refineFrames = Math.max(1, Math.round(fps * REFINE_SECONDS));
    this.#changed = new Uint8Array(this.cols * this.rows);
    this.#age = new Uint16Array(this.cols * this.rows);
  }

  /**
   * Marks macroblocks whose pixels differ from the previous frame and saves this frame — in
   * the first `count` planes, in the whole frame or only inside `areas` (macroblock-aligned
   * luma rectangles) when the rest is known to be unchanged.
   */
  detect(planes: readonly PlaneWords[], count: number, areas?: readonly Area[]): void {
    const changed = this.#changed;
    changed.fill(0);
    const whole = [{ x: 0, y: 0, width: this.#width, height: this.#height }];
    const mbCols = this.cols, lastCol = mbCols - 1;
    for (let p = 0; p < count; p++) {
      const cur = planes[p].words;
      const prev = this.#prev[p] ??= new Uint32Array(cur.length);
      const shift = p === 0 ? 4 : 3; // a macroblock is 16 luma / 8 chroma pixels wide and high
      const sub = p === 0 ? 0 : 1; // chroma planes are half size
      const pw = p === 0 ? this.#width : (this.#width + 1) >> 1;
      const ph = p === 0 ? this.#height : (this.#height + 1) >> 1;
      const strideWords = planes[p].stride >> 2;
      const wordShift = shift - 2; // word index → macroblock column
      for (const a of areas ?? whole) {
        const x0 = a.x >> sub, y0 = a.y >> sub;
        const x1 = Math.min(pw, (a.x + a.width + sub) >> sub);
        const y1 = Math.min(ph, (a.y + a.height + sub) >> sub);
        const w0 = x0 >> 2, w1 = (x1 + 3) >> 2;
        for (let y = y0; y < y1; y++) {
          const base = y * strideWords, mbRow = (y >> shift) * mbCols;
          for (let i = w0; i < w1; i++) {
            if (cur[base + i] !== prev[base + i]) {
              const col = i >> wordShift;
              changed[mbRow + (col > lastCol ? lastCol : col)] = 1;
            }
          }
          prev.set(cur.subarray(base + w0, base + w1), base + w0);
        }
      }
    }
  }

  /** Ages the macroblocks and writes the active map: 1 for those still worth coding. */
  activeMap(map: Uint8Array): void {
    const age = this.#age, changed = this.#changed, refine = this.#refineFrames;
    for (let i = 0; i < age.length; i++) {
      const a = changed[i] ? 0 : (age[i] < 0xffff ? age[i] + 1 : 0xffff);
      age[i] = a;
      map[i] = a < refine ? 1 : 0;
    }
  }

  /** Lets every macroblock be coded again for a while (after a keyframe or a new preset). */
  refineAll(): void {
    this.#age.fill(0);
  }
}
