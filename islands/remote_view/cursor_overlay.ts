/**
 * The customer's pointer on the page: a canvas at the hot spot's place, in a frame over the
 * picture that clips it at the screen's edge (no pointer events: it never takes a click meant
 * for the picture), and the picture's CSS cursor while this window controls and the
 * technician's pointer is over it. The rules are in `cursor.ts`; this applies them whenever the
 * pointer, the shape, the layout or the state moves.
 */
import type { CursorShape, CursorState } from "../../protocol/cursor.ts";
import { type Point, type Rect, type Size, toRemote } from "./geometry.ts";
import {
  cssCursor,
  cursorLook,
  cursorRect,
  type DecodedShape,
  decodeShape,
  overlayPlacement,
  wholePixels,
} from "./cursor.ts";

/**
 * The overlay's own styles (the island renders the frame hidden, this places both): the frame over
 * the picture, clipping, and never the target of a click; the canvas inside it.
 */
export const CURSOR_FRAME_STYLE = {
  position: "absolute",
  left: "0",
  top: "0",
  overflow: "hidden",
  pointerEvents: "none",
} as const;
export const CURSOR_IMAGE_STYLE = {
  position: "absolute",
  left: "0",
  top: "0",
  display: "block",
} as const;

/** An element's place and size in its positioned parent (CSS pixels). */
function setBox(el: HTMLElement, r: Rect) {
  el.style.transform = `translate(${r.left}px, ${r.top}px)`;
  el.style.width = `${r.width}px`;
  el.style.height = `${r.height}px`;
}

export interface CursorOverlayHost {
  /** The overlay: a frame (a child of the stage, `CURSOR_FRAME_STYLE`) and its canvas. */
  frame(): HTMLElement | null;
  element(): HTMLCanvasElement | null;
  video(): HTMLVideoElement | null;
  stage(): HTMLElement | null;
  /** Where the picture is (client pixels) and the shown screen's size (geometry.ts). */
  contentRect(): Rect | null;
  screenSize(): Size | null;
  /** The picture is on screen, and this window's input drives the customer's computer. */
  picture(): boolean;
  controlling(): boolean;
  /** Decodes a shape (tests pass a stand-in; the browser's canvas by default). */
  decode?(shape: CursorShape): DecodedShape<HTMLCanvasElement> | null;
}

/** A shape into a canvas of its own and a PNG, with the browser's canvas. */
function decodeInBrowser(shape: CursorShape): DecodedShape<HTMLCanvasElement> | null {
  return decodeShape(
    shape,
    document.createElement("canvas"),
    (pixels, width, height) => new ImageData(pixels, width, height),
  );
}

/** The pointer's image and where it is on the page (client pixels), for the magnifier. */
export interface PlacedCursor {
  image: HTMLCanvasElement;
  rect: Rect;
}

export class CursorOverlay {
  #cursor: CursorState | null = null;
  #shape: DecodedShape<HTMLCanvasElement> | null = null;
  /** The technician's pointer on the page (client pixels) while it is over the stage. */
  #hover: Point | null = null;
  /** That pointer is over the picture (not the letterbox): as of the last move or layout. */
  #hovering = false;
  /** What the overlay canvas holds, so a new shape is drawn once. */
  #drawn: DecodedShape<HTMLCanvasElement> | null = null;
  #videoCursor = "";

  constructor(private readonly host: CursorOverlayHost) {}

  /**
   * The server's `cursor` message: the last state, with a new shape decoded once. After a null
   * nothing is drawn until a state comes with its shape (the server sends it first).
   */
  receive(cursor: CursorState | null): void {
    if (!cursor) this.#shape = null;
    if (cursor?.shape) {
      const decoded = (this.host.decode ?? decodeInBrowser)(cursor.shape);
      if (decoded) this.#shape = decoded;
    }
    this.#cursor = cursor;
    this.update();
  }

  /** The technician's pointer moved on the stage (null: it left). */
  hover(at: Point | null): void {
    this.#hover = at;
    if (this.#overPicture() !== this.#hovering) this.update();
  }

  /** The customer's pointer as shown over the picture now, or null (for the magnifier). */
  placed(): PlacedCursor | null {
    const rect = this.#rect();
    if (!rect || !this.#shape || !this.#cursor?.visible || !this.host.picture()) return null;
    return { image: this.#shape.canvas, rect };
  }

  /** Applies the state to the page: call after anything that moves the picture or changes it. */
  update(): void {
    this.#hovering = this.#overPicture();
    const look = cursorLook({
      cursor: this.#cursor,
      shape: this.#shape !== null,
      picture: this.host.picture(),
      controlling: this.host.controlling(),
      hovering: this.#hovering,
    });
    const shape = look.ownCursor ? this.#shape : null;
    this.#setVideoCursor(shape ? cssCursor(shape.png, shape.shape) : "");
    const frame = this.host.frame();
    const canvas = this.host.element();
    if (!frame || !canvas) return;
    const picture = this.host.contentRect();
    const image = look.overlay ? this.#rect() : null;
    const stage = this.host.stage();
    if (!picture || !image || !stage) {
      frame.hidden = true;
      return;
    }
    this.#draw(canvas);
    // Placed in the stage's content box, which scrolls in "actual" mode.
    const box = stage.getBoundingClientRect();
    const origin = {
      x: box.left + stage.clientLeft - stage.scrollLeft,
      y: box.top + stage.clientTop - stage.scrollTop,
    };
    const ratio = globalThis.devicePixelRatio || 1;
    const place = overlayPlacement(picture, image, origin, ratio);
    setBox(frame, place.frame);
    setBox(canvas, place.image);
    const device = { width: place.image.width * ratio, height: place.image.height * ratio };
    canvas.style.imageRendering = wholePixels(device, canvas) ? "pixelated" : "auto";
    // The hot spot on the customer's screen, for tests and bench:remote's pointer workload.
    frame.dataset.x = String(this.#cursor!.x);
    frame.dataset.y = String(this.#cursor!.y);
    frame.hidden = false;
  }

  #rect(): Rect | null {
    const cursor = this.#cursor;
    const shape = this.#shape?.shape;
    const rect = this.host.contentRect();
    const screen = this.host.screenSize();
    if (!cursor || !shape || !rect || !screen) return null;
    return cursorRect(cursor, shape, rect, screen);
  }

  #overPicture(): boolean {
    const rect = this.host.contentRect();
    const screen = this.host.screenSize();
    if (!this.#hover || !rect || !screen) return false;
    return toRemote(this.#hover, rect, screen, false) !== null;
  }

  #draw(el: HTMLCanvasElement) {
    const shape = this.#shape;
    if (!shape || this.#drawn === shape) return;
    this.#drawn = shape;
    el.width = shape.canvas.width;
    el.height = shape.canvas.height;
    const ctx = el.getContext("2d");
    ctx?.clearRect(0, 0, el.width, el.height);
    ctx?.drawImage(shape.canvas, 0, 0);
  }

  #setVideoCursor(value: string) {
    const video = this.host.video();
    if (!video || value === this.#videoCursor) return;
    this.#videoCursor = value;
    video.style.cursor = value;
  }
}
