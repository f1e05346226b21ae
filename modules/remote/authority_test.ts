// ViewerAuthority with a fake read and a fake clock: a fresh answer is reused, a stale one
// or one after a notice is read again, changes are reported once, a failing read means
// "none", and a closed authority allows nothing.
import assert from "node:assert/strict";
import { allows, ViewerAuthority, type ViewerRights } from "./authority.ts";

function setup(initial: ViewerRights = "control") {
  let now = 0;
  let answer: ViewerRights | Error = initial;
  let reads = 0;
  const changes: string[] = [];
  const authority = new ViewerAuthority({
    initial,
    read: () => {
      reads++;
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
    onChange: (rights, before) => changes.push(`${before}→${rights}`),
    staleMs: 500,
    everyMs: 60_000,
    now: () => now,
  });
  return {
    authority,
    changes,
    reads: () => reads,
    advance: (ms: number) => void (now += ms),
    answer: (a: ViewerRights | Error) => void (answer = a),
  };
}

Deno.test("ViewerAuthority.current() reuses a fresh answer and reads a stale one again", async () => {
  const s = setup();
  try {
    s.answer("view");
    assert.equal(await s.authority.current(), "control", "fresh: no read");
    assert.equal(s.reads(), 0);
    s.advance(501);
    assert.equal(await s.authority.current(), "view", "stale: read again");
    assert.equal(s.reads(), 1);
    assert.deepEqual(s.changes, ["control→view"]);
    assert.equal(await s.authority.current(), "view");
    assert.equal(s.reads(), 1);
  } finally {
    s.authority.close();
  }
});

Deno.test("ViewerAuthority.invalidate() makes the very next answer a new read", async () => {
  const s = setup();
  try {
    s.answer("none");
    s.authority.invalidate();
    assert.equal(await s.authority.current(), "none");
    assert.deepEqual(s.changes, ["control→none"]);
  } finally {
    s.authority.close();
  }
});

Deno.test("ViewerAuthority: a failing read counts as none; closed allows nothing", async () => {
  const s = setup("view");
  s.answer(new Error("database gone"));
  s.advance(600);
  assert.equal(await s.authority.current(), "none");
  s.answer("control");
  s.authority.close();
  s.advance(600);
  assert.equal(await s.authority.current(), "none");
  assert.equal(s.authority.rights, "none");
});

Deno.test("allows(): control includes view", () => {
  assert.equal(allows("control", "view"), true);
  assert.equal(allows("view", "control"), false);
  assert.equal(allows("none", "view"), false);
});

Deno.test("ViewerAuthority re-reads by itself every 400 ms unless asked, until closed", async () => {
  // The timer is caught rather than waited for: how often it fires is what the revoked-rights
  // test (tests/security) cannot time on a loaded machine, so it is read from the call here.
  const realSet = globalThis.setInterval;
  const realClear = globalThis.clearInterval;
  const timers: { tick: () => void; ms: number | undefined; cleared: boolean }[] = [];
  globalThis.setInterval = ((tick: () => void, ms?: number) => {
    timers.push({ tick, ms, cleared: false });
    return timers.length;
  }) as typeof setInterval;
  globalThis.clearInterval = ((id?: number) => {
    if (id && timers[id - 1]) timers[id - 1].cleared = true;
  }) as typeof clearInterval;
  try {
    let reads = 0;
    const authority = new ViewerAuthority({
      initial: "control",
      read: () => (reads++, Promise.resolve("none")),
      onChange: () => {},
    });
    assert.equal(timers.length, 1);
    assert.equal(timers[0].ms, 400, "re-read every 400 ms, so no answer is older than 500 ms");
    timers[0].tick();
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(reads, 1, "the tick read the rights, nothing asked");
    assert.equal(authority.rights, "none");
    authority.close();
    assert.equal(timers[0].cleared, true, "closed: the timer stops");
  } finally {
    globalThis.setInterval = realSet;
    globalThis.clearInterval = realClear;
  }
});

Deno.test("ViewerAuthority's timer re-reads every tick while busy, every idleEveryMs otherwise", async () => {
  // A viewer that only watches: its input could not act, so the answer may age to idleEveryMs
  // (the fallback for a change no notice announced); once busy, every tick reads again.
  const realSet = globalThis.setInterval;
  let tick = () => {};
  globalThis.setInterval = ((fn: () => void) => (tick = fn, 1)) as typeof setInterval;
  let now = 0;
  let reads = 0;
  let busy = false;
  const authority = new ViewerAuthority({
    initial: "control",
    read: () => (reads++, Promise.resolve("control")),
    onChange: () => {},
    busy: () => busy,
    now: () => now,
  });
  globalThis.setInterval = realSet;
  const ticks = async (n: number) => {
    for (let i = 0; i < n; i++) {
      now += 400;
      tick();
      await new Promise((r) => setTimeout(r, 0));
    }
  };
  try {
    await ticks(12); // 4.8 s
    assert.equal(reads, 0, "watching only: no read before idleEveryMs (5 s)");
    await ticks(1); // 5.2 s
    assert.equal(reads, 1, "the answer reached 5 s: read again");
    await ticks(5);
    assert.equal(reads, 1);
    busy = true;
    await ticks(3);
    assert.equal(reads, 4, "busy: every tick reads, so input never waits");
  } finally {
    authority.close();
  }
});
