/**
 * The customer's pointer apart from the picture (issue 14, protocol/cursor.ts). While the server
 * asks for it (`cursorMode`), screen.ts leaves the pointer out of its frames and hands each look
 * at it here; this sends `cursor`: the hot spot on the shown screen (`visible: false`, clamped
 * into it, while the pointer is on another monitor) and the image when its XFixes serial changed
 * — and once more first after every switch to separate, another screen shown or view given
 * again (`oweShape`), since the viewers may have had none or another.
 *
 * At most 60 messages a second on average, by credit as frames are paced (capture_pacer.ts):
 * a look that may not go yet waits, and a later look replaces it (the latest position wins; the
 * shape goes with whichever message is next, so a change is never lost). Not a fixed 16 ms
 * after the last message: a hand moving the pointer 60 times a second was then sent late by a
 * little more each time, its wake-up held for 16 ms and the timer a millisecond or two late,
 * until a move was dropped (bench:remote pointer: the island got a move 8 ms after it at p50,
 * and 1 in 10 not at all). The customer's consent is asked at the moment of
 * sending, as for frames: a waiting message is dropped if view was taken back meanwhile.
 */
import { type AgentMessage, type CursorShape, cursorShapeProblem } from "../protocol/mod.ts";
import { cursorShape } from "./cursor.ts";
import type { CursorImage } from "./platform/types.ts";
import { CapturePacer, MAX_RATE, MIN_GAP_MS } from "./capture_pacer.ts";

/** The average gap between `cursor` messages at the most (ms): 60 a second, a display's. */
export const CURSOR_EVERY_MS = 1000 / MAX_RATE;
/** The shortest gap between two (ms); screen.ts holds pointer wake-ups this long after a move. */
export const CURSOR_MIN_GAP_MS = MIN_GAP_MS;

/** Where messages go and whether they may go now (the customer allows view). */
export interface CursorOut {
  link(): { send(message: AgentMessage): void } | null;
  allowed(): boolean;
  /** The steady clock (ms). */
  now(): number;
  log?: (line: string) => void;
}

type CursorMessage = Extract<AgentMessage, { type: "cursor" }>;
type Position = { x: number; y: number; visible: boolean };

export class CursorSender {
  /** The serial of the last shape sent (null: none since oweShape). */
  #shapeSerial: number | null = null;
  /** The last position sent, as `x,y,visible` ("" when the next look must be sent anyway). */
  #sentPosition = "";
  readonly #pacer = new CapturePacer();
  /** The latest look, waiting for the pacer. */
  #pending: { position: Position; cursor: CursorImage } | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The last image converted (one conversion per serial, however often it is sent). */
  #converted: { serial: number; shape: CursorShape | null } | null = null;
  /** Messages sent, and their bytes (JSON), for the agent's `--stats`. */
  sent = 0;
  bytes = 0;

  constructor(private out: CursorOut) {}

  /** The next message carries the shape, even if nothing moved. */
  oweShape() {
    this.#shapeSerial = null;
    this.#sentPosition = "";
  }

  /**
   * A look at the pointer: `cursor` as the shown screen's view gives it (relative to its corner),
   * `screen` that screen's size. Returns whether it was news (sent now, or waiting to be).
   */
  look(cursor: CursorImage | null, screen: { width: number; height: number }): boolean {
    if (!cursor) return false;
    const visible = cursor.x >= 0 && cursor.y >= 0 && cursor.x < screen.width &&
      cursor.y < screen.height;
    const position = {
      x: clamp(cursor.x, screen.width - 1),
      y: clamp(cursor.y, screen.height - 1),
      visible,
    };
    if (cursor.serial === this.#shapeSerial && key(position) === this.#sentPosition) {
      this.stop(); // back where the last message said: a waiting one is stale
      return false;
    }
    this.#pending = { position, cursor };
    const wait = this.#pacer.waitMs(this.out.now());
    if (wait <= 0) this.#flush();
    else this.#timer ??= setTimeout(() => this.#flush(), Math.ceil(wait));
    return true;
  }

  /** Drops a waiting message (drawn in again, the sender stopped). */
  stop() {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = null;
  }

  #flush() {
    const pending = this.#pending;
    this.stop();
    const link = this.out.link();
    if (!pending || !link || !this.out.allowed()) return;
    const { position, cursor } = pending;
    const message: CursorMessage = { type: "cursor", ...position };
    if (cursor.serial !== this.#shapeSerial) {
      const shape = this.#shapeOf(cursor);
      if (shape) message.shape = shape;
      this.#shapeSerial = cursor.serial;
    }
    link.send(message);
    this.#sentPosition = key(position);
    this.#pacer.grabbed(this.out.now());
    this.sent++;
    this.bytes += JSON.stringify(message).length;
  }

  #shapeOf(cursor: CursorImage): CursorShape | null {
    if (this.#converted?.serial !== cursor.serial) {
      let shape: CursorShape | null = cursorShape(cursor);
      const problem = cursorShapeProblem(shape);
      if (problem) {
        this.out.log?.(`cursor: ${problem} (${cursor.width}×${cursor.height}); not sent`);
        shape = null;
      }
      this.#converted = { serial: cursor.serial, shape };
    }
    return this.#converted.shape;
  }
}

function clamp(n: number, max: number): number {
  return Math.min(Math.max(0, n), Math.max(0, max));
}

function key(p: Position): string {
  return `${p.x},${p.y},${p.visible}`;
}
