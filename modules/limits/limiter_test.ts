import assert from "node:assert/strict";
import { openTestDatabase } from "../db/mod.ts";
import {
  addressKey,
  consume,
  enforce,
  RateLimited,
  record,
  sweepRateLimits,
  usage,
} from "./limiter.ts";
import { rateLimits } from "./schema.ts";

const at = (s: number) => new Date(Date.UTC(2026, 10, 24, 10, 0, s));

Deno.test("consume() on the database: 50 concurrent uses of a budget of 30 grant exactly 30", async () => {
  const handle = await openTestDatabase();
  try {
    const verdicts = await Promise.all(
      Array.from(
        { length: 50 },
        () => consume(handle.db, { action: "sessionCreate", key: "u1", now: at(5) }),
      ),
    );
    assert.equal(verdicts.filter((v) => v.ok).length, 30);
    for (const v of verdicts) if (!v.ok) assert.ok(v.retryAfterSeconds >= 57);
    const rows = await handle.db.select().from(rateLimits);
    assert.deepEqual(
      rows.map((r) => [r.key, r.count]),
      [["sessionCreate:u1", 30]],
      "refusals are not counted",
    );
    const other = await consume(handle.db, { action: "sessionCreate", key: "u2", now: at(5) });
    assert.equal(other.ok, true, "another key has its own budget");
  } finally {
    await handle.close();
  }
});

Deno.test("consume() slides: the previous window weighs in; a refund gives a use back", async () => {
  const handle = await openTestDatabase();
  try {
    const request = (s: number) => ({ action: "sessionCreate" as const, key: "u", now: at(s) });
    for (let i = 0; i < 30; i++) assert.equal((await consume(handle.db, request(30))).ok, true);
    const refused = await consume(handle.db, request(30));
    assert.deepEqual(refused, { ok: false, retryAfterSeconds: 32 });
    assert.equal((await consume(handle.db, request(61))).ok, false, "30 × 59/60 + 1 > 30");
    const next = await consume(handle.db, request(62));
    assert.equal(next.ok, true);
    assert.equal(await usage(handle.db, request(62)), 30 * (58 / 60) + 1);
    if (next.ok) await next.refund();
    assert.equal(await usage(handle.db, request(62)), 30 * (58 / 60));
  } finally {
    await handle.close();
  }
});

Deno.test("enforce() throws RateLimited; record() counts without asking", async () => {
  const handle = await openTestDatabase();
  try {
    const request = { action: "channelForm" as const, key: "10.0.0.1", now: at(0) };
    for (let i = 0; i < 10; i++) await record(handle.db, request);
    await assert.rejects(() => enforce(handle.db, request), (error: unknown) => {
      assert.ok(error instanceof RateLimited);
      assert.equal(error.action, "channelForm");
      assert.equal(error.retryAfterSeconds, 15 * 60 + 90); // 10 × (1 − t/15 min) + 1 ≤ 10
      return true;
    });
  } finally {
    await handle.close();
  }
});

Deno.test("sweepRateLimits() deletes only windows no estimate reads any more", async () => {
  const handle = await openTestDatabase();
  try {
    await record(handle.db, { action: "customerChat", key: "s", now: at(0) });
    await record(handle.db, { action: "pinFirstTries", key: "a", now: at(0) });
    await sweepRateLimits(handle.db, new Date(at(0).getTime() + 3 * 60_000));
    const keys = (await handle.db.select().from(rateLimits)).map((r) => r.key);
    assert.deepEqual(keys, ["pinFirstTries:a"], "the chat minute is gone, the hour is not");
  } finally {
    await handle.close();
  }
});

Deno.test("addressKey() keeps IPv4 and groups IPv6 by its /64 (or /48)", () => {
  assert.equal(addressKey("203.0.113.7"), "203.0.113.7");
  assert.equal(addressKey("::ffff:203.0.113.7"), "203.0.113.7");
  assert.equal(addressKey("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
  assert.equal(addressKey("2001:0DB8:0001:0002:bbbb:cccc:dddd:eeee"), "2001:db8:1:2::/64");
  assert.equal(addressKey("2001:db8::5"), "2001:db8:0:0::/64");
  assert.equal(addressKey("::1"), "0:0:0:0::/64");
  assert.equal(addressKey("2001:db8:1:2:aaaa::1", { v6Bits: 48 }), "2001:db8:1::/48");
  assert.equal(addressKey("10.1.2.3", { v6Bits: 48 }), "10.1.2.3");
});
