// Two native I420 picture buffers for an encoder that codes one frame on another thread while
// the next is converted (h264.ts's encodeAsync): each frame is converted into the buffer that
// does not hold the latest picture, so the one being coded is never written. Only the areas
// that changed are converted, and a buffer is two frames behind, so a frame converts its own
// changed areas and those of the frame before it.
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
  /** Whether each buffer's picture is greyscale (null: never written). */
  #grey: (boolean | null)[] = [null, null];
  /** What changed from the picture before the latest to the latest (undefined: unknown). */
  #lastDirty: readonly Area[] | undefined;
  /** Whole-frame conversions still owed before areas may be converted alone. */
  #fullLeft = 2;
  #sinceFull = 0;

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
   * Converts a BGRX frame into the other buffer, which becomes the latest; returns its index.
   * `dirty`: the areas that changed since the previous frame (undefined: unknown); `full`:
   * convert the whole frame regardless (a keyframe).
   */
  convert(
    bgrx: Uint8Array,
    stride: number,
    dirty: readonly Area[] | undefined,
    full: boolean,
    grey: boolean,
  ): number {
    const target = this.#latest < 0 ? 0 : 1 - this.#latest;
    const { width: w, height: h } = this.size;
    const known = dirty && this.#lastDirty;
    const partial = known && !full && this.#fullLeft === 0 && this.#sinceFull < FULL_PASS_EVERY &&
        this.#grey[target] === grey
      ? [...this.#lastDirty!, ...dirty!].map((r) => mbAligned(r, w, h))
        .filter((r) => r.width > 0 && r.height > 0)
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
    if (partial) this.#sinceFull++;
    else {
      this.#sinceFull = 0;
      // A full pass outside the owed ones (a keyframe, every FULL_PASS_EVERY frames): the other
      // buffer is refreshed whole by the next conversion too.
      this.#fullLeft = this.#fullLeft > 0 ? this.#fullLeft - 1 : 1;
    }
    this.#lastDirty = dirty ? [...dirty] : undefined;
    this.#grey[target] = grey;
    this.#latest = target;
    return target;
  }

  /** The next two conversions are whole frames (the greyscale setting changed). */
  invalidate(): void {
    this.#fullLeft = 2;
  }

  free(): void {
    for (const m of this.#mem) this.libc.free(m);
    this.#mem = [];
    this.#sets = [];
  }
}
