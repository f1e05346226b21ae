// Two native I420 picture buffers for an encoder that codes one frame on another thread while
// the next is converted (h264.ts's encodeAsync): while a frame is coded, the next is converted
// into the other buffer, so the one being coded is never written; otherwise over the latest.
// Only the areas that changed are converted: over the latest, this frame's; into a buffer one
// frame further behind, the latest's too; into one further still, the whole frame.
import { type Area, mbAligned } from "./macroblocks.ts";
import { FULL_PASS_EVERY } from "./encoding.ts";
import { bgrxToPlanes, type Libc, type Yuv } from "./yuv.ts";

export class PlanePair {
  /** Row strides of Y, U and V (32-byte aligned), the same in both buffers. */
  readonly strides: readonly number[];
  #mem: Deno.PointerObject[] = [];
  #sets: Deno.PointerObject[][] = [];
  /** The buffer holding the latest picture (-1: none yet). */
  #latest = -1;
  /** Frames converted so far, and which one each buffer holds (-Infinity: none to build on). */
  #count = 0;
  #held = [-Infinity, -Infinity];
  /** Whether each buffer's picture is greyscale. */
  #grey = [false, false];
  /** What changed from the picture before the latest to the latest (undefined: unknown). */
  #lastDirty: readonly Area[] | undefined;
  /** Conversions into each buffer since its last whole one (see FULL_PASS_EVERY). */
  #sinceFull = [0, 0];

  constructor(
    private readonly libc: Libc,
    private readonly yuv: Yuv,
    private readonly size: { width: number; height: number },
  ) {
    const { width, height } = size;
    const sy = (width + 31) & ~31, sc = ((width >> 1) + 31) & ~31;
    const ySize = sy * height, cSize = sc * (height >> 1);
    this.strides = [sy, sc, sc];
    for (let i = 0; i < 2; i++) {
      const mem = libc.calloc(1n, BigInt(ySize + 2 * cSize));
      if (!mem) {
        this.free();
        throw new Error("calloc failed");
      }
      this.#mem.push(mem);
      this.#sets.push([
        mem,
        Deno.UnsafePointer.offset(mem, ySize)!,
        Deno.UnsafePointer.offset(mem, ySize + cSize)!,
      ]);
    }
  }

  /** The buffer holding the latest picture, -1 before the first. */
  get latest(): number {
    return this.#latest;
  }

  /** Whether the latest picture is greyscale; null before the first. */
  get latestGrey(): boolean | null {
    return this.#latest < 0 ? null : this.#grey[this.#latest];
  }

  /** Y, U and V of buffer `set`. */
  planes(set: number): readonly Deno.PointerObject[] {
    return this.#sets[set];
  }

  /**
   * Converts a BGRX frame; returns the buffer it went into, now the latest. `spare`: into the
   * buffer that does not hold the latest picture (which is being coded), else over the latest
   * (one buffer's worth of memory touched: a small change's encode was ≈ 0.7 ms slower when
   * every frame alternated). `dirty`: the areas that changed since the previous frame
   * (undefined: unknown); `full`: convert the whole frame regardless (a keyframe).
   */
  convert(
    bgrx: Uint8Array,
    stride: number,
    options: { dirty?: readonly Area[]; full: boolean; grey: boolean; spare: boolean },
  ): number {
    const { dirty, full, grey, spare } = options;
    const target = this.#latest < 0 ? 0 : spare ? 1 - this.#latest : this.#latest;
    const { width: w, height: h } = this.size;
    // What the target lacks: this frame's changes, and the latest's if it holds the one before.
    const lacking = this.#held[target] === this.#count - 1
      ? dirty
      : this.#held[target] === this.#count - 2 && this.#lastDirty && dirty
      ? [...this.#lastDirty, ...dirty]
      : undefined;
    const partial = lacking && !full && this.#sinceFull[target] < FULL_PASS_EVERY &&
        this.#grey[target] === grey
      ? lacking.map((r) => mbAligned(r, w, h)).filter((r) => r.width > 0 && r.height > 0)
      : undefined;
    bgrxToPlanes(
      this.yuv,
      bgrx,
      stride,
      { pointers: this.#sets[target], strides: this.strides },
      this.size,
      partial,
      grey,
    );
    this.#sinceFull[target] = partial ? this.#sinceFull[target] + 1 : 0;
    this.#lastDirty = dirty ? [...dirty] : undefined;
    this.#grey[target] = grey;
    this.#held[target] = this.#count++;
    this.#latest = target;
    return target;
  }

  /** The next conversion into either buffer is a whole frame (the greyscale setting changed). */
  invalidate(): void {
    this.#held = [-Infinity, -Infinity];
  }

  free(): void {
    for (const m of this.#mem) this.libc.free(m);
    this.#mem = [];
    this.#sets = [];
  }
}
