/**
 * The stage: the picture's element and what happens on it — geometry (where the remote screen
 * is), the magnifier, and the technician's pointer, wheel and keys, which go out only while
 * control is granted. `handlers` are the stage element's event handlers.
 */
import type { ViewerInput } from "../../protocol/viewer.ts";
import {
  contentRect,
  displayScale,
  type Point,
  type Rect,
  type Size,
  toRemote,
} from "./geometry.ts";
import { CursorOverlay } from "./cursor_overlay.ts";
import { DrawingInput } from "./drawing.ts";
import { PreviewOverlay } from "./preview_overlay.ts";
import { KeyboardInput } from "./keyboard.ts";
import { clearLens, drawLens } from "./magnifier.ts";
import { buttonFor, PointerInput } from "./pointer.ts";
import { controlling, drawing, placeholderKey, pointing, type ViewState } from "./view_state.ts";

/** `navigator.keyboard` (Keyboard Lock API, Chromium only): in full screen, Escape, Alt+Tab and
 * the like reach the remote side. */
export const keyboardLock = () =>
  (navigator as { keyboard?: { lock(): Promise<void>; unlock(): void } }).keyboard;

export interface StageHost {
  state(): ViewState;
  setState(change: Partial<ViewState>): void;
  send(message: ViewerInput): boolean;
  video(): HTMLVideoElement | null;
  stage(): HTMLElement | null;
  overlay(): HTMLCanvasElement | null;
  /** The customer's pointer over the picture (cursor_overlay.ts): its frame and its canvas. */
  cursorFrame(): HTMLElement | null;
  cursor(): HTMLCanvasElement | null;
  /** The technician's own strokes and laser dot over the picture (preview_overlay.ts). */
  preview(): HTMLCanvasElement | null;
}

export class Stage {
  readonly keys: KeyboardInput;
  readonly pointer: PointerInput;
  /** The customer's pointer, drawn here rather than in the picture (issue 14). */
  readonly cursor: CursorOverlay;
  /** The whiteboard's pen and the laser (SPEC R4), while they are on. */
  readonly drawing: DrawingInput;
  /** What the pen and the laser sent, shown at once until the picture carries it. */
  readonly preview: PreviewOverlay;
  #lensAt: Point | null = null;
  #lensFrame = 0;

  constructor(private readonly host: StageHost) {
    this.keys = new KeyboardInput((keysym, down, code) =>
      host.send(code ? { type: "key", keysym, down, code } : { type: "key", keysym, down })
    );
    this.pointer = new PointerInput({
      send: (message) => host.send(message),
      controlling: () => this.#controlling(),
      requestFrame: (callback) => requestAnimationFrame(callback),
      cancelFrame: (id) => cancelAnimationFrame(id),
    });
    this.drawing = new DrawingInput({
      send: (message) => host.send(message),
      pen: () => host.state().pen,
      requestFrame: (callback) => requestAnimationFrame(callback),
      cancelFrame: (id) => cancelAnimationFrame(id),
    });
    this.preview = new PreviewOverlay({
      canvas: () => host.preview(),
      stage: () => host.stage(),
      video: () => host.video(),
      contentRect: () => this.contentRect(),
      screenSize: () => this.screenSize(),
      screen: () => host.state().currentScreen,
      rttMs: () => host.state().stats?.rttMs ?? null,
      laserInPicture: () => host.state().laserInPicture,
    });
    this.cursor = new CursorOverlay({
      frame: () => host.cursorFrame(),
      element: () => host.cursor(),
      video: () => host.video(),
      stage: () => host.stage(),
      contentRect: () => this.contentRect(),
      screenSize: () => this.screenSize(),
      picture: () => placeholderKey(host.state()) === null,
      controlling: () => this.#controlling(),
    });
  }

  /** Where the remote screen's picture is on the page (client pixels), or null. */
  contentRect(): Rect | null {
    const video = this.host.video();
    if (!video?.videoWidth || !video.videoHeight) return null;
    const size = { width: video.videoWidth, height: video.videoHeight };
    return contentRect(video.getBoundingClientRect(), size, this.host.state().mode);
  }

  /** The remote screen's size: as the server said, else the video's. */
  screenSize(): Size | null {
    const screen = this.host.state().screen;
    if (screen) return { width: screen.width, height: screen.height };
    const video = this.host.video();
    return video?.videoWidth ? { width: video.videoWidth, height: video.videoHeight } : null;
  }

  measure(): void {
    this.cursor.update();
    this.preview.update();
    const rect = this.contentRect();
    const size = this.screenSize();
    if (!rect || !size) return;
    const scale = displayScale(rect, size);
    if (Math.abs(scale - this.host.state().displayScale) > 0.001) {
      this.host.setState({ displayScale: scale });
    }
  }

  /** The magnifier helps only while the picture is shown smaller than the remote screen. */
  lensAvailable(s = this.host.state()): boolean {
    return s.hasVideo && s.mode !== "actual" && s.displayScale < 0.999;
  }

  lensOn(): boolean {
    return this.host.state().magnifier && this.lensAvailable();
  }

