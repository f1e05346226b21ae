import assert from "node:assert/strict";
import { and, eq } from "drizzle-orm";
import { type Database, openTestDatabase } from "../db/mod.ts";
import { loginThrottle } from "./schema.ts";
import {
  checkThrottle,
  clearAccountFailures,
  registerFailure,
  THROTTLE_POLICY,
  type ThrottleKey,
} from "./throttle.ts";

const T0 = new Date("2026-11-24T10:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const { free, lockAt } = THROTTLE_POLICY.account;

const account = (email: string): ThrottleKey => ({ scope: "account", key: email });
const address = (ip: string): ThrottleKey => ({ scope: "address", key: ip });
const ALICE = account("alice@example.test");
const HOME = address("192.0.2.10");

async function withDb(fn: (db: Database) => Promise<void>) {
  const handle = await openTestDatabase();
  try {
    await fn(handle.db);
  } finally {
    await handle.close();
  }
}

/** Registers `n` failures for `keys`, all at `now`; returns what each call returned. */
async function fail(db: Database, keys: ThrottleKey[], n: number, now: Date) {
  const results = [];
  for (let i = 0; i < n; i++) results.push(await registerFailure(db, keys, now));
  return results;
}

async function storedFailures(db: Database, { scope, key }: ThrottleKey) {
  const [row] = await db.select().from(loginThrottle).where(
    and(eq(loginThrottle.scope, scope), eq(loginThrottle.key, key)),
  );
  return row?.failures;
}

Deno.test("checkThrottle() allows an attempt for keys it has never seen", async () => {
  await withDb(async (db) => {
    assert.deepEqual(await checkThrottle(db, [ALICE, HOME], T0), { kind: "allowed" });
  });
});

Deno.test("checkThrottle() allows attempts straight away after the first THROTTLE_POLICY.account.free failures", async () => {
  await withDb(async (db) => {
    for (let i = 1; i <= free; i++) {
      assert.deepEqual(await registerFailure(db, [ALICE, HOME], T0), []);
      assert.deepEqual(
        await checkThrottle(db, [ALICE, HOME], T0),
        { kind: "allowed" },
        `after ${i} failure(s)`,
      );
    }
    assert.equal(await storedFailures(db, ALICE), free);
  });
});

Deno.test("checkThrottle() requires a wait once failures exceed the free allowance, then allows after it", async () => {
  await withDb(async (db) => {
    await fail(db, [ALICE, HOME], free + 1, T0);
    const verdict = await checkThrottle(db, [ALICE, HOME], T0);
    assert.equal(verdict.kind, "wait");
    assert.ok(verdict.kind === "wait" && verdict.retryAfterSeconds > 0);
    const wait = verdict.retryAfterSeconds * SECOND;
    assert.equal(
      (await checkThrottle(db, [ALICE, HOME], at(wait - 1))).kind,
      "wait",
      "still waiting a millisecond before",
    );
    assert.deepEqual(await checkThrottle(db, [ALICE, HOME], at(wait)), { kind: "allowed" });
  });
});

Deno.test("checkThrottle() counts the wait from the last failure and lengthens it with every failure", async () => {
  await withDb(async (db) => {
    await fail(db, [ALICE], free, T0);
    const waits: number[] = [];
    let now = T0;
    for (let n = free + 1; n < lockAt; n++) {
      await registerFailure(db, [ALICE], now);
      const verdict = await checkThrottle(db, [ALICE], now);
      assert.equal(verdict.kind, "wait", `after ${n} failures`);
      if (verdict.kind === "wait") waits.push(verdict.retryAfterSeconds);
      const half = new Date(now.getTime() + 500);
      assert.equal((await checkThrottle(db, [ALICE], half)).kind, "wait", "half a second later");
      now = new Date(now.getTime() + 61 * SECOND); // wait out every back-off
      assert.deepEqual(await checkThrottle(db, [ALICE], now), { kind: "allowed" });
    }
    for (let i = 1; i < waits.length; i++) {
      assert.ok(waits[i] > waits[i - 1], `waits grow: ${waits.join(", ")}`);
    }
    assert.ok(waits.every((s) => s <= 60), `waits stay within a minute: ${waits.join(", ")}`);
  });
});

Deno.test("checkThrottle() never asks for more than a minute's wait", async () => {
  await withDb(async (db) => {
    // The address scope allows many failures before locking, so the back-off reaches its cap.
    await fail(db, [HOME], THROTTLE_POLICY.address.lockAt - 1, T0);
    assert.deepEqual(await checkThrottle(db, [HOME], T0), { kind: "wait", retryAfterSeconds: 60 });
    assert.deepEqual(await checkThrottle(db, [HOME], at(MINUTE)), { kind: "allowed" });
  });
});

Deno.test('registerFailure() returns ["account"] exactly once, at THROTTLE_POLICY.account.lockAt failures', async () => {
  await withDb(async (db) => {
    const results = await fail(db, [ALICE, HOME], lockAt + 2, T0);
    assert.deepEqual(results.slice(0, lockAt - 1), Array(lockAt - 1).fill([]));
    assert.deepEqual(results[lockAt - 1], ["account"]);
    assert.deepEqual(results.slice(lockAt), [[], []], "further failures while locked");
  });
});

Deno.test("checkThrottle() says locked for 15 minutes after the lockout, then allows", async () => {
  await withDb(async (db) => {
    await fail(db, [ALICE, HOME], lockAt, T0);
    assert.deepEqual(await checkThrottle(db, [ALICE, HOME], T0), {
      kind: "locked",
      retryAfterSeconds: 15 * 60,
      scope: "account",
    });
    assert.deepEqual(await checkThrottle(db, [ALICE, HOME], at(15 * MINUTE - SECOND)), {
      kind: "locked",
      retryAfterSeconds: 1,
      scope: "account",
    });
    assert.deepEqual(await checkThrottle(db, [ALICE, HOME], at(15 * MINUTE)), { kind: "allowed" });
  });
});

Deno.test("checkThrottle() keeps the account locked even while the caller's address is clean", async () => {
  await withDb(async (db) => {
    await fail(db, [ALICE, HOME], lockAt, T0);
    const verdict = await checkThrottle(db, [ALICE, address("198.51.100.7")], at(MINUTE));
    assert.equal(verdict.kind, "locked");
  });
});

Deno.test("registerFailure() starts the count over after a lock has run out", async () => {
  await withDb(async (db) => {
    await fail(db, [ALICE], lockAt, T0);
    const after = at(15 * MINUTE + SECOND);
    assert.deepEqual(await registerFailure(db, [ALICE], after), []);
    assert.equal(await storedFailures(db, ALICE), 1);
    assert.deepEqual(await checkThrottle(db, [ALICE], after), { kind: "allowed" });
    // A full new run of failures is needed to lock again, and it is reported again.
    const again = await fail(db, [ALICE], lockAt - 1, after);
    assert.deepEqual(again.at(-1), ["account"]);
  });
});

Deno.test("clearAccountFailures() resets the account's counter", async () => {
  await withDb(async (db) => {
    await fail(db, [ALICE, HOME], free + 2, T0);
    assert.equal((await checkThrottle(db, [ALICE], T0)).kind, "wait");
    await clearAccountFailures(db, ALICE.key);
    assert.deepEqual(await checkThrottle(db, [ALICE], T0), { kind: "allowed" });
    // The count starts from zero: `free` new failures cost nothing again.
    await fail(db, [ALICE], free, T0);
    assert.deepEqual(await checkThrottle(db, [ALICE], T0), { kind: "allowed" });
  });
});

Deno.test("clearAccountFailures() leaves the address counter and other accounts alone", async () => {
  await withDb(async (db) => {
    const bob = account("bob@example.test");
    await fail(db, [ALICE, HOME], THROTTLE_POLICY.address.free + 1, T0);
    await fail(db, [bob], free + 1, T0);
    await clearAccountFailures(db, ALICE.key);
    assert.equal(await storedFailures(db, ALICE), undefined);
    assert.equal(await storedFailures(db, HOME), THROTTLE_POLICY.address.free + 1);
    assert.equal((await checkThrottle(db, [HOME], T0)).kind, "wait");
    assert.equal((await checkThrottle(db, [bob], T0)).kind, "wait");
  });
});

Deno.test("checkThrottle() forgets failures after 15 quiet minutes", async () => {
  await withDb(async (db) => {
    await fail(db, [ALICE], lockAt - 1, T0);
    assert.equal((await checkThrottle(db, [ALICE], T0)).kind, "wait");
    assert.deepEqual(await checkThrottle(db, [ALICE], at(15 * MINUTE + SECOND)), {
      kind: "allowed",
    });
  });
});

Deno.test("registerFailure() starts over after 15 quiet minutes, but not after 14", async () => {
  await withDb(async (db) => {
    await fail(db, [ALICE], free + 1, T0);
    // 14 minutes later the counter still stands: one more failure makes a longer wait.
    await registerFailure(db, [ALICE], at(14 * MINUTE));
    assert.equal(await storedFailures(db, ALICE), free + 2);
    assert.equal((await checkThrottle(db, [ALICE], at(14 * MINUTE))).kind, "wait");
    // 15 quiet minutes after that, the next failure is the first again.
    const later = at(29 * MINUTE + SECOND);
    assert.deepEqual(await registerFailure(db, [ALICE], later), []);
    assert.equal(await storedFailures(db, ALICE), 1);
    await fail(db, [ALICE], free - 1, later);
    assert.deepEqual(await checkThrottle(db, [ALICE], later), { kind: "allowed" });
  });
});

Deno.test("registerFailure() counts the address separately: other e-mails from one address add up", async () => {
  await withDb(async (db) => {
    const { free: addressFree } = THROTTLE_POLICY.address;
    for (let i = 0; i <= addressFree; i++) {
      assert.deepEqual(await registerFailure(db, [account(`user${i}@example.test`), HOME], T0), []);
    }
    assert.equal(await storedFailures(db, HOME), addressFree + 1);
    const stranger = account("someone-new@example.test");
    const verdict = await checkThrottle(db, [stranger, HOME], T0);
    assert.equal(verdict.kind, "wait", "a new e-mail from the busy address must wait");
    assert.deepEqual(
      await checkThrottle(db, [stranger, address("198.51.100.7")], T0),
      { kind: "allowed" },
      "the same e-mail from another address is not slowed",
    );
    assert.deepEqual(await checkThrottle(db, [account("user0@example.test")], T0), {
      kind: "allowed",
    });
  });
});

Deno.test('registerFailure() returns ["address"] once the address reaches its own lockAt', async () => {
  await withDb(async (db) => {
    const { lockAt: addressLockAt } = THROTTLE_POLICY.address;
    const results = [];
    for (let i = 0; i < addressLockAt + 1; i++) {
      results.push(await registerFailure(db, [account(`user${i}@example.test`), HOME], T0));
    }
    assert.deepEqual(results.filter((r) => r.length > 0), [["address"]]);
    assert.deepEqual(results[addressLockAt - 1], ["address"]);
    assert.deepEqual(await checkThrottle(db, [account("new@example.test"), HOME], T0), {
      kind: "locked",
      retryAfterSeconds: 15 * 60,
      scope: "address",
    });
  });
});
