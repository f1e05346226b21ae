// The histograms the database triggers keep (report_histograms, report_hour_histograms): after
// every kind of change to the sessions — inserts, a pick-up time set later, status changes, a
// new lead, a session moved to another month, deletes — they hold what the sessions give when
// counted here; and a bin's middle is within `percentileBound` of every value put in it.
import assert from "node:assert/strict";
import { sql } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import { startTestApp } from "../../tests/support/app.ts";
import { masterAdmin } from "../../tests/support/org.ts";
import { seedSessions } from "../../tools/seed_sessions_lib.ts";
import { MEASURES } from "./facts.ts";
import { percentileBound } from "./histograms.ts";

async function rows<T>(db: Database, query: ReturnType<typeof sql>): Promise<T[]> {
  const result = await db.execute(query);
  const list = Array.isArray(result) ? result : (result as { rows: unknown[] }).rows;
  return list.map((r) => ({ ...(r as object) })) as T[];
}

/** The tables' bins with sessions in them against the same bins counted from the sessions. */
async function assertHistogramsHold(db: Database, orgId: string, when: string) {
  const month = (column: string) => sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM')`);
  const held = await rows<Record<string, unknown>>(
    db,
    sql`select ${month("month")} as month, group_id::text as g, technician_id::text as t,
      channel_id::text as c, metric::int as metric, bin, n from report_histograms
      where org_id = ${orgId} and n <> 0 order by 1, 2, 3, 4, 5, 6`,
  );
  const counted = await rows<Record<string, unknown>>(
    db,
    sql`select month, g, t, c, metric, report_bin(seconds) as bin, count(*)::int as n from (
        select ${month("created_at")} as month, group_id::text as g, lead_user_id::text as t,
          channel_id::text as c, m.metric, m.seconds
        from support_sessions, lateral (values
          (1, extract(epoch from picked_up_at - connected_at)::float8),
          (2, extract(epoch from ended_at - coalesce(connected_at, created_at))::float8),
          (3, extract(epoch from ended_at - picked_up_at)::float8)) as m(metric, seconds)
        where org_id = ${orgId} and m.seconds is not null
      ) x group by 1, 2, 3, 4, 5, 6 order by 1, 2, 3, 4, 5, 6`,
  );
  assert.ok(counted.length > 0, `${when}: sessions with waits and durations`);
  assert.deepEqual(held, counted, `${when}: report_histograms`);
  const heldHours = await rows<Record<string, unknown>>(
    db,
    sql`select ${month("month")} as month, hour::int as hour, group_id::text as g,
      channel_id::text as c, bin, n from report_hour_histograms
      where org_id = ${orgId} and n <> 0 order by 1, 2, 3, 4, 5`,
  );
  const countedHours = await rows<Record<string, unknown>>(
    db,
    sql`select ${month("created_at")} as month,
        extract(hour from created_at at time zone 'UTC')::int as hour, group_id::text as g,
        channel_id::text as c,
        report_bin(extract(epoch from picked_up_at - connected_at)::float8) as bin,
        count(*)::int as n
      from support_sessions where org_id = ${orgId} and picked_up_at is not null
        and connected_at is not null group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5`,
  );
  assert.deepEqual(heldHours, countedHours, `${when}: report_hour_histograms`);
}

async function assertAllHold(db: Database, orgId: string, when: string) {
  await assertHistogramsHold(db, orgId, when);
  await assertMonthRollupsHold(db, orgId, when);
}

/**
 * report_month_rollups against report_rollups added up per UTC month and hour of the day (rows
 * that are all zeros dropped on both sides: rows are not deleted; sums of seconds rounded).
 */
async function assertMonthRollupsHold(db: Database, orgId: string, when: string) {
  const measures = MEASURES.map((m) =>
    m.endsWith("_sum") ? `round(sum(${m})::numeric, 3)::float8 as ${m}` : `sum(${m})::int as ${m}`
  ).join(", ");
  const read = async (from: string) =>
    (await rows<Record<string, unknown>>(
      db,
      sql`select m, h, g, t, c, ${sql.raw(measures)} from (${sql.raw(from)}) x
        where org_id = ${orgId} group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5`,
    )).filter((r) => MEASURES.some((m) => r[m] !== 0));
  const columns = `org_id, group_id::text as g, technician_id::text as t,
    channel_id::text as c, ${MEASURES.join(", ")}`;
  const held = await read(`select ${columns}, to_char(month at time zone 'UTC', 'YYYY-MM') as m,
    hour::int as h from report_month_rollups`);
  const added = await read(`select ${columns}, to_char(hour at time zone 'UTC', 'YYYY-MM') as m,
    extract(hour from hour at time zone 'UTC')::int as h from report_rollups`);
  assert.ok(added.length > 0, `${when}: rollups`);
  assert.deepEqual(held, added, `${when}: report_month_rollups`);
}

