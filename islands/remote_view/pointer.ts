/**
 * Pointer, buttons and wheel → the viewer socket's input messages. Moves and wheel steps are
 * coalesced to one message each per animation frame; a button always goes out at once, after
 * any move still pending, so the remote side sees them in order.
 */
import { WHEEL_MAX } from "../../protocol/limits.ts";
import type { ViewerInput } from "../../protocol/viewer.ts";
import { clamp, type Point } from "./geometry.ts";

export type Button = "left" | "middle" | "right";
/** `event.button` → our name (back/forward buttons are not sent). */
const BUTTONS: readonly Button[] = ["left", "middle", "right"];
/** Each button's bit in `event.buttons`. */
const BUTTON_BITS: Record<Button, number> = { left: 1, right: 2, middle: 4 };

export const buttonFor = (index: number): Button | undefined => BUTTONS[index];

/**
 * A wheel delta in notches. Lines: 3 a notch; pages: 3 notches a page; pixels: a mouse wheel
 * gives ~100–120 a notch (counted as at least one), a touchpad small steps that add up.
 */
export function notches(delta: number, mode: number): number {
  if (!delta) return 0;
  if (mode === 1) return delta / 3;
  if (mode === 2) return delta * 3;
  if (Math.abs(delta) < 50) return delta / 100;
  return Math.sign(delta) * Math.max(1, Math.round(Math.abs(delta) / 100));
}

export interface PointerDeps {
  send(message: ViewerInput): boolean;
  /** Whether control is granted and the socket is up. */
  controlling(): boolean;
  requestFrame(callback: () => void): number;
  cancelFrame(id: number): void;
}

export class PointerInput {
  readonly buttonsDown = new Set<Button>();
  /** Where the remote pointer is, as far as we told it. */
  lastPointer: Point | null = null;
  #pending: Point | null = null;
  #wheel = { x: 0, y: 0 };
  #frame = 0;

  constructor(private readonly deps: PointerDeps) {}

  press(button: Button, point: Point): void {
    this.#sendButton(button, true, point);
  }

  /** A button let go of (point: where, if known); false when it was not ours to send. */
  release(index: number, point: Point | null): boolean {
    const button = buttonFor(index);
    if (!button || !this.buttonsDown.has(button)) return false;
    const at = point ?? this.lastPointer;
    if (at && this.deps.controlling()) this.#sendButton(button, false, at);
    else this.buttonsDown.delete(button);
    return true;
  }

  /** A move to `point`; `index`/`buttons` from the event tell a chorded press or release. */
  move(point: Point, index: number, buttons: number): void {
    // A second button pressed or released while another is held comes as a move (chorded).
    const chord = buttonFor(index);
    if (chord && index >= 0) {
      const down = (buttons & BUTTON_BITS[chord]) !== 0;
      if (down !== this.buttonsDown.has(chord)) return this.#sendButton(chord, down, point);
    }
    this.#pending = point;
    this.#schedule();
  }

  wheel(deltaX: number, deltaY: number, mode: number): void {
    this.#wheel.x += notches(deltaX, mode);
    this.#wheel.y += notches(deltaY, mode);
    this.#schedule();
  }

  /** The pointer went away mid-drag (window switch, cancel): let go of what is still down. */
  lostCapture(): void {
    if (!this.deps.controlling()) return this.buttonsDown.clear();
    const point = this.lastPointer ?? { x: 0, y: 0 };
    for (const button of [...this.buttonsDown]) this.#sendButton(button, false, point);
  }

  /** Lets go of every button (`send`: tell the remote side) and forgets pending wheel steps. */
  releaseAll(send: boolean): void {
    const point = this.lastPointer ?? { x: 0, y: 0 };
    for (const button of this.buttonsDown) {
      if (send) this.deps.send({ type: "button", button, down: false, x: point.x, y: point.y });
    }
    this.buttonsDown.clear();
    this.#wheel = { x: 0, y: 0 };
  }

  dispose(): void {
    this.deps.cancelFrame(this.#frame);
    this.#frame = 0;
  }

  #sendButton(button: Button, down: boolean, point: Point) {
    this.#flushPointer();
    if (down) this.buttonsDown.add(button);
    else this.buttonsDown.delete(button);
    this.deps.send({ type: "button", button, down, x: point.x, y: point.y });
    this.lastPointer = point;
  }

  #flushPointer() {
    const p = this.#pending;
    this.#pending = null;
    if (!p || !this.deps.controlling()) return;
    if (this.lastPointer && this.lastPointer.x === p.x && this.lastPointer.y === p.y) return;
    if (this.deps.send({ type: "pointer", x: p.x, y: p.y })) this.lastPointer = p;
  }

  #flushWheel() {
    const dx = Math.trunc(this.#wheel.x);
    const dy = Math.trunc(this.#wheel.y);
    this.#wheel.x -= dx;
    this.#wheel.y -= dy;
    if ((dx || dy) && this.deps.controlling()) {
      const step = (n: number) => clamp(n, -WHEEL_MAX, WHEEL_MAX);
      this.deps.send({ type: "wheel", dx: step(dx), dy: step(dy) });
    }
  }

  #schedule() {
    if (this.#frame) return;
    this.#frame = this.deps.requestFrame(() => {
      this.#frame = 0;
      this.#flushPointer();
      this.#flushWheel();
    });
  }
}
