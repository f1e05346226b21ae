/**
 * The magnifier: a square around the pointer, drawn on the overlay canvas from the video at
 * LENS_ZOOM times the displayed size, redrawn every frame while the pointer stays (the picture
 * under it changes). Offered only while the picture is shown smaller than the remote screen. The
 * customer's pointer, drawn apart from the picture (cursor_overlay.ts), is drawn into it too.
 */
import { LENS_PX, LENS_ZOOM, lensGeometry, type Point, type Rect } from "./geometry.ts";

export interface LensTarget {
  canvas: HTMLCanvasElement;
  video: HTMLVideoElement;
  stage: HTMLElement;
  /** Where the picture is (client pixels), or null. */
  rect: Rect | null;
  /** The customer's pointer over the picture: its image and place (client pixels), if shown. */
  cursor?: { image: CanvasImageSource; rect: Rect } | null;
  /** The technician's own fresh strokes over the picture (preview_overlay.ts), if any. */
  preview?: { image: CanvasImageSource; rect: Rect } | null;
}

/** Draws the lens at `pointer` (client pixels) on the overlay canvas. */
export function drawLens(target: LensTarget, pointer: Point): void {
  const { canvas, video, stage, rect } = target;
  const ratio = globalThis.devicePixelRatio || 1;
  const width = Math.round(stage.clientWidth * ratio);
  const height = Math.round(stage.clientHeight * ratio);
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (!rect) return;
  const stageRect = stage.getBoundingClientRect();
  const origin = { x: stageRect.left + stage.clientLeft, y: stageRect.top + stage.clientTop };
  const videoSize = { width: video.videoWidth, height: video.videoHeight };
  const { source: s, dest: d } = lensGeometry(pointer, rect, videoSize, origin);
  ctx.scale(ratio, ratio);
  ctx.save();
  ctx.beginPath();
  ctx.rect(d.left, d.top, LENS_PX, LENS_PX);
  ctx.clip();
  ctx.fillStyle = "#000";
  ctx.fillRect(d.left, d.top, LENS_PX, LENS_PX);
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(video, s.left, s.top, s.width, s.height, d.left, d.top, LENS_PX, LENS_PX);
  for (const over of [target.preview, target.cursor]) {
    if (!over) continue;
    const c = lensRect(over.rect, pointer, d);
    ctx.drawImage(over.image, c.left, c.top, c.width, c.height);
  }
  ctx.restore();
  ctx.lineWidth = 2;
  ctx.strokeStyle = "#fff";
  ctx.strokeRect(d.left + 1, d.top + 1, LENS_PX - 2, LENS_PX - 2);
  ctx.strokeStyle = "rgba(0, 0, 0, .6)";
  ctx.lineWidth = 1;
  ctx.strokeRect(d.left - 0.5, d.top - 0.5, LENS_PX + 1, LENS_PX + 1);
}

/** A client rectangle as the lens centred on `pointer` (drawn at `dest`) shows it. */
export function lensRect(rect: Rect, pointer: Point, dest: Rect): Rect {
  return {
    left: dest.left + dest.width / 2 + (rect.left - pointer.x) * LENS_ZOOM,
    top: dest.top + dest.height / 2 + (rect.top - pointer.y) * LENS_ZOOM,
    width: rect.width * LENS_ZOOM,
    height: rect.height * LENS_ZOOM,
  };
}

export function clearLens(canvas: HTMLCanvasElement | null): void {
  canvas?.getContext("2d")?.clearRect(0, 0, canvas.width, canvas.height);
}
