/**
 * A clock for the picture's timing tests (ScreenSender's `now` and `encodeClock`): real time
 * without the stalls a busy machine adds, plus the encode time a fake encoder says it took.
 *
 * A test that feeds a change every 25 ms expects the sender to see changes 25 ms apart; on a
 * loaded 2-core CI machine a 25 ms sleep can last 300 ms, which the sender would rightly read
 * as stillness (motion is over after 250 ms) — a test of motion mode would test the machine.
 * So the clock advances with real time but by at most GAP_MS between two readings: the sender
 * reads it at every frame and the test's `sleep` every few ms, so on a quiet machine no two
 * readings are GAP_MS apart and it runs at real speed; a stall counts as GAP_MS. An encoder
 * calls `spend(ms)` instead of busy-waiting (its CPU time on a loaded machine is not what the
 * test means either).
 */
const GAP_MS = 40;
const POLL_MS = 5;

export interface TestClock {
  /** The sender's steady clock (ms). */
  now(): number;
  /** The encode clock: `now()` plus every fake encode's time so far. */
  encodeClock(): number;
  /** A fake encode took `ms`. */
  spend(ms: number): void;
  /** Waits until `now()` has advanced `ms`. */
  sleep(ms: number): Promise<void>;
}

export function testClock(): TestClock {
  let virtual = 0;
  let last = performance.now();
  let spent = 0;
  const now = () => {
    const real = performance.now();
    virtual += Math.min(real - last, GAP_MS);
    last = real;
    return virtual;
  };
  return {
    now,
    encodeClock: () => now() + spent,
    spend: (ms) => void (spent += ms),
    sleep: async (ms) => {
      const until = now() + ms;
      for (let left = ms; left > 0; left = until - now()) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, left)));
      }
    },
  };
}
