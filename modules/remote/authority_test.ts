// ViewerAuthority with a fake read and a fake clock: a fresh answer is reused, a stale one
// or one after a notice is read again, changes are reported once, a failing read means
// "none", and a closed authority allows nothing. Then, on fake timers too (fakeTime), what a
// technician holding control costs: nothing read for input that does not come, one read that
// input waits for after a pause, a stream of input never acting on an answer over 500 ms old.
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

/**
 * Fake timers (setTimeout and setInterval, whichever the authority uses) on a fake clock;
 * `advance` fires what falls due in order, letting promises settle after each.
 */
function fakeTime() {
  const real = { setTimeout, clearTimeout, setInterval, clearInterval };
  let now = 0;
  let ids = 0;
  const timers = new Map<number, { at: number; fn: () => void; every: number | null }>();
  const add = (every: boolean) => (fn: () => void, ms = 0) => {
    timers.set(++ids, { at: now + ms, fn, every: every ? Math.max(1, ms) : null });
    return ids;
  };
  const clear = (id?: number) => void timers.delete(id ?? 0);
  Object.assign(globalThis, {
    setTimeout: add(false),
    setInterval: add(true),
    clearTimeout: clear,
    clearInterval: clear,
  });
  const settle = () => new Promise((r) => real.setTimeout(r, 0));
  return {
    now: () => now,
    async advance(ms: number) {
      const end = now + ms;
      for (;;) {
        await settle();
        let due: [number, { at: number; fn: () => void; every: number | null }] | undefined;
        for (const entry of timers) {
          if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
        }
        if (!due) break;
        const [id, timer] = due;
        now = timer.at;
        if (timer.every) timer.at += timer.every;
        else timers.delete(id);
        timer.fn();
      }
      now = end;
      await settle();
    },
    restore: () => void Object.assign(globalThis, real),
  };
}

/**
 * A viewer socket's authority with its defaults on fake time: reads take `readMs`, and each
 * input records when it came, when it acted, on what, and how old that answer was (from the
 * start of the last read that had answered when it acted; the initial answer is from 0).
 */
function held(readMs = 25) {
  const time = fakeTime();
  let answer: ViewerRights = "control";
  const reads: number[] = [];
  const answered: number[] = [0];
  const acted: { id: number; came: number; at: number; rights: ViewerRights; age: number }[] = [];
  const authority = new ViewerAuthority({
    initial: "control",
    read: () => {
      const start = time.now();
      reads.push(start);
      return new Promise((resolve) =>
        setTimeout(() => {
          answered.push(start);
          resolve(answer);
        }, readMs)
      );
    },
    onChange: () => {},
    now: time.now,
  });
  return {
    time,
    reads,
    acted,
    answer: (a: ViewerRights) => void (answer = a),
    input(id: number) {
      const came = time.now();
      void authority.current().then((rights) => {
        const at = time.now();
        acted.push({ id, came, at, rights, age: at - answered[answered.length - 1] });
      });
    },
    close() {
      authority.close();
      time.restore();
    },
  };
}

Deno.test("ViewerAuthority: control held and no input for 10 s → at most 2–3 reads", async () => {
  // A technician holding control mostly looks; input that does not come needs no fresh answer.
  const s = held();
  try {
    await s.time.advance(10_000);
    assert.ok(s.reads.length <= 3, `${s.reads.length} reads in 10 s`);
    assert.ok(s.reads.length >= 1, "still read now and then: a change no notice announced");
  } finally {
    s.close();
  }
});

Deno.test("ViewerAuthority: input after 600 ms idle waits for a read, which refuses a revoked right", async () => {
  const s = held();
  try {
    await s.time.advance(600);
    const readsBefore = s.reads.length;
    s.answer("view"); // remoteControl taken away, no notice
    s.input(1);
    await s.time.advance(100);
    assert.equal(s.acted.length, 1);
    const [first] = s.acted;
    assert.ok(s.reads.length > readsBefore, "a read happened");
    assert.ok(s.reads[readsBefore] >= first.came, "started when the input came");
    assert.ok(first.at > first.came, "the input waited for it");
    assert.equal(first.rights, "view");
    assert.equal(allows(first.rights, "control"), false, "the input is refused");
  } finally {
    s.close();
  }
});

