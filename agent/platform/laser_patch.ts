/**
 * The laser's dot left out of the technician's picture (SPEC R4): the technician's window
 * paints its own dot at the pointer at once (islands/remote_view/stroke_preview.ts); the dot on
 * the customer's screen reaches the picture a round trip and a frame later, so while the
 * pointer moves the technician saw two dots a latency apart. The customer's dot stays on the
 * customer's screen; in the captured frame its pixels are replaced by what was under it.
 *
 * Before the dot moves, the screen under its new place is read (`Patch`, B,G,R,X rows); where
 * the old dot still covers part of it, the old patch gives those pixels (`mergeUnder`). After a
 * grab, every pixel of the dot's colour inside its square is put back from the patch
 * (`hideDot`): the dot is round and has one colour, so its corners and anything else show live.
 * What the dot covers cannot be seen by the customer either: while it rests there, that spot of
 * the picture is the last thing under it (the technician's own dot covers it). A compositor
 * paints moves late, so the squares the dot left in the last half second are kept and hidden
 * too (`LaserTrail`).
 */

/** A rectangle of the screen, B,G,R,X bytes, `width * 4` per row. */
export interface Patch {
  x: number;
  y: number;
  width: number;
  height: number;
  data: Uint8Array;
}

/** A captured frame as the platform hands it out (platform/types.ts `Frame`). */
export interface PatchFrame {
  width: number;
  height: number;
  stride: number;
  data: Uint8Array;
}

function _isDot(data: Uint8Array, i: number, rgb: number): boolean {
  return data[i] === (rgb & 0xff) && data[i + 1] === ((rgb >> 8) & 0xff) &&
    data[i + 2] === ((rgb >> 16) & 0xff);
}

/**
 * `fresh`, read where the dot goes, with the pixels the old dot (`old`, where it was) still
 * covered taken from what the old patch had under them. Returns `fresh`, changed in place.
 */
export function mergeUnder(fresh: Patch, old: Patch | null, rgb: number): Patch {
  if (!old) return fresh;
  const x0 = Math.max(fresh.x, old.x), x1 = Math.min(fresh.x + fresh.width, old.x + old.width);
  const y0 = Math.max(fresh.y, old.y), y1 = Math.min(fresh.y + fresh.height, old.y + old.height);
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = ((y - fresh.y) * fresh.width + (x - fresh.x)) * 4;
      if (!_isDot(fresh.data, i, rgb)) continue;
      const j = ((y - old.y) * old.width + (x - old.x)) * 4;
      fresh.data.set(old.data.subarray(j, j + 4), i);
    }
  }
  return fresh;
}

/** The dot's pixels (its colour inside the patch's square) in `frame` put back from `patch`. */
export function hideDot(frame: PatchFrame, patch: Patch, rgb: number): void {
  const x0 = Math.max(0, patch.x), x1 = Math.min(frame.width, patch.x + patch.width);
  const y0 = Math.max(0, patch.y), y1 = Math.min(frame.height, patch.y + patch.height);
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = y * frame.stride + x * 4;
      if (!_isDot(frame.data, i, rgb)) continue;
      const j = ((y - patch.y) * patch.width + (x - patch.x)) * 4;
      frame.data.set(patch.data.subarray(j, j + 4), i);
    }
  }
}

/** How long a square the dot left stays hidden too (see LaserTrail). */
export const TRAIL_MS = 500;
/** At most this many squares kept (a pointer moved fast for TRAIL_MS). */
const TRAIL_MAX = 32;

/**
 * The dot's square now and the squares it left in the last `keepMs`, each with what the screen
 * had under it, newest first. A compositor paints a move when it gets to it — on a loaded
 * machine picom was seen showing the dot two moves late, where neither the new square nor the
 * one just left covered it — so a grab may show the dot at any of them, and each is hidden.
 */
export class LaserTrail {
  #places: { patch: Patch; leftAt: number | null }[] = [];

  constructor(readonly rgb: number, readonly keepMs = TRAIL_MS) {}

  /**
   * The dot goes to a new square: `fresh` was read there before it moved (null: nothing known,
   * as under a lock screen); where an earlier dot still showed in it, the trail's pixels are
   * taken (mergeUnder, newest first).
   */
  moveTo(fresh: Patch | null, now = performance.now()): void {
    for (const place of this.#places) place.leftAt ??= now;
    this.#prune(now);
    if (!fresh) return;
    for (const place of this.#places) mergeUnder(fresh, place.patch, this.rgb);
    this.#places.unshift({ patch: fresh, leftAt: null });
    this.#places.length = Math.min(this.#places.length, TRAIL_MAX);
  }

  /** Forgets every square (the dot hidden, or the screen under it changed wholesale). */
  clear(): void {
    this.#places = [];
  }

  /** The dot's pixels in `frame` put back, in its square now and in those it left lately. */
  hide(frame: PatchFrame, now = performance.now()): void {
    this.#prune(now);
    for (const place of this.#places) hideDot(frame, place.patch, this.rgb);
  }

  #prune(now: number) {
    this.#places = this.#places.filter((p) => p.leftAt === null || now - p.leftAt <= this.keepMs);
  }
}
