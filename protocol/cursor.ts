/**
 * The customer's pointer as its own message instead of pixels in the picture (issue 14), as VNC's
 * cursor pseudo-encodings and RDP's pointer updates do. While the server asks for it
 * (`cursorMode`, only when the agent's hello offers `separateCursor` and every viewer's island
 * said it draws the pointer itself), the agent leaves the pointer out of its frames and sends
 * `cursor`: where its hot spot is on the screen the picture shows, and its image whenever the
 * shape changed. A pointer move then costs a message of a few dozen bytes instead of a video
 * frame and the near-lossless refinement after it, and a controlling technician's own pointer
 * takes the customer's shape with no round trip. Plain data, no zod: the island imports this
 * file (`messages.ts` builds the schema from it).
 */
import { fromBase64url } from "./base64url.ts";

/**
 * The largest side of a cursor image sent (px): 96 × 96 × 4 bytes fit a channel frame in
 * base64url; the agent halves a larger image until it fits.
 */
export const CURSOR_MAX_SIDE = 96;
/** Base64url characters of the largest image (no padding). */
export const CURSOR_RGBA_MAX_CHARS = Math.ceil(CURSOR_MAX_SIDE * CURSOR_MAX_SIDE * 4 * 4 / 3);

/** A cursor image. */
export interface CursorShape {
  width: number;
  height: number;
  /** The hot spot, inside the image. */
  hotX: number;
  hotY: number;
  /** Straight (not premultiplied) R,G,B,A bytes, row by row, width × height × 4, base64url. */
  rgba: string;
}

/** Where the customer's pointer is, and (when it changed) what it looks like. */
export interface CursorState {
  /** The hot spot, relative to the top-left corner of the screen the picture shows. */
  x: number;
  y: number;
  /** False while the pointer is off that screen (on another monitor). */
  visible: boolean;
  /** Sent when the shape changed (and first after every `cursorMode` on); else the last one. */
  shape?: CursorShape;
}

/** Why a shape is not one the receiver can use, or null when it is. */
export function cursorShapeProblem(shape: CursorShape): string | null {
  const side = (n: number) => Number.isInteger(n) && n >= 1 && n <= CURSOR_MAX_SIDE;
  if (!side(shape.width) || !side(shape.height)) {
    return `cursor image must be 1…${CURSOR_MAX_SIDE} px a side`;
  }
  const inside = (n: number, max: number) => Number.isInteger(n) && n >= 0 && n < max;
  if (!inside(shape.hotX, shape.width) || !inside(shape.hotY, shape.height)) {
    return "cursor hot spot must be inside the image";
  }
  const bytes = shape.width * shape.height * 4;
  if (shape.rgba.length !== Math.ceil(bytes * 4 / 3)) {
    return `cursor image must be ${bytes} bytes (base64url, no padding)`;
  }
  if (!/^[A-Za-z0-9_-]*$/.test(shape.rgba)) return "cursor image must be base64url";
  return null;
}

/** The image's R,G,B,A bytes (throws on bad base64url; check `cursorShapeProblem` first). */
export function cursorPixels(shape: CursorShape): Uint8ClampedArray<ArrayBuffer> {
  const bytes = fromBase64url(shape.rgba);
  return new Uint8ClampedArray(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
