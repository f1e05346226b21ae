/**
 * The technician's whiteboard and laser pointer on the customer's screen (SPEC R4), as the
 * agent keeps them: the server's messages (already checked against the customer's view
 * consent by agent.ts) become drawing on the desktop's overlay (platform/types.ts `Overlay`).
 *
 * Points arrive in the picture's pixels — the chosen screen's, like the pointer — and are moved
 * onto the whole desktop here. The overlay is opened at the first drawing or laser position
 * and closed when the whiteboard goes off with no laser showing, when view is taken back, the
 * link drops or the session ends (`close`): nothing stays on the customer's screen.
 *
 * The lines drawn are kept (desktop pixels, in pieces, with the window that drew them: the
 * server's `by`) so Undo can take one away — the last line of the technician's window that asks
 * (`by`; without it the last line anyone drew) — and the overlay's drawings are replaced by the
 * others at once (`Overlay.redraw`). A piece continues that window's last line when it starts at
 * its end in the same pen (the viewer sends a line that way, and two technicians drawing at once
 * interleave their pieces); otherwise it begins one.
 */
import { WHITEBOARD_COLORS, type WhiteboardMessage } from "../protocol/mod.ts";
import type { Overlay } from "./platform/types.ts";

export interface WhiteboardDeps {
  /** A new overlay on the customer's screen; null: this desktop cannot show one. */
  open: (() => Overlay) | null;
  /** Where the picture's (0, 0) is on the desktop (the chosen screen's corner). */
  offset(): { x: number; y: number };
  log?: (line: string) => void;
}

interface Line {
  /** The window that drew it (the server's number; 0 from a server that sends none). */
  by: number;
  rgb: number;
  width: number;
  pieces: number[][];
}

export class Whiteboard {
  #overlay: Overlay | null = null;
  #lines: Line[] = [];
  #on = false;
  #laser = false;
  /** The picture keeps the laser's dot (it is recorded): told to each overlay opened. */
  #laserInPicture = false;

  constructor(private readonly deps: WhiteboardDeps) {}

  /** Whether this desktop can show drawings (the hello's `whiteboard`). */
  get available(): boolean {
    return this.deps.open !== null;
  }

  /** The technician's whiteboard is on: the customer's window says they are drawing. */
  get on(): boolean {
    return this.#on;
  }

  /** Acts on one message; returns why it was refused (nothing was drawn), or null. */
  handle(message: WhiteboardMessage): string | null {
    if (!this.deps.open) return "this desktop cannot show drawings";
    try {
      switch (message.type) {
        case "whiteboard":
          this.#on = message.on;
          if (!message.on) this.#clear();
          this.#closeIfIdle();
          return null;
        case "stroke": {
          if (!this.#on) return "the whiteboard is off";
          const { x, y } = this.deps.offset();
          const points = message.points.map((v, i) => v + (i % 2 === 0 ? x : y));
          const rgb = parseInt(WHITEBOARD_COLORS[message.color].slice(1), 16);
          this.#open().stroke(points, rgb, message.width);
          this.#keep({ by: message.by ?? 0, rgb, width: message.width, pieces: [points] });
          return null;
        }
        case "whiteboardClear":
          this.#clear();
          return null;
        case "whiteboardUndo": {
          if (!this.#on) return "the whiteboard is off";
          const by = message.by;
          const at = this.#lines.findLastIndex((line) => by === undefined || line.by === by);
          if (at < 0) return null;
          this.#lines.splice(at, 1);
          if (!this.#overlay) return null;
          // In one step: a frame between a clear and the others drawn again showed none.
          this.#overlay.redraw(
            this.#lines.flatMap((line) =>
              line.pieces.map((points) => ({ points, rgb: line.rgb, width: line.width }))
            ),
          );
          return null;
        }
        case "laser": {
          if (!message.at) {
            this.#laser = false;
            this.#overlay?.laser(null);
            this.#closeIfIdle();
            return null;
          }
          const { x, y } = this.deps.offset();
          this.#open().laser({ x: message.at.x + x, y: message.at.y + y });
          this.#laser = true;
          return null;
        }
      }
    } catch (error) {
      this.deps.log?.(`whiteboard: ${error}`);
      this.close();
      return `the drawing could not be shown: ${String(error).slice(0, 150)}`;
    }
  }

  /**
   * The picture is recorded (`on`) or no longer: its frames keep the laser's dot, so the
   * recording shows where the technician pointed, or leave it out again. True when a dot shows
   * now and the picture must be coded again to have it, or lose it.
   */
  laserInPicture(on: boolean): boolean {
    if (on === this.#laserInPicture) return false;
    this.#laserInPicture = on;
    try {
      this.#overlay?.laserInPicture(on);
    } catch (error) {
      this.deps.log?.(`whiteboard: ${error}`);
    }
    return this.#laser;
  }

  /** Everything off and gone from the screen (view taken back, link lost, session over). */
  close(): void {
    this.#on = false;
    this.#lines = [];
    this.#laser = false;
    const overlay = this.#overlay;
    this.#overlay = null;
    try {
      overlay?.close();
    } catch (error) {
      this.deps.log?.(`whiteboard close: ${error}`);
    }
  }

  #clear() {
    this.#lines = [];
    this.#overlay?.clear();
  }

  /** A piece joins its window's last line when it starts at that line's end in the same pen. */
  #keep(piece: Line) {
    const points = piece.pieces[0];
    const last = this.#lines.findLast((line) => line.by === piece.by);
    const end = last?.pieces.at(-1);
    const continues = last && end && last.rgb === piece.rgb && last.width === piece.width &&
      points.length > 2 && end[end.length - 2] === points[0] && end[end.length - 1] === points[1];
    if (continues) last.pieces.push(points);
    else this.#lines.push(piece);
  }

  #open(): Overlay {
    if (!this.#overlay) {
      this.#overlay = this.deps.open!();
      if (this.#laserInPicture) this.#overlay.laserInPicture(true);
    }
    return this.#overlay;
  }

  #closeIfIdle() {
    if (!this.#on && !this.#laser) this.close();
  }
}
