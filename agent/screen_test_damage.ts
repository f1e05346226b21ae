// Test support for the capture loop's tests (screen_*_test.ts): a change watcher the test
// drives. `damage(rect)` reports a change and wakes a sender waiting for one; with nothing
// reported, a wait ends after its timeout as the X server's watcher's does. With `pointer`,
// `move()` reports the pointer as XInput 2 raw motion would (the X11 watcher's `pointer`).
import type { DamageWatcher, Rect } from "./platform/types.ts";

export interface ScriptedDamage {
  watcher: DamageWatcher;
  damage(rect: Rect): void;
  /** The pointer moved or changed shape (wakes a wait only with `pointer`). */
  move(): void;
  /** How each wait ended, with the timeout it was given. */
  readonly waits: { ms: number; ended: "pending" | "woken" | "timeout" | "aborted" }[];
}

export function scriptedDamage(options: { pointer?: boolean } = {}): ScriptedDamage {
  const pending: Rect[] = [];
  let moved = false;
  let wake: ((why: "woken" | "aborted") => void) | null = null;
  let wantsPointer = false;
  const waits: ScriptedDamage["waits"] = [];
  const ready = () => pending.length > 0 || (wantsPointer && moved);
  return {
    watcher: {
      pointer: options.pointer,
      get moved() {
        return moved && !!options.pointer;
      },
      wait: (ms, o) => {
        wantsPointer = !!options.pointer && o?.pointer !== false;
        if (ready()) return (waits.push({ ms, ended: "pending" }), Promise.resolve(true));
        if (o?.signal?.aborted) {
          return (waits.push({ ms, ended: "aborted" }), Promise.resolve(false));
        }
        return new Promise((resolve) => {
          const end = (ended: "woken" | "timeout" | "aborted") => {
            clearTimeout(timer);
            o?.signal?.removeEventListener("abort", abort);
            wake = null;
            waits.push({ ms, ended });
            resolve(ended === "woken");
          };
          const abort = () => end("aborted");
          const timer = setTimeout(() => end("timeout"), ms);
          o?.signal?.addEventListener("abort", abort);
          wake = end;
        });
      },
      take: () => (moved = false, pending.splice(0)),
      close: () => {},
    },
    damage(rect) {
      pending.push(rect);
      wake?.("woken");
    },
    move() {
      moved = true;
      if (wantsPointer) wake?.("woken");
    },
    waits,
  };
}
