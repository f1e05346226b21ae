/**
 * Paints the technician's own strokes and laser dot over the picture at once (stroke_preview.ts
 * has the rule): a canvas over the visible part of the picture, never the target of a click,
 * fed with what this window sends (`sent`), told of each video frame shown
 * (`requestVideoFrameCallback`) so the pieces give way to the picture, and repainted whenever
 * the layout moves (scale mode, full screen, scrolling, another screen chosen). The magnifier
 * draws this canvas into its lens (stage.ts), so a fresh line shows there too.
 *
 * Other technicians' laser dots are painted here too, as the server relays them (ViewerMessage
 * `laser`): the agent's picture leaves the laser out, so a colleague or a monitoring admin would
 * not see where it points otherwise. The customer sees a red dot; so do they, with the pointing
 * technician's name beside it.
 *
 * While the picture is recorded the support app keeps the customer's dot in it (the state's
 * `laserInPicture`), so the recording shows it: then every dot here is a ring — where a
 * technician points now — and the red dot inside it comes with the picture, a round trip later.
 */
import type { ViewerInput } from "../../protocol/viewer.ts";
import { LASER_COLOR, WHITEBOARD_COLORS } from "../../protocol/limits.ts";
import type { Rect, Size } from "./geometry.ts";
import {
  clientWidth,
  laserDiameter,
  StrokePreview,
  toClient,
  visiblePart,
} from "./stroke_preview.ts";

/** The canvas's own styles (placed and sized by the painter): over the picture, no clicks. */
export const PREVIEW_STYLE = {
  position: "absolute",
  left: "0",
  top: "0",
  pointerEvents: "none",
} as const;

export interface PreviewOverlayHost {
  canvas(): HTMLCanvasElement | null;
  stage(): HTMLElement | null;
  video(): HTMLVideoElement | null;
  /** Where the picture is (client pixels) and the shown screen's size (geometry.ts). */
  contentRect(): Rect | null;
  screenSize(): Size | null;
  /** The screen shown (`ViewState.currentScreen`) and the link's round trip, if measured. */
  screen(): string | null;
  rttMs(): number | null;
  /** The picture carries the laser's dot (the state's `laserInPicture`): rings, not dots. */
  laserInPicture(): boolean;
}

type FrameCallback = (now: number, meta: { receiveTime?: number }) => void;
type FramedVideo = HTMLVideoElement & {
  requestVideoFrameCallback?(callback: FrameCallback): number;
  cancelVideoFrameCallback?(id: number): void;
};

export class PreviewOverlay {
  readonly model = new StrokePreview();
  #paintFrame = 0;
  #videoWatch = 0;
  /** The part of the picture the canvas covers (client pixels) as last painted. */
  #covers: Rect | null = null;
  /** Other windows' laser dots by their pen number: where (screen pixels) and whose. */
  readonly #others = new Map<number, { x: number; y: number; name: string }>();

  constructor(private readonly host: PreviewOverlayHost) {}

