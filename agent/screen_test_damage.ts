// Test support for the capture loop's tests (screen_*_test.ts): a change watcher the test
// drives. `damage(rect)` reports a change and wakes a sender waiting for one; with nothing
// reported, a wait ends after its timeout as the X server's watcher's does.
import type { DamageWatcher, Rect } from "./platform/types.ts";

export function scriptedDamage(): { watcher: DamageWatcher; damage(rect: Rect): void } {
  const pending: Rect[] = [];
  let wake: (() => void) | null = null;
  return {
    watcher: {
      wait: (ms) =>
        pending.length ? Promise.resolve(true) : new Promise((resolve) => {
          const timer = setTimeout(() => resolve(false), ms);
          wake = () => (clearTimeout(timer), resolve(true));
        }),
      take: () => pending.splice(0),
      close: () => {},
    },
    damage(rect) {
      pending.push(rect);
      wake?.();
    },
  };
}
