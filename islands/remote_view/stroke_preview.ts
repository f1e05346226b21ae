/**
 * The technician's own strokes and laser dot, shown at once over the picture (SPEC R4) — the
 * picture carries them only a round trip and a frame later. This is the rule; the canvas that
 * paints it is `preview_overlay.ts`.
 *
 * A piece of a line is kept from the moment it is sent until the picture has had time to show
 * it: the first video frame received at least a round trip (the WebRTC stats' RTT) plus
 * `FRAME_SLACK_MS` (the agent's capture, encoding, the jitter buffer) after the piece went out.
 * From that frame on the picture is the truth, so the piece fades out over `FADE_MS` and the
 * line is the picture's own: no doubled or offset line stays, and a stroke the customer's screen
 * did not take (refused, lost with the link) does not linger as if it were there. While no frame
 * comes (a frozen stream) the piece stays. Clear, the whiteboard going off, the picture going
 * and the socket closing remove every piece at once; Undo removes this window's last line (the
 * agent takes away the last line anyone drew: with two technicians drawing, the picture has
 * the last word a frame later). Pieces are kept per screen (a line drawn on
 * one monitor is not shown over another's picture). The laser's dot is not faded: it is this
 * window's pointer, drawn where the customer's dot will be — and the one dot the technician
 * sees, as the agent leaves its laser out of the picture (agent/platform/laser_patch.ts).
 */
import { LASER_DIAMETER, type WhiteboardColor } from "../../protocol/limits.ts";
import type { Point, Rect, Size } from "./geometry.ts";

/** After the expected round trip, how long the picture may still take to carry a stroke. */
export const FRAME_SLACK_MS = 150;
/** The round trip assumed before the stats have measured one. */
export const RTT_UNKNOWN_MS = 200;
/** How long a piece takes to fade once the picture shows it. */
export const FADE_MS = 250;

export interface PreviewPiece {
  /** The screen it was drawn on (`ViewState.currentScreen`). */
  screen: string | null;
  color: WhiteboardColor;
  width: number;
  /** x, y pairs in the screen's pixels, as sent. */
  points: readonly number[];
  /** The first frame received from this time on may carry it (performance.now() ms). */
  dueAt: number;
  /** When the picture showed it and the fade began, or null. */
  fadeFrom: number | null;
  /** The line it belongs to (pieces continuing one line share it). */
  line: number;
}

/** Lines remembered for Undo after their pieces gave way (older ones cannot be undone here). */
const LINES_KEPT = 256;

export class StrokePreview {
  #pieces: PreviewPiece[] = [];
  #laser: { screen: string | null; at: Point } | null = null;
  /** The lines sent, oldest first: each its number and where its last piece ended, in its pen. */
  #lines: { line: number; end: string }[] = [];
  #nextLine = 1;

  /** A piece of a line just sent to the customer's screen. */
  stroke(
    piece: { color: WhiteboardColor; width: number; points: readonly number[] },
    at: { screen: string | null; now: number; rttMs: number | null },
  ): void {
    const dueAt = at.now + (at.rttMs ?? RTT_UNKNOWN_MS) + FRAME_SLACK_MS;
    // As the agent groups them: a piece starting at the last line's end in the same pen goes on.
    const pen = `${at.screen}/${piece.color}/${piece.width}`;
    const [x, y] = piece.points;
    const last = this.#lines.at(-1);
    const continues = piece.points.length > 2 && last?.end === `${pen}/${x},${y}`;
    const line = continues ? last!.line : this.#nextLine++;
    const end = `${pen}/${piece.points.at(-2)},${piece.points.at(-1)}`;
    if (continues) last!.end = end;
    else this.#lines = [...this.#lines.slice(-LINES_KEPT + 1), { line, end }];
    this.#pieces.push({ ...piece, screen: at.screen, dueAt, fadeFrom: null, line });
  }

  /** The last line sent is taken away (Undo). */
  undo(): void {
    const last = this.#lines.pop();
    if (last) this.#pieces = this.#pieces.filter((p) => p.line !== last.line);
  }

  /** The laser's dot at this point of `screen`, or hidden (null). */
  laser(at: Point | null, screen: string | null = null): void {
    this.#laser = at ? { screen, at } : null;
  }

  /** Every piece and the dot gone (Clear, the whiteboard off, the picture or socket gone). */
  clear(): void {
    this.#pieces = [];
    this.#lines = [];
    this.#laser = null;
  }

  /**
   * A video frame received at `receivedAt` was shown at `now`: the pieces it is due to carry
   * begin to fade. Returns whether any did.
   */
  framePresented(receivedAt: number, now = receivedAt): boolean {
    let changed = false;
    for (const piece of this.#pieces) {
      if (piece.fadeFrom === null && piece.dueAt <= receivedAt) {
        piece.fadeFrom = now;
        changed = true;
      }
    }
    return changed;
  }

  /** Pieces still waiting for the picture (a frame watch is needed while there are). */
  get waiting(): number {
    return this.#pieces.filter((p) => p.fadeFrom === null).length;
  }

  /** Pieces fading (a repaint is needed each frame while there are). */
  get fading(): boolean {
    return this.#pieces.some((p) => p.fadeFrom !== null);
  }

  /** What to paint at `now` over `screen`'s picture: pieces with their opacity, and the dot. */
  visible(screen: string | null, now: number): {
    pieces: { piece: PreviewPiece; alpha: number }[];
    laser: Point | null;
  } {
    this.#pieces = this.#pieces.filter((p) => p.fadeFrom === null || now - p.fadeFrom < FADE_MS);
    const pieces = this.#pieces.filter((p) => p.screen === screen).map((piece) => ({
      piece,
      alpha: piece.fadeFrom === null ? 1 : 1 - (now - piece.fadeFrom) / FADE_MS,
    }));
    const laser = this.#laser?.screen === screen ? this.#laser.at : null;
    return { pieces, laser };
  }
}

/**
 * A screen pixel → where its centre is on the page (client pixels): the inverse of geometry.ts
 * `toRemote`, so a preview lies on the pixels the customer's screen draws.
 */
export function toClient(point: Point, rect: Rect, screen: Size): Point {
  return {
    x: rect.left + (point.x + 0.5) * rect.width / screen.width,
    y: rect.top + (point.y + 0.5) * rect.height / screen.height,
  };
}

/** A pen width (screen pixels) as drawn over the picture (client pixels). */
export function clientWidth(width: number, rect: Rect, screen: Size): number {
  return width * Math.min(rect.width / screen.width, rect.height / screen.height);
}

/** The laser dot's diameter over the picture (client pixels): the customer's, scaled. */
export function laserDiameter(rect: Rect, screen: Size): number {
  return clientWidth(LASER_DIAMETER, rect, screen);
}

/** The part of the picture inside the stage's visible box (client pixels), or null. */
export function visiblePart(picture: Rect, stage: Rect): Rect | null {
  const left = Math.max(picture.left, stage.left);
  const top = Math.max(picture.top, stage.top);
  const right = Math.min(picture.left + picture.width, stage.left + stage.width);
  const bottom = Math.min(picture.top + picture.height, stage.top + stage.height);
  if (right <= left || bottom <= top) return null;
  return { left, top, width: right - left, height: bottom - top };
}
