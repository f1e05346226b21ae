/**
 * The `pointer` workload (issue 14): the customer's pointer moves over a still screen, as a
 * customer's or a controlling technician's hand moves it, and the technician's view shows it.
 * The harness moves the X pointer itself (XTest, the agent's own X11 backend on the bench
 * display) along a line at y = POINTER_Y: sweeps of SWEEP_PX at 60 moves a second, each sweep
 * followed by a still PAUSE_MS (a pointer that stops, then moves on), and records each move's
 * `Date.now()`. The viewer page (`pointer_reader.js`) records, in every rendering step, where
 * it shows the pointer: from the island's own pointer element where the picture has none (the
 * pointer sent apart), else from the picture — the left edge of the dark arrow in a strip of
 * rows around the line. A shown position is matched to the last move to that x before it, so
 * latency = shown − moved (the same clock), and "shown" counts the distinct positions shown.
 * The offset between the hot spot and what the reader finds is measured first, still.
 */
import { openX11Desktop } from "../../agent/platform/x11.ts";
import { sleep } from "./proc.ts";

/** The row the pointer moves along (inside the idle page's blank area). */
export const POINTER_Y = 600;
const FROM_X = 400;
const SWEEP_PX = 1080;
/** 12 px a move at 60 moves a second: 720 px/s, a brisk hand. */
const STEP_PX = 12;
const MOVE_HZ = 60;
const PAUSE_MS = 500;

export interface PointerMove {
  at: number;
  x: number;
}
export interface PointerSeen {
  at: number;
  x: number;
}

/** Moves the bench display's pointer; the desktop connection is the agent's X11 backend. */
export class PointerMover {
  readonly #desktop;

  constructor(display: string) {
    this.#desktop = openX11Desktop(display);
  }

  /** Puts the pointer at (x, POINTER_Y) and leaves it there. */
  park(x: number) {
    this.#desktop.pointer(x, POINTER_Y);
  }

  /** Sweeps back and forth for `ms`, pausing after each sweep; returns every move made. */
  async run(ms: number): Promise<PointerMove[]> {
    const moves: PointerMove[] = [];
    const end = performance.now() + ms;
    const period = 1000 / MOVE_HZ;
    let forward = true;
    while (performance.now() < end) {
      let due = performance.now();
      for (let i = 1; i <= SWEEP_PX / STEP_PX && performance.now() < end; i++) {
        const x = forward ? FROM_X + i * STEP_PX : FROM_X + SWEEP_PX - i * STEP_PX;
        this.#desktop.pointer(x, POINTER_Y);
        moves.push({ at: Date.now(), x });
        due += period;
        await sleep(Math.max(0, due - performance.now()));
      }
      forward = !forward;
      await sleep(PAUSE_MS);
    }
    return moves;
  }

  close() {
    this.#desktop.close();
  }
}

/**
 * Latencies of the positions shown: each shown x (less the still offset) is matched to the last
 * move to that x made before it was shown; a position that matches no move (a reader's
 * misread, a frame between two moves) is not counted.
 */
export function pointerLatencies(
  moves: readonly PointerMove[],
  seen: readonly PointerSeen[],
  offset: number,
): { latencies: number[]; shown: number } {
  const latencies: number[] = [];
  for (const s of seen) {
    const x = s.x - offset;
    let match: PointerMove | undefined;
    for (const m of moves) {
      if (m.at > s.at) break;
      if (Math.abs(m.x - x) <= 1) match = m;
    }
    if (match) latencies.push(s.at - match.at);
  }
  return { latencies, shown: latencies.length };
}

/** The parked position that calibrates the reader, inside the sweep's range. */
export const PARK_X = FROM_X + SWEEP_PX / 2;
