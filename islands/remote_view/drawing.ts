/**
 * The whiteboard's pen and the laser pointer (SPEC R4) → the viewer socket's `stroke` and
 * `laser` messages, in the customer's screen pixels (the stage maps the page to them, as for
 * the pointer: the chosen screen, the view's scale). A line goes out as pieces, one per
 * animation frame (or sooner when a piece is full): each piece starts where the last one
 * ended, so the agent draws them as one line. The laser's moves go out once per frame too.
 */
import { STROKE_POINTS_MAX, type WhiteboardColor } from "../../protocol/limits.ts";
import type { ViewerInput } from "../../protocol/viewer.ts";
import type { Point } from "./geometry.ts";

export interface DrawingDeps {
  send(message: ViewerInput): boolean;
  pen(): { color: WhiteboardColor; width: number };
  requestFrame(callback: () => void): number;
  cancelFrame(id: number): void;
}

export class DrawingInput {
  /** The line being drawn: its points not sent yet, after the last one sent. */
  #line: number[] | null = null;
  #lastSent: Point | null = null;
  #laserAt: Point | null | undefined = undefined;
  #laserShown = false;
  #frame = 0;

  constructor(private readonly deps: DrawingDeps) {}

  /** Whether a line is being drawn (the button is down). */
  get active(): boolean {
    return this.#line !== null;
  }

  /** The pen goes down: a dot at least. */
  down(point: Point): void {
    this.#line = [point.x, point.y];
    this.#lastSent = null;
    this.#schedule();
  }

  move(point: Point): void {
    const line = this.#line;
    if (!line) return;
    const [x, y] = line.length >= 2 ? line.slice(-2) : [this.#lastSent?.x, this.#lastSent?.y];
    if (x === point.x && y === point.y) return;
    line.push(point.x, point.y);
    // A full piece goes at once (the schema's bound), the rest once per frame.
    if (line.length + 2 >= STROKE_POINTS_MAX * 2) this.#flushLine();
    else this.#schedule();
  }

  /** The pen comes up (or the pointer was lost): the rest of the line goes out now. */
  up(): void {
    if (!this.#line) return;
    this.#flushLine();
    this.#line = null;
    this.#lastSent = null;
  }

  /** The laser to this point, or hidden (null); sent once per frame, a hide at once. */
  laser(at: Point | null): void {
    if (at === null) {
      this.#laserAt = undefined;
      if (this.#laserShown) this.deps.send({ type: "laser", at: null });
      this.#laserShown = false;
      return;
    }
    this.#laserAt = at;
    this.#schedule();
  }

  dispose(): void {
    this.deps.cancelFrame(this.#frame);
    this.#frame = 0;
  }

  #schedule() {
    if (!this.#frame) this.#frame = this.deps.requestFrame(() => this.#flush());
  }

  #flush() {
    this.#frame = 0;
    if (this.#line) this.#flushLine();
    if (this.#laserAt) {
      const at = this.#laserAt;
      this.#laserAt = undefined;
      if (this.deps.send({ type: "laser", at: { x: at.x, y: at.y } })) this.#laserShown = true;
    }
  }

  #flushLine() {
    const line = this.#line;
    if (!line) return;
    // Each piece starts at the last one's end; a first piece of one point is a dot.
    const points = this.#lastSent ? [this.#lastSent.x, this.#lastSent.y, ...line] : line;
    if (this.#lastSent && line.length === 0) return;
    if (points.length < 2) return;
    const { color, width } = this.deps.pen();
    this.deps.send({ type: "stroke", color, width, points });
    this.#lastSent = { x: points[points.length - 2], y: points[points.length - 1] };
    this.#line = [];
  }
}
