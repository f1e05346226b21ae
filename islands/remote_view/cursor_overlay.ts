/**
 * The customer's pointer on the page: a canvas over the picture at the hot spot's place (no
 * pointer events: it never takes a click meant for the picture), and the picture's CSS cursor
 * while this window controls and the technician's pointer is over it. The rules are in
 * `cursor.ts`; this applies them whenever the pointer, the shape, the layout or the state moves.
 */
import type { CursorShape, CursorState } from "../../protocol/cursor.ts";
import { type Point, type Rect, type Size, toRemote } from "./geometry.ts";
import {
  cssCursor,
  cursorLook,
  cursorRect,
  type DecodedShape,
  decodeShape,
  toDevicePixel,
  wholePixels,
} from "./cursor.ts";

/**
 * The overlay canvas's own style (the island renders it hidden, this places it): over the
 * picture from the stage's top-left corner, and never the target of a click.
 */
export const CURSOR_STYLE = {
  position: "absolute",
  left: "0",
  top: "0",
  pointerEvents: "none",
  transformOrigin: "0 0",
} as const;

export interface CursorOverlayHost {
  /** The overlay canvas (a child of the stage). */
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
    const el = this.host.element();
    if (!el) return;
    const rect = look.overlay ? this.#rect() : null;
    const stage = this.host.stage();
    if (!rect || !stage) {
      el.hidden = true;
      return;
    }
    this.#draw(el);
    // The canvas is placed in the stage's content box, which scrolls in "actual" mode.
    const box = stage.getBoundingClientRect();
    const ratio = globalThis.devicePixelRatio || 1;
    const left = toDevicePixel(rect.left - box.left - stage.clientLeft + stage.scrollLeft, ratio);
    const top = toDevicePixel(rect.top - box.top - stage.clientTop + stage.scrollTop, ratio);
    const width = toDevicePixel(rect.width, ratio);
    const height = toDevicePixel(rect.height, ratio);
    el.style.transform = `translate(${left}px, ${top}px)`;
    el.style.width = `${width}px`;
    el.style.height = `${height}px`;
    const device = { width: width * ratio, height: height * ratio };
    el.style.imageRendering = wholePixels(device, el) ? "pixelated" : "auto";
    // The hot spot on the customer's screen, for tests and bench:remote's pointer workload.
    el.dataset.x = String(this.#cursor!.x);
    el.dataset.y = String(this.#cursor!.y);
    el.hidden = false;
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