Deno.test({
  name:
    "report_histograms, report_hour_histograms and report_month_rollups follow every insert, update and delete",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const t = await startTestApp();
    try {
      const db = t.deps.db;
      const { orgId } = await masterAdmin(t);
      const end = new Date("2026-06-10T00:00:00Z");
      const seeded = await seedSessions(db, { orgId, count: 400, days: 70, end });
      await assertAllHold(db, orgId, "after the inserts");

      // Waiting customers picked up after all (the pick-up time set later), now open again.
      const [{ picked }] = await rows<{ picked: number }>(
        db,
        sql`with u as (update support_sessions set picked_up_at = connected_at + interval '75 s',
            ended_at = null, outcome = null, lead_user_id = ${seeded.technicianIds[2]}
          where org_id = ${orgId} and outcome in ('waiting_timeout', 'closed_by_waiting_customer')
          returning 1) select count(*)::int as picked from u`,
      );
      assert.ok(picked > 0, "the seed has waiting customers");
      await assertAllHold(db, orgId, "after picking up");
      // Every open session ends (a status change: ended_at and outcome).
      await db.execute(sql`update support_sessions set outcome = 'closed_by_technician',
        ended_at = coalesce(picked_up_at, connected_at, created_at) + interval '20 minutes'
        where org_id = ${orgId} and ended_at is null`);
      await assertAllHold(db, orgId, "after ending");
      // A new lead for some, and some moved back 40 days (into another month).
      await db.execute(sql`update support_sessions set lead_user_id = ${seeded.technicianIds[0]}
        where org_id = ${orgId} and number % 4 = 0`);
      await db.execute(sql`update support_sessions set created_at = created_at - interval '40 days'
        where org_id = ${orgId} and number % 5 = 0`);
      await assertAllHold(db, orgId, "after new leads and months");
      // A pick-up moved later: the same session, another bin.
      await db.execute(
        sql`update support_sessions set picked_up_at = picked_up_at + interval '1 hour'
        where org_id = ${orgId} and number % 6 = 0 and picked_up_at is not null`,
      );
      await assertAllHold(db, orgId, "after later pick-ups");
      await db.execute(sql`delete from survey_answers where session_id in
        (select id from support_sessions where org_id = ${orgId} and number % 3 = 0)`);
      await db.execute(
        sql`delete from support_sessions where org_id = ${orgId} and number % 3 = 0`,
      );
      await assertAllHold(db, orgId, "after the deletes");
      await seedSessions(db, { orgId, count: 100, days: 70, end, seed: 0.7 });
      await assertAllHold(db, orgId, "after more inserts");
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "report_bin() puts each value in a bin whose middle is within percentileBound of it",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const t = await startTestApp();
    try {
      const values = [-3.5, 0, 0.2, 1, 42.7, 59.999, 60, 61.19, 61.21, 125, 3600, 14_400, 86_400];
      for (let i = 0; i < 200; i++) values.push(Math.exp(Math.random() * 11));
      const bins = await rows<{ v: number; bin: number }>(
        t.deps.db,
        sql`select v, report_bin(v) as bin
          from unnest(${`{${values.join(",")}}`}::float8[]) as v`,
      );
      const byValue = new Map(bins.map((b) => [b.v, b.bin]));
      assert.equal(byValue.get(59.999), 59);
      assert.equal(byValue.get(60), 60);
      assert.equal(byValue.get(61.19), 60);
      assert.equal(byValue.get(61.21), 61);
      assert.equal(byValue.get(-3.5), -4);
      // The middle the reports take for a bin (histograms.ts): b + 0.5, or 1 % above its start.
      const middle = (b: number) => b < 60 ? b + 0.5 : 60 * 1.02 ** (b - 60) * 1.01;
      for (const { v, bin } of bins) {
        assert.ok(
          Math.abs(middle(bin) - v) <= percentileBound(v) + 1e-9,
          `${v} in bin ${bin} (middle ${middle(bin)})`,
        );
      }
    } finally {
      await t.close();
    }
  },
});
