/**
 * Where the remote screen is on the page, and page coordinates → remote screen pixels.
 * Pure maths over rectangles; the island measures the video element and calls in.
 */

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}
export interface Size {
  width: number;
  height: number;
}
export interface Point {
  x: number;
  y: number;
}
export type ScaleMode = "fit" | "actual" | "stretch";

export const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));

/**
 * Where the picture is inside the video element's box (client pixels). "fit" letterboxes
 * (object-fit: contain); "actual" and "stretch" fill the box.
 */
export function contentRect(box: Rect, video: Size, mode: ScaleMode): Rect {
  if (mode !== "fit") return { left: box.left, top: box.top, width: box.width, height: box.height };
  const scale = Math.min(box.width / video.width, box.height / video.height);
  const width = video.width * scale;
  const height = video.height * scale;
  return {
    left: box.left + (box.width - width) / 2,
    top: box.top + (box.height - height) / 2,
    width,
    height,
  };
}

/**
 * A client point → the remote screen's pixel (screen: its real size, which may differ from the
 * video's during motion mode). Null outside the picture, unless `clampIt` (a drag going out).
 */
export function toRemote(client: Point, rect: Rect, screen: Size, clampIt: boolean): Point | null {
  if (rect.width <= 0 || rect.height <= 0) return null;
  const fx = (client.x - rect.left) / rect.width;
  const fy = (client.y - rect.top) / rect.height;
  if (!clampIt && (fx < 0 || fy < 0 || fx >= 1 || fy >= 1)) return null;
  return {
    x: clamp(Math.floor(fx * screen.width), 0, screen.width - 1),
    y: clamp(Math.floor(fy * screen.height), 0, screen.height - 1),
  };
}

/** How many page pixels one remote pixel takes (below 1: shrunk, the magnifier helps). */
export function displayScale(rect: Rect, screen: Size): number {
  return Math.min(rect.width / screen.width, rect.height / screen.height);
}

/** The magnifier's square, its side in page pixels and how much it enlarges. */
export const LENS_PX = 200;
export const LENS_ZOOM = 3;

/**
 * The magnifier around the pointer: the source square in video pixels and where it is drawn
 * (stage pixels, the stage's top-left inner corner at `stageOrigin`).
 */
export function lensGeometry(pointer: Point, rect: Rect, video: Size, stageOrigin: Point) {
  const perX = video.width / rect.width;
  const perY = video.height / rect.height;
  const sw = (LENS_PX / LENS_ZOOM) * perX;
  const sh = (LENS_PX / LENS_ZOOM) * perY;
  return {
    source: {
      left: (pointer.x - rect.left) * perX - sw / 2,
      top: (pointer.y - rect.top) * perY - sh / 2,
      width: sw,
      height: sh,
    },
    dest: {
      left: pointer.x - stageOrigin.x - LENS_PX / 2,
      top: pointer.y - stageOrigin.y - LENS_PX / 2,
      width: LENS_PX,
      height: LENS_PX,
    },
  };
}
