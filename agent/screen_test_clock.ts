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
import { setImmediate } from "node:timers";

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

/**
 * A clock that moves only when the test sleeps, for tests that need minutes of pacing but no
 * real machine: `now()` is virtual time, and while it is installed the global `setTimeout` and
 * `clearTimeout` are virtual too — `sleep(ms)` runs every timer due within `ms` in order,
 * letting the code each one starts run (a real macrotask turn) before the next, then sets the
 * time (`setInterval`/`clearInterval` likewise, each run re-arming it). A busy machine cannot
 * stretch it (no real wait at all) and a run takes the CPU time of the work, not the seconds it
 * paces. Dispose it (`using`) to give the real timers back.
 */
export function virtualClock(): TestClock & Disposable {
  let virtual = 0;
  let spent = 0;
  let seq = 0;
  type Timer = { at: number; every?: number; run: () => void };
  const timers = new Map<number, Timer>();
  const real = {
    setTimeout: globalThis.setTimeout,
    clearTimeout: globalThis.clearTimeout,
    setInterval: globalThis.setInterval,
    clearInterval: globalThis.clearInterval,
  };
  const set = (every: boolean) =>
  (
    fn: (...a: unknown[]) => void,
    ms = 0,
    ...args: unknown[]
  ) => {
    const id = ++seq;
    const delay = Math.max(every ? 1 : 0, Number(ms) || 0);
    timers.set(id, {
      at: virtual + delay,
      every: every ? delay : undefined,
      run: () => fn(...args),
    });
    return id;
  };
  const clear = (id?: number) => {
    if (id !== undefined) timers.delete(id);
  };
  globalThis.setTimeout = set(false) as unknown as typeof setTimeout;
  globalThis.clearTimeout = clear as typeof clearTimeout;
  globalThis.setInterval = set(true) as unknown as typeof setInterval;
  globalThis.clearInterval = clear as typeof clearInterval;
  /**
   * One real macrotask turn: the promise chains a timer started run to their next wait. Not a
   * real setTimeout(0): nested ones wait 4 ms each (the HTML rule Deno keeps), seconds a test.
   */
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  /** The earliest timer due by `until` (the first set among equals: Map keeps insertion order). */
  const next = (until: number) => {
    let found: [number, Timer] | undefined;
    for (const entry of timers) {
      if (entry[1].at <= until && (!found || entry[1].at < found[1].at)) found = entry;
    }
    return found;
  };
  const now = () => virtual;
  return {
    now,
    encodeClock: () => virtual + spent,
    spend: (ms) => void (spent += ms),
    sleep: async (ms) => {
      const until = virtual + ms;
      await turn();
      for (let due = next(until); due; due = next(until)) {
        const [id, timer] = due;
        timers.delete(id);
        virtual = Math.max(virtual, timer.at);
        // Re-armed before it runs (it may clear itself), at its place in the order.
        if (timer.every) timers.set(id, { ...timer, at: timer.at + timer.every });
        timer.run();
        await turn();
      }
      virtual = until;
    },
    [Symbol.dispose]: () => {
      Object.assign(globalThis, real);
      timers.clear();
    },
  };
}