Deno.test("ViewerAuthority: input every 20 ms for 3 s waits once, at the start, and never acts on an answer over 500 ms old", async () => {
  const s = held();
  try {
    await s.time.advance(1_000);
    const readsBefore = s.reads.length;
    for (let i = 0; i < 150; i++) {
      s.input(i);
      await s.time.advance(20);
    }
    await s.time.advance(100);
    assert.equal(s.acted.length, 150);
    // The first input finds the answer stale and waits; the one that comes during that read
    // waits for the same read. After that, nothing waits again.
    const waited = s.acted.filter((a) => a.at > a.came);
    assert.ok(waited.length >= 1, "the first input waited: the answer was 1 s old");
    assert.deepEqual(new Set(waited.map((a) => a.at)), new Set([s.reads[readsBefore] + 25]));
    const oldest = Math.max(...s.acted.map((a) => a.age));
    assert.ok(oldest <= 500, `an input acted on an answer ${oldest} ms old`);
    const reads = s.reads.length - readsBefore;
    assert.ok(reads <= 3_000 / 400 + 2, `${reads} reads in 3 s of input: about one per 400 ms`);
  } finally {
    s.close();
  }
});

Deno.test("ViewerAuthority: input arriving during the wait shares its read and keeps its order", async () => {
  const s = held();
  try {
    await s.time.advance(1_000);
    const readsBefore = s.reads.length;
    for (let i = 1; i <= 5; i++) {
      s.input(i);
      await s.time.advance(4); // all five before the read's 25 ms are over
    }
    await s.time.advance(30);
    s.input(6); // the answer is fresh now: acts at once, after the others
    await s.time.advance(10);
    assert.equal(s.reads.length - readsBefore, 1, "one read for all five");
    assert.deepEqual(s.acted.map((a) => a.id), [1, 2, 3, 4, 5, 6]);
    assert.ok(s.acted.slice(0, 5).every((a) => a.at === s.reads[readsBefore] + 25), "after it");
    assert.equal(s.acted[5].at, s.acted[5].came);
  } finally {
    s.close();
  }
});

Deno.test("ViewerAuthority: a read asked for over staleMs before the input is not joined", async () => {
  // A slow read (600 ms): input coming while it runs, with the answer already stale, would act
  // on what that read saw up to 600 ms before it came — so it waits for one started after.
  const s = held(600);
  try {
    await s.time.advance(1_000);
    s.input(1); // stale: read A starts at 1 000
    await s.time.advance(550);
    s.input(2); // still stale; A was asked for 550 ms ago
    await s.time.advance(1_000);
    assert.deepEqual(s.acted.map((a) => a.id), [1, 2]);
    const [, second] = s.acted;
    assert.ok(s.reads.some((start) => start >= second.came - 500 && start <= second.at - 600));
    assert.ok(second.at >= 2_200, "the second input waited for a read after the first");
  } finally {
    s.close();
  }
});

Deno.test("ViewerAuthority reads by itself only everyMs after its last read, never after close()", async () => {
  // The fallback for a change no notice announced, whether the viewer watches or holds control:
  // losing rights that way closes or downgrades the socket within everyMs (5 s).
  const s = held();
  try {
    await s.time.advance(4_900);
    assert.equal(s.reads.length, 0, "nothing before 5 s");
    await s.time.advance(200);
    assert.deepEqual(s.reads, [5_000]);
    s.input(1); // at 5 100: fresh, no read
    await s.time.advance(600);
    assert.equal(s.reads.length, 1, "fresh: no read");
    s.input(2); // at 5 700: stale, read — which moves the fallback to 5 s after it (10 725)
    await s.time.advance(5_000);
    assert.deepEqual(s.reads, [5_000, 5_700]);
    await s.time.advance(100);
    assert.deepEqual(s.reads, [5_000, 5_700, 10_725]);
    s.close();
    await s.time.advance(20_000);
    assert.equal(s.reads.length, 3, "closed: no more reads");
  } finally {
    s.close();
  }
});
