/**
 * The customer's pointer, drawn by the island itself (issue 14): the agent sends where it is and
 * what it looks like apart from the picture (protocol/cursor.ts), so it moves without a video
 * frame's latency, and while this window controls, the technician's own pointer takes its shape.
 * The rules here are pure: reading the server's message, where the image goes on the page, when
 * it shows and the CSS cursor; `cursor_overlay.ts` applies them to the page.
 */
import {
  cursorPixels,
  type CursorShape,
  cursorShapeProblem,
  type CursorState,
} from "../../protocol/cursor.ts";
import type { Point, Rect, Size } from "./geometry.ts";

/**
 * The server's `cursor` field as a state, null (no pointer apart from the picture) or
 * undefined when it is not one; a shape the island could not draw is left out, and the
 * position still counts.
 */
export function cursorState(value: unknown): CursorState | null | undefined {
  if (value === null) return null;
  if (!value || typeof value !== "object") return undefined;
  const { x, y, visible, shape } = value as Record<string, unknown>;
  if (!Number.isFinite(x) || !Number.isFinite(y) || typeof visible !== "boolean") return undefined;
  const state: CursorState = { x: x as number, y: y as number, visible };
  const s = shape as CursorShape | undefined;
  if (s && typeof s === "object" && typeof s.rgba === "string" && !cursorShapeProblem(s)) {
    state.shape = {
      width: s.width,
      height: s.height,
      hotX: s.hotX,
      hotY: s.hotY,
      rgba: s.rgba,
    };
  }
  return state;
}

/** Something that takes a decoded image (a canvas, in the browser). */
export interface ShapeCanvas {
  width: number;
  height: number;
  getContext(kind: "2d"): { putImageData(data: ImageData, x: number, y: number): void } | null;
  toDataURL(type: "image/png"): string;
}

/** A shape decoded once: the image (drawn on the overlay and in the magnifier) and its PNG. */
export interface DecodedShape<C extends ShapeCanvas = ShapeCanvas> {
  shape: CursorShape;
  canvas: C;
  /** `data:image/png;base64,…`, for the CSS cursor. */
  png: string;
}

/**
 * The shape's pixels into `canvas` (sized to the image) and its PNG; null when the bytes are not
 * base64url after all. `imageData` builds the browser's ImageData (tests pass a stand-in).
 */
export function decodeShape<C extends ShapeCanvas>(
  shape: CursorShape,
  canvas: C,
  imageData: (pixels: Uint8ClampedArray<ArrayBuffer>, width: number, height: number) => ImageData,
): DecodedShape<C> | null {
  let pixels: Uint8ClampedArray<ArrayBuffer>;
  try {
    pixels = cursorPixels(shape);
  } catch {
    return null;
  }
  if (pixels.length !== shape.width * shape.height * 4) return null;
  canvas.width = shape.width;
  canvas.height = shape.height;
  canvas.getContext("2d")?.putImageData(imageData(pixels, shape.width, shape.height), 0, 0);
  return { shape, canvas, png: canvas.toDataURL("image/png") };
}

/**
 * Where the pointer's image goes on the page (client pixels): its hot spot on the remote pixel
 * the agent named, scaled as the picture is (`rect`: where the picture is, `screen`: the shown
 * screen's real size, which the video's may differ from in motion mode).
 */
export function cursorRect(at: Point, shape: CursorShape, rect: Rect, screen: Size): Rect {
  const sx = rect.width / screen.width;
  const sy = rect.height / screen.height;
  return {
    left: rect.left + (at.x - shape.hotX) * sx,
    top: rect.top + (at.y - shape.hotY) * sy,
    width: shape.width * sx,
    height: shape.height * sy,
  };
}

/** The CSS cursor that makes the technician's own pointer look like the customer's. */
export function cssCursor(png: string, shape: CursorShape): string {
  return `url("${png}") ${shape.hotX} ${shape.hotY}, default`;
}

export interface CursorScene {
  /** The last state (null: none, or the pointer is in the picture again). */
  cursor: CursorState | null;
  /** A decoded shape is at hand. */
  shape: boolean;
  /** The picture is on screen (view granted, frames decoded). */
  picture: boolean;
  /** This window's input drives the customer's computer. */
  controlling: boolean;
  /** The technician's pointer is over the picture. */
  hovering: boolean;
}

/**
 * What shows: the overlay (where the customer's pointer is, as the customer sees it) and/or the
 * customer's shape as the technician's own CSS cursor — never both at once, as the technician's
 * pointer over the picture is then the customer's pointer.
 */
export function cursorLook(s: CursorScene): { overlay: boolean; ownCursor: boolean } {
  const ownCursor = s.cursor !== null && s.shape && s.picture && s.controlling && s.hovering;
  const overlay = !ownCursor && s.cursor !== null && s.cursor.visible && s.shape && s.picture;
  return { overlay, ownCursor };
}

/**
 * A length in client pixels rounded to whole device pixels, so an image shown at its own size
 * lands on the pixel grid and stays crisp.
 */
export const toDevicePixel = (n: number, ratio: number) => Math.round(n * ratio) / ratio;

/**
 * Where the overlay's elements go, in the stage's content box (`origin`: its top-left corner in
 * client pixels, scrolled): a frame over the picture that clips the pointer at the screen's edge
 * as the customer sees it (and keeps it from widening the stage's scroll area in "actual" mode),
 * and the image inside the frame. Both on whole device pixels (`ratio`).
 */
export function overlayPlacement(picture: Rect, image: Rect, origin: Point, ratio: number) {
  const at = (n: number) => toDevicePixel(n, ratio);
  const frame = {
    left: at(picture.left - origin.x),
    top: at(picture.top - origin.y),
    width: at(picture.width),
    height: at(picture.height),
  };
  return {
    frame,
    image: {
      left: at(image.left - origin.x) - frame.left,
      top: at(image.top - origin.y) - frame.top,
      width: at(image.width),
      height: at(image.height),
    },
  };
}

/**
 * Whether the image is shown at a whole number of device pixels per image pixel (1:1, 2:1 on a
 * HiDPI screen…): then it is drawn without smoothing and its edges stay sharp; anything else is
 * smoothed, as the picture under it is.
 */
export function wholePixels(device: Size, image: Size): boolean {
  const whole = (n: number) => n >= 1 && Math.abs(n - Math.round(n)) < 0.01;
  return whole(device.width / image.width) && whole(device.height / image.height);
}
