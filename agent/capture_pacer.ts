/**
 * How soon the damage-driven capture loop (screen.ts) may grab the screen again — and the
 * pointer, sent apart from the picture, may go again (cursor_sender.ts): at most
 * MAX_RATE frames a second on average, but a frame that came late does not hold back the next
 * one — up to BURST frames of credit build up while the screen is slower than MAX_RATE — and
 * never two grabs within MIN_GAP_MS.
 *
 * Why credit and not a fixed gap: a 60 Hz page on X does not paint every 16.7 ms but with a
 * few ms of jitter either way, and the agent's own frame (grab, encode, send: 11–14 ms at 1080p)
 * varies too. A fixed "16 ms since the last grab" merged a late paint and the early one after
 * it into one frame: the agent sent 48–52 of a 60 Hz page's 59.5 frames a second (bench:remote
 * scrolling60, quiet machine, `--stats` wake-ups ≈ 50/s with the socket never busy).
 */
export const MAX_RATE = 60;
const BURST = 2;
export const MIN_GAP_MS = 8;

export class CapturePacer {
  #credit = BURST;
  #creditAt: number | undefined;
  #lastAt: number | undefined;

  /** Milliseconds to wait before a grab at `now` (a steady clock, ms); 0: at once. */
  waitMs(now: number): number {
    this.#refill(now);
    const gap = this.#lastAt === undefined ? 0 : MIN_GAP_MS - (now - this.#lastAt);
    const credit = (1 - this.#credit) * 1000 / MAX_RATE;
    return Math.max(0, gap, credit);
  }

  /** A grab happened at `now`. */
  grabbed(now: number): void {
    this.#refill(now);
    this.#credit = Math.max(0, this.#credit - 1);
    this.#lastAt = now;
  }

  #refill(now: number): void {
    if (this.#creditAt !== undefined && now > this.#creditAt) {
      this.#credit = Math.min(BURST, this.#credit + (now - this.#creditAt) * MAX_RATE / 1000);
    }
    this.#creditAt = Math.max(now, this.#creditAt ?? now);
  }
}
