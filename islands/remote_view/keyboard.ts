/**
 * The keys the technician holds down, and what goes to the remote side for each keydown and
 * keyup (only while control is granted; the island checks that before calling in).
 */
import { type KeyLayout, type KeyLike, keysymFor } from "./keysyms.ts";
import type { KeyCode } from "../../protocol/key_codes.ts";

export interface KeyEventLike extends KeyLike {
  repeat: boolean;
  isComposing: boolean;
  timeStamp: number;
}

/** `code`: the physical key, in the customer's layout ("remote"); its release carries it too. */
export type SendKey = (keysym: number, down: boolean, code?: KeyCode) => void;

/** What went out for a key held down. */
interface Held {
  keysym: number;
  code?: KeyCode;
}

/** Windows reports AltGr as a fake left Control this close before AltGr itself. */
const FAKE_CTRL_MS = 50;

export class KeyboardInput {
  /** event.code → what was sent down for it. */
  readonly held = new Map<string, Held>();
  /** Local layout: Shift pressed here, not sent yet. */
  readonly #shiftPending = new Map<string, number>();
  #ctrlDownAt = 0;

  constructor(private readonly sendKey: SendKey) {}

  down(event: KeyEventLike, layout: KeyLayout): void {
    if (event.isComposing) return;
    const id = event.code || `key:${event.key}`;
    const held = this.held.get(id);
    if (held !== undefined) {
      if (event.repeat) this.sendKey(held.keysym, true, held.code);
      return;
    }
    const mapped = keysymFor(event, layout);
    if (!mapped) return;
    if (mapped.kind === "altgr") {
      const ctrl = this.held.get("ControlLeft");
      if (ctrl !== undefined && event.timeStamp - this.#ctrlDownAt < FAKE_CTRL_MS) {
        this.held.delete("ControlLeft");
        this.sendKey(ctrl.keysym, false);
      }
      // The local layout's characters already carry AltGr; the remote layout needs the key.
      if (layout === "local") return;
    }
    if (layout === "local") {
      if (mapped.kind === "shift") {
        this.#shiftPending.set(id, mapped.keysym);
        return;
      }
      if (mapped.kind === "caps") return; // the characters carry it
      if (mapped.kind !== "char") this.flushShift();
    }
    if (id === "ControlLeft") this.#ctrlDownAt = event.timeStamp;
    this.held.set(id, { keysym: mapped.keysym, code: mapped.code });
    this.sendKey(mapped.keysym, true, mapped.code);
  }

  up(event: Pick<KeyLike, "key" | "code">): void {
    const id = event.code || `key:${event.key}`;
    this.#shiftPending.delete(id);
    const held = this.held.get(id);
    if (held === undefined) return;
    this.held.delete(id);
    this.sendKey(held.keysym, false, held.code);
  }

  /** Local layout: Shift goes out only when a non-character key (or a click) needs it. */
  flushShift(): void {
    for (const [code, keysym] of this.#shiftPending) {
      this.held.set(code, { keysym });
      this.sendKey(keysym, true);
    }
    this.#shiftPending.clear();
  }

  /** Lets go of every key still down, last pressed first (`send`: tell the remote side). */
  releaseAll(send: boolean): void {
    if (send) {
      for (const { keysym, code } of [...this.held.values()].reverse()) {
        this.sendKey(keysym, false, code);
      }
    }
    this.held.clear();
    this.#shiftPending.clear();
  }
}