  clearLens(): void {
    cancelAnimationFrame(this.#lensFrame);
    this.#lensFrame = 0;
    this.#lensAt = null;
    clearLens(this.host.overlay());
  }

  /** Lets go of every key and button still down (on blur, layout change, control ending). */
  releaseAll(send: boolean, was: ViewState = this.host.state()): void {
    const live = send && controlling(was);
    this.keys.releaseAll(live);
    this.pointer.releaseAll(live);
  }

  /** Whether the lens is still wanted after a state change (else it is cleared). */
  update(): void {
    if (!this.lensOn() && this.#lensAt) this.clearLens();
    this.cursor.update();
    this.preview.update();
  }

  dispose(): void {
    this.pointer.dispose();
    this.drawing.dispose();
    this.preview.dispose();
    cancelAnimationFrame(this.#lensFrame);
  }

  focus(): void {
    this.host.stage()?.focus({ preventScroll: true });
  }

  readonly handlers = {
    onPointerDown: (event: PointerEvent) => {
      this.focus();
      if (drawing(this.host.state()) && event.button === 0) {
        const point = this.#toRemote(event, false);
        if (!point) return;
        event.preventDefault();
        this.host.stage()?.setPointerCapture?.(event.pointerId);
        return this.drawing.down(point);
      }
      if (!this.#controlling()) return;
      const button = buttonFor(event.button);
      const point = this.#toRemote(event, false);
      if (!button || !point) return;
      event.preventDefault();
      this.host.stage()?.setPointerCapture?.(event.pointerId);
      this.keys.flushShift();
      this.pointer.press(button, point);
    },
    onPointerUp: (event: PointerEvent) => {
      if (this.drawing.active) {
        const point = this.#toRemote(event, true);
        if (point) this.drawing.move(point);
        this.drawing.up();
        return event.preventDefault();
      }
      if (this.pointer.release(event.button, this.#toRemote(event, true))) event.preventDefault();
    },
    onPointerMove: (event: PointerEvent) => {
      this.cursor.hover({ x: event.clientX, y: event.clientY });
      if (this.host.state().magnifier) {
        this.#lensAt = { x: event.clientX, y: event.clientY };
        if (this.lensOn() && !this.#lensFrame) this.#lensFrame = requestAnimationFrame(this.#draw);
      }
      const s = this.host.state();
      if (this.drawing.active || pointing(s)) {
        const point = this.#toRemote(event, this.drawing.active);
        if (point && this.drawing.active) this.drawing.move(point);
        if (pointing(s)) this.drawing.laser(point);
      }
      if (!this.#controlling()) return;
      const point = this.#toRemote(event, this.pointer.buttonsDown.size > 0);
      if (point) this.pointer.move(point, event.button, event.buttons);
    },
    onPointerLeave: () => {
      this.cursor.hover(null);
      this.drawing.laser(null); // the dot leaves the customer's screen with the pointer
      if (this.#lensAt) this.clearLens();
    },
    onPointerCancel: () => {
      this.drawing.up();
      this.pointer.lostCapture();
    },
    onLostPointerCapture: () => {
      this.drawing.up();
      this.pointer.lostCapture();
    },
    // No text selection, middle-click scrolling or focus theft while controlling.
    onMouseDown: (event: MouseEvent) => {
      if (this.#controlling() || drawing(this.host.state())) event.preventDefault();
    },
    onContextMenu: (event: MouseEvent) => {
      if (this.#controlling()) event.preventDefault();
    },
    onWheel: (event: WheelEvent) => {
      if (!this.#controlling()) return;
      event.preventDefault();
      this.pointer.wheel(event.deltaX, event.deltaY, event.deltaMode);
    },
    onKeyDown: (event: KeyboardEvent) => {
      if (!this.#controlling()) return;
      event.preventDefault();
      event.stopPropagation();
      this.keys.down(event, this.host.state().layout);
    },
    onKeyUp: (event: KeyboardEvent) => {
      if (!this.#controlling()) return;
      event.preventDefault();
      event.stopPropagation();
      this.keys.up(event);
    },
    onBlur: () => this.releaseAll(true),
    // "actual" scrolls the picture: the preview and the customer's pointer move with it.
    onScroll: () => {
      this.preview.update();
      this.cursor.update();
    },
  };

  #controlling() {
    return controlling(this.host.state());
  }

  /** Client coordinates → remote screen pixels; null outside the picture unless `clampIt`. */
  #toRemote(event: MouseEvent, clampIt: boolean): Point | null {
    const rect = this.contentRect();
    const size = this.screenSize();
    if (!rect || !size) return null;
    return toRemote({ x: event.clientX, y: event.clientY }, rect, size, clampIt);
  }

  #draw = () => {
    this.#lensFrame = 0;
    const canvas = this.host.overlay();
    const video = this.host.video();
    const stage = this.host.stage();
    if (!canvas || !video || !stage || !this.#lensAt || !this.lensOn()) return this.clearLens();
    const rect = this.contentRect();
    const placed = { cursor: this.cursor.placed(), preview: this.preview.placed() };
    drawLens({ canvas, video, stage, rect, ...placed }, this.#lensAt);
    // Keep it live while the pointer stays: the picture under it changes.
    if (rect) this.#lensFrame = requestAnimationFrame(this.#draw);
  };
}
