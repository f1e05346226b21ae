// The audit log's hash chain against a real database (PGlite, or PostgreSQL with
// DATABASE_URL): concurrent writers keep one unbroken chain per organisation; a row
// changed, removed, added or cut off in the database is found at that entry.
// engine-both: the chain hashes values as each driver reads them back (timestamps, JSON).
import assert from "node:assert/strict";
import { asc, eq, sql } from "drizzle-orm";
import { type Database, openTestDatabase } from "../db/mod.ts";
import { chainUnlinkedEntries, verifyAuditChain } from "./chain.ts";
import { auditChainHeads, auditLog } from "./schema.ts";
import { recordAudit } from "./service.ts";

const ORG_A = "00000000-0000-4000-8000-00000000000a";
const ORG_B = "00000000-0000-4000-8000-00000000000b";

async function withDb(run: (db: Database) => Promise<void>) {
  const handle = await openTestDatabase();
  try {
    // The log names organisations by id only (no foreign key): none need exist here.
    await run(handle.db);
  } finally {
    await handle.close();
  }
}

function entry(orgId: string | null, i: number) {
  return {
    orgId,
    actorEmail: `person${i}@example.test`,
    action: "auth.signin" as const,
    ip: "192.0.2.1",
    target: null,
    details: { i, nested: { z: 1, a: [i, "ä"] } },
    at: new Date(Date.UTC(2026, 10, 24, 10, 0, i % 60, i)),
  };
}

async function rows(db: Database, orgId: string) {
  return await db.select().from(auditLog).where(eq(auditLog.orgId, orgId))
    .orderBy(asc(auditLog.seq));
}

Deno.test("recordAudit() from concurrent writers keeps one unbroken chain per organisation", async () => {
  await withDb(async (db) => {
    // 60 writers at once, each in its own transaction that does other work around the
    // entry (so transactions overlap on PostgreSQL's pool of connections), two organisations.
    await Promise.all(Array.from({ length: 60 }, (_, i) =>
      db.transaction(async (tx) => {
        await tx.execute(sql`select pg_sleep(${(i % 5) / 1000})`);
        await recordAudit(tx, entry(i % 2 ? ORG_A : ORG_B, i));
        await tx.execute(sql`select pg_sleep(${(i % 3) / 1000})`);
      })));
    // … and some outside any transaction, and entries of no organisation.
    await Promise.all(Array.from({ length: 20 }, (_, i) => recordAudit(db, entry(ORG_A, 100 + i))));
    await Promise.all(Array.from({ length: 5 }, (_, i) => recordAudit(db, entry(null, 200 + i))));
    const a = await rows(db, ORG_A);
    assert.deepEqual(a.map((r) => r.seq), Array.from({ length: 50 }, (_, i) => i + 1));
    assert.equal((await rows(db, ORG_B)).length, 30);
    const reports = await verifyAuditChain(db);
    assert.equal(reports.length, 3);
    for (const r of reports) assert.equal(r.intact, true, JSON.stringify(r));
    const byChain = Object.fromEntries(reports.map((r) => [r.chain, r.entries]));
    assert.deepEqual(byChain, { [ORG_A]: 50, [ORG_B]: 30, "-": 5 });
  });
});

Deno.test("verifyAuditChain() finds the entry a database edit changed, removed, added or cut off", async () => {
  await withDb(async (db) => {
    for (let i = 0; i < 12; i++) await recordAudit(db, entry(ORG_A, i));
    for (let i = 0; i < 3; i++) await recordAudit(db, entry(ORG_B, i));
    const check = async () => (await verifyAuditChain(db, { orgId: ORG_A }))[0];
    assert.deepEqual(await check(), { chain: ORG_A, orgId: ORG_A, entries: 12, intact: true });
    const all = await rows(db, ORG_A);

    // Changed: someone edits entry 5's details (jsonb key order does not matter; content does).
    const fifth = all[4];
    await db.update(auditLog).set({ details: { ...fifth.details, i: 999 } })
      .where(eq(auditLog.id, fifth.id));
    let report = await check();
    assert.equal(report.intact, false);
    assert.deepEqual(report.breaks, {
      id: fifth.id,
      seq: 5,
      at: fifth.createdAt,
      reason: "altered",
    });
    assert.equal(report.entries, 4);
    // … and recomputes its hash to cover it up: the next entry no longer links to it.
    const { entryHash } = await import("./chain.ts");
    const [edited] = await db.select().from(auditLog).where(eq(auditLog.id, fifth.id));
    await db.update(auditLog).set({ hash: entryHash(edited, 5, edited.prevHash!) })
      .where(eq(auditLog.id, fifth.id));
    report = await check();
    assert.deepEqual(report.breaks, {
      id: all[5].id,
      seq: 6,
      at: all[5].createdAt,
      reason: "relinked",
    });
    await db.update(auditLog).set({ details: fifth.details, hash: fifth.hash })
      .where(eq(auditLog.id, fifth.id));
    assert.equal((await check()).intact, true, "restored, it holds again");

    // Removed: entry 8 deleted.
    await db.delete(auditLog).where(eq(auditLog.id, all[7].id));
    report = await check();
    assert.deepEqual(report.breaks, {
      id: all[8].id,
      seq: 9,
      at: all[8].createdAt,
      reason: "missing",
    });
    await db.insert(auditLog).values(all[7]);
    assert.equal((await check()).intact, true);

    // Cut off: the last two entries deleted (the head still knows where the chain ended).
    await db.delete(auditLog).where(sql`${auditLog.id} in (${all[10].id}, ${all[11].id})`);
    report = await check();
    assert.deepEqual(report.breaks, { id: null, seq: 11, at: null, reason: "truncated" });
    assert.equal(report.entries, 10);
    await db.insert(auditLog).values([all[10], all[11]]);

    // Added: a row slipped in with SQL, outside the chain.
    const [slipped] = await db.insert(auditLog).values({
      orgId: ORG_A,
      action: "auth.signin",
      details: {},
      createdAt: new Date("2026-11-24T12:00:00Z"),
    }).returning();
    report = await check();
    assert.deepEqual(report.breaks, {
      id: slipped.id,
      seq: 13,
      at: slipped.createdAt,
      reason: "unlinked",
    });
    // The other organisation's chain is untouched by all this.
    assert.equal((await verifyAuditChain(db, { orgId: ORG_B }))[0].intact, true);
  });
});

Deno.test("chainUnlinkedEntries() links entries written before the chain existed, oldest first", async () => {
  await withDb(async (db) => {
    // As an installation from before the chain: plain rows, no head.
    for (let i = 0; i < 4; i++) {
      const e = entry(ORG_A, i);
      await db.insert(auditLog).values({ ...e, createdAt: e.at });
    }
    assert.equal((await verifyAuditChain(db, { orgId: ORG_A }))[0].breaks?.reason, "unlinked");
    assert.equal(await chainUnlinkedEntries(db), 4);
    assert.equal(await chainUnlinkedEntries(db), 0, "once");
    await recordAudit(db, entry(ORG_A, 9));
    const chain = await rows(db, ORG_A);
    assert.deepEqual(chain.map((r) => r.seq), [1, 2, 3, 4, 5]);
    assert.deepEqual(chain.map((r) => r.details.i), [0, 1, 2, 3, 9]);
    const [head] = await db.select().from(auditChainHeads).where(eq(auditChainHeads.chain, ORG_A));
    assert.deepEqual([head.seq, head.hash], [5, chain[4].hash]);
    assert.equal((await verifyAuditChain(db, { orgId: ORG_A }))[0].intact, true);
  });
});