  /** A message this window sent the customer's screen (only those that went out). */
  sent(message: ViewerInput): void {
    switch (message.type) {
      case "stroke": {
        const { color, width, points } = message;
        const at = { screen: this.host.screen(), now: performance.now(), rttMs: this.host.rttMs() };
        this.model.stroke({ color, width, points }, at);
        this.#watchFrames();
        break;
      }
      case "laser":
        this.model.laser(message.at, this.host.screen());
        break;
      case "whiteboardClear":
        this.model.clear();
        break;
      case "whiteboardUndo":
        this.model.undo();
        break;
      case "whiteboard":
        if (!message.on) this.model.clear();
        break;
      default:
        return;
    }
    // Painted now, in the frame that sent it (a rAF would add a frame of delay).
    if (this.host.canvas()) {
      cancelAnimationFrame(this.#paintFrame);
      this.#paint(performance.now());
    }
  }

  /** Another window's laser at `at` (null: gone), as the server relayed it. */
  othersLaser(by: number, name: string, at: { x: number; y: number } | null): void {
    if (at) this.#others.set(by, { ...at, name });
    else if (!this.#others.delete(by)) return;
    this.update();
  }

  /** The other windows' dots gone (the picture or the socket gone; they are told again). */
  othersGone(): void {
    if (this.#others.size === 0) return;
    this.#others.clear();
    this.update();
  }

  /** Everything gone from the preview (the whiteboard off, the picture or the socket gone). */
  clear(): void {
    this.model.clear();
    this.update();
  }

  /** Repaints at the next animation frame (the layout or the state may have moved). */
  update(): void {
    if (!this.host.canvas()) return; // not mounted (or a test's stage without one)
    if (!this.#paintFrame) this.#paintFrame = requestAnimationFrame(this.#paint);
  }

  /** The canvas and the client rectangle it covers, for the magnifier (null: nothing drawn). */
  placed(): { image: HTMLCanvasElement; rect: Rect } | null {
    const canvas = this.host.canvas();
    if (!canvas || canvas.hidden || !this.#covers) return null;
    return { image: canvas, rect: this.#covers };
  }

  dispose(): void {
    cancelAnimationFrame(this.#paintFrame);
    this.#paintFrame = 0;
    const video = this.host.video() as FramedVideo | null;
    if (this.#videoWatch) video?.cancelVideoFrameCallback?.(this.#videoWatch);
    this.#videoWatch = 0;
  }

  /** While pieces wait for the picture, each frame shown is checked against them. */
  #watchFrames() {
    const video = this.host.video() as FramedVideo | null;
    if (this.#videoWatch || !video?.requestVideoFrameCallback) return;
    this.#videoWatch = video.requestVideoFrameCallback((now, meta) => {
      this.#videoWatch = 0;
      if (this.model.framePresented(meta.receiveTime ?? now, now)) this.update();
      if (this.model.waiting > 0) this.#watchFrames();
    });
  }

  #paint = (now: number) => {
    this.#paintFrame = 0;
    const canvas = this.host.canvas();
    const stage = this.host.stage();
    const rect = this.host.contentRect();
    const screen = this.host.screenSize();
    const shown = this.model.visible(this.host.screen(), now);
    const box = stage?.getBoundingClientRect();
    const inner = stage && box
      ? {
        left: box.left + stage.clientLeft,
        top: box.top + stage.clientTop,
        width: stage.clientWidth,
        height: stage.clientHeight,
      }
      : null;
    const part = rect && inner ? visiblePart(rect, inner) : null;
    const empty = shown.pieces.length === 0 && !shown.laser && this.#others.size === 0;
    if (!canvas || !stage || !rect || !screen || !part || empty) {
      this.#covers = null;
      if (canvas) {
        canvas.hidden = true;
        canvas.dataset.pieces = "0";
        canvas.dataset.others = "0";
        canvas.dataset.laser = "none";
      }
      return;
    }
    // Placed in the stage's content box, which scrolls in "actual" mode.
    const x = part.left - (inner!.left - stage.scrollLeft);
    const y = part.top - (inner!.top - stage.scrollTop);
    canvas.style.transform = `translate(${x}px, ${y}px)`;
    canvas.style.width = `${part.width}px`;
    canvas.style.height = `${part.height}px`;
    const ratio = globalThis.devicePixelRatio || 1;
    const width = Math.round(part.width * ratio), height = Math.round(part.height * ratio);
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.setTransform(ratio, 0, 0, ratio, -part.left * ratio, -part.top * ratio);
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    for (const { piece, alpha } of shown.pieces) {
      ctx.globalAlpha = Math.max(0, alpha);
      ctx.strokeStyle = ctx.fillStyle = WHITEBOARD_COLORS[piece.color];
      ctx.lineWidth = clientWidth(piece.width, rect, screen);
      const first = toClient({ x: piece.points[0], y: piece.points[1] }, rect, screen);
      ctx.beginPath();
      if (piece.points.length === 2) {
        ctx.arc(first.x, first.y, ctx.lineWidth / 2, 0, Math.PI * 2); // a click is a dot
        ctx.fill();
        continue;
      }
      ctx.moveTo(first.x, first.y);
      for (let i = 2; i < piece.points.length; i += 2) {
        const p = toClient({ x: piece.points[i], y: piece.points[i + 1] }, rect, screen);
        ctx.lineTo(p.x, p.y);
      }
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
    const ring = this.host.laserInPicture();
    if (shown.laser) {
      _laserMark(ctx, toClient(shown.laser, rect, screen), laserDiameter(rect, screen) / 2, ring);
    }
    this.#paintOthers(ctx, rect, screen, ring);
    this.#covers = part;
    canvas.hidden = false;
    // For tests: how many pieces show, how many still wait for the picture.
    canvas.dataset.pieces = String(shown.pieces.length);
    canvas.dataset.waiting = String(this.model.waiting);
    canvas.dataset.others = String(this.#others.size);
    canvas.dataset.laser = shown.laser ? (ring ? "ring" : "dot") : "none";
    if (this.model.fading) this.update();
  };

  /**
   * Each other technician's dot, red as on the customer's screen (a ring while the picture
   * carries the dot), their name on a label.
   */
  #paintOthers(ctx: CanvasRenderingContext2D, rect: Rect, screen: Size, ring: boolean) {
    const radius = laserDiameter(rect, screen) / 2;
    ctx.font = "600 12px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    for (const { x, y, name } of this.#others.values()) {
      const at = toClient({ x, y }, rect, screen);
      _laserMark(ctx, at, radius, ring);
      if (!name) continue;
      const left = at.x + radius + 4, width = ctx.measureText(name).width + 10;
      ctx.fillStyle = "rgba(20, 20, 20, 0.78)";
      ctx.beginPath();
      ctx.roundRect(left, at.y - 10, width, 20, 4);
      ctx.fill();
      ctx.fillStyle = "#ffffff";
      ctx.fillText(name, left + 5, at.y + 1);
    }
  }
}

/**
 * The laser's red dot at `at`, or (`ring`: the picture carries the dot) a red ring around where
 * it will be, with a white edge so it shows on red and dark screens alike.
 */
function _laserMark(
  ctx: CanvasRenderingContext2D,
  at: { x: number; y: number },
  radius: number,
  ring: boolean,
) {
  ctx.beginPath();
  if (!ring) {
    ctx.fillStyle = LASER_COLOR;
    ctx.arc(at.x, at.y, radius, 0, Math.PI * 2);
    ctx.fill();
    return;
  }
  const outer = radius + 3;
  ctx.arc(at.x, at.y, outer, 0, Math.PI * 2);
  ctx.lineWidth = 4;
  ctx.strokeStyle = "#ffffff";
  ctx.stroke();
  ctx.lineWidth = 2;
  ctx.strokeStyle = LASER_COLOR;
  ctx.stroke();
}
