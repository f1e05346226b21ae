// The reports over 20,000 seeded sessions, each checked against a computation of its own
// here: plain SQL over the raw rows (no buckets series, no shared helpers), percentiles
// taken in TypeScript from the raw waits and durations. The pages read the hourly rollups
// (report_rollups) and the monthly histograms (report_histograms, report_hour_histograms),
// all kept by triggers; every report from them must equal the same report over the sessions
// directly — medians and p90s within the histograms' stated bound (`percentileBound`) — before
// and after sessions are updated and deleted. Runs on PGlite, and on PostgreSQL
// with DATABASE_URL. 20,000 is what correctness needs (every day of the period, every
// outcome, hundreds of survey answers a month, each technician); speed at a million
// sessions is measured by `deno task bench:reports`, not here.
// engine-both: the reports are raw SQL, whose results the two drivers shape differently.
import assert from "node:assert/strict";
import { sql } from "drizzle-orm";
import type { Database } from "../modules/db/mod.ts";
import {
  percentileBound,
  REPORT_KINDS,
  type ReportQuery,
  type ReportResult,
  type ReportScope,
  runReport,
} from "../modules/reports/mod.ts";
import { SESSION_OUTCOMES } from "../modules/sessions/mod.ts";
import { seedSessions } from "../tools/seed_sessions_lib.ts";
import { startTestApp } from "./support/app.ts";
import { masterAdmin } from "./support/org.ts";

const COUNT = 20_000;
const END = new Date("2026-11-24T00:00:00Z");
const TZ = "Europe/Amsterdam";

async function rows<T>(db: Database, query: ReturnType<typeof sql>): Promise<T[]> {
  const result = await db.execute(query);
  return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as T[];
}

/** percentile_cont: linear interpolation between the closest ranks. */
function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const at = p * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

function near(actual: unknown, expected: number | null, what: string, slack = 1) {
  if (expected === null) return assert.equal(actual, null, what);
  assert.ok(
    typeof actual === "number" && Math.abs(actual - expected) <= slack,
    `${what}: ${actual} vs ${expected}`,
  );
}

/**
 * A median or p90 from the histograms, rounded to a second, against the exact value: within
 * the bound, plus half a second for the rounding.
 */
function nearBinned(actual: unknown, expected: number | null, what: string) {
  near(actual, expected, what, expected === null ? 0 : percentileBound(expected) + 0.5);
}

const PERCENTILE = /^(median|p90)_/;
const BINNED_KINDS = ["waiting", "duration", "hours", "performance"];

/**
 * Every report over the rollups equals the same report over the sessions directly; medians
 * and p90s (from the histograms there, exact here) within the bound, both sides rounded.
 */
async function sameFromRollups(db: Database, scope: ReportScope, q: ReportQuery) {
  for (const kind of REPORT_KINDS) {
    const rolled = await runReport(db, kind, scope, q, { source: "rollups" });
    const direct = await runReport(db, kind, scope, q, { source: "direct" });
    assert.equal(rolled.rows.length, direct.rows.length, kind);
    // Periods up to 31 days take them exactly from the sessions (EXACT_MAX_DAYS).
    const long = (Date.parse(q.toDay) - Date.parse(q.fromDay)) / 86_400_000 > 31;
    const binned = long && BINNED_KINDS.includes(kind) && !(kind === "hours" && q.technician);
    assert.equal(rolled.binned ?? false, binned, `${kind}: percentiles from the histograms`);
    assert.equal(direct.binned ?? false, false, `${kind}: exact percentiles`);
    for (const [i, row] of direct.rows.entries()) {
      for (const c of direct.columns) {
        const [a, b] = [rolled.rows[i][c.key], row[c.key]];
        const what = `${kind} ${q.fromDay} row ${i} ${c.key}: ${a} vs ${b}`;
        // Sums of seconds and scores are added in another order: a rounding may differ by one.
        if (typeof b === "number" && binned && PERCENTILE.test(c.key)) {
          near(a, b, what, percentileBound(b) + 1);
        } else if (typeof b === "number" && ["seconds", "score", "percent"].includes(c.kind)) {
          near(a, b, what, c.kind === "seconds" ? 1 : 0.01);
        } else assert.equal(a, b, what);
      }
    }
  }
}

const byKey = (result: ReportResult, key: string) =>
  new Map(result.rows.map((r) => [String(r[key]), r]));

Deno.test({
  name: "runReport() over 20,000 seeded sessions agrees with direct SQL, in a viewer's time zone",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const t = await startTestApp();
    try {
      const db = t.deps.db;
      const admin = await masterAdmin(t);
      const started = performance.now();
      const seeded = await seedSessions(db, { orgId: admin.orgId, count: COUNT, end: END });
      console.log(`seeded ${COUNT} sessions in ${Math.round(performance.now() - started)} ms`);
      const scope = { orgId: admin.orgId, groupIds: "all" as const };
      const [{ n }] = await rows<{ n: number }>(
        db,
        sql`select count(*)::int as n from support_sessions where org_id = ${admin.orgId}`,
      );
      assert.equal(n, COUNT);

      // October 2026 in Amsterdam, per day (the switch from summer time is in it).
      const q: ReportQuery = {
        fromDay: "2026-10-01",
        toDay: "2026-11-01",
        step: "day",
        tz: TZ,
        by: "technician",
      };
      const inPeriod = sql`org_id = ${admin.orgId}
        and (created_at at time zone ${TZ}) >= '2026-10-01' and (created_at at time zone ${TZ}) < '2026-11-01'`;
      const day = sql`to_char(created_at at time zone ${TZ}, 'YYYY-MM-DD')`;

      // Outcomes: every day present, each count as a plain GROUP BY says.
      const outcomes = await runReport(db, "outcomes", scope, q);
      assert.equal(outcomes.rows.length, 31);
      const direct = await rows<{ day: string; outcome: string; n: number }>(
        db,
        sql`select ${day} as day, coalesce(outcome, 'open') as outcome, count(*)::int as n
          from support_sessions where ${inPeriod} group by 1, 2`,
      );
      assert.ok(direct.length > 100, "the period has sessions of every kind");
      const byDay = byKey(outcomes, "day");
      let total = 0;
      for (const d of direct) {
        assert.equal(byDay.get(d.day)?.[d.outcome], d.n, `${d.day} ${d.outcome}`);
        total += d.n;
      }
      assert.equal(outcomes.rows.reduce((sum, r) => sum + Number(r.sessions), 0), total);
      for (const o of SESSION_OUTCOMES) assert.ok(outcomes.columns.some((c) => c.key === o));

      // Waiting and duration: percentiles from the raw values, per day.
      const raw = await rows<
        { day: string; wait: number | null; duration: number | null; handling: number | null }
      >(
        db,
        sql`select ${day} as day,
          extract(epoch from picked_up_at - connected_at)::float8 as wait,
          extract(epoch from ended_at - coalesce(connected_at, created_at))::float8 as duration,
          extract(epoch from ended_at - picked_up_at)::float8 as handling
          from support_sessions where ${inPeriod}`,
      );
      const waiting = byKey(await runReport(db, "waiting", scope, q), "day");
      const duration = byKey(await runReport(db, "duration", scope, q), "day");
      const days = [...new Set(raw.map((r) => r.day))];
      assert.equal(days.length, 31);
      for (const d of days) {
        const of = (k: "wait" | "duration" | "handling") =>
          raw.filter((r) => r.day === d && r[k] !== null).map((r) => r[k] as number);
        const w = waiting.get(d)!;
        assert.equal(w.picked_up, of("wait").length, `${d} picked up`);
        near(w.median_wait, percentile(of("wait"), 0.5), `${d} median wait`);
        near(w.p90_wait, percentile(of("wait"), 0.9), `${d} p90 wait`);
        const u = duration.get(d)!;
        assert.equal(u.ended, of("duration").length, `${d} ended`);
        near(u.median_duration, percentile(of("duration"), 0.5), `${d} median duration`);
        near(u.p90_duration, percentile(of("duration"), 0.9), `${d} p90 duration`);
        const handling = of("handling");
        near(u.median_handling, percentile(handling, 0.5), `${d} median handling`);
        near(
          u.mean_handling,
          handling.reduce((a, b) => a + b, 0) / handling.length,
          `${d} mean handling`,
        );
      }

      // Hours of the day, local.
      const hours = await runReport(db, "hours", scope, q);
      assert.equal(hours.rows.length, 24);
      const perHour = await rows<{ hour: number; n: number }>(
        db,
        sql`select extract(hour from created_at at time zone ${TZ})::int as hour,
          count(*)::int as n from support_sessions where ${inPeriod} group by 1`,
      );
      for (const h of perHour) assert.equal(hours.rows[h.hour].sessions, h.n, `hour ${h.hour}`);
      // Its median waits, exact for a month (the year's, from the hour histograms, across both
      // switches of summer time, are checked against the exact ones below).
      assert.equal(hours.binned ?? false, false);
      const waited = sql`picked_up_at is not null and connected_at is not null`;
      const hourWaits = await rows<{ hour: number; wait: number }>(
        db,
        sql`select extract(hour from created_at at time zone ${TZ})::int as hour,
          extract(epoch from picked_up_at - connected_at)::float8 as wait
          from support_sessions where ${inPeriod} and ${waited}`,
      );
      for (let h = 0; h < 24; h++) {
        const waits = hourWaits.filter((w) => w.hour === h).map((w) => w.wait);
        near(hours.rows[h].median_wait, percentile(waits, 0.5), `hour ${h} median wait`);
      }
      assert.ok(Number(hours.rows[10].sessions) > Number(hours.rows[3].sessions) * 2);

      // Transfers and survey scores over the whole year, per month.
      const year: ReportQuery = { ...q, fromDay: "2025-11-01", toDay: "2026-11-24", step: "month" };
      const inYear = sql`s.org_id = ${admin.orgId}
        and (s.created_at at time zone ${TZ}) >= '2025-11-01'
        and (s.created_at at time zone ${TZ}) < '2026-11-24'`;
      const month =
        sql`to_char(date_trunc('month', s.created_at at time zone ${TZ}), 'YYYY-MM-DD')`;
      const transfers = byKey(await runReport(db, "transfers", scope, year), "day");
      const yearWaiting = byKey(await runReport(db, "waiting", scope, year), "day");
      const yearWaits = await rows<
        { day: string; hour: number; id: string | null; wait: number }
      >(
        db,
        sql`select ${month} as day, s.lead_user_id::text as id,
          extract(hour from s.created_at at time zone ${TZ})::int as hour,
          extract(epoch from s.picked_up_at - s.connected_at)::float8 as wait
          from support_sessions s where ${inYear}
            and s.picked_up_at is not null and s.connected_at is not null`,
      );
      const survey = byKey(await runReport(db, "survey", scope, year), "day");
      const monthly = await rows<
        { day: string; sessions: number; moved: number; transfers: number }
      >(
        db,
        sql`select ${month} as day, count(*)::int as sessions,
          (count(*) filter (where s.transfers > 0))::int as moved,
          sum(s.transfers)::int as transfers
          from support_sessions s where ${inYear} group by 1`,
      );
      // Scores: the answers given in each month (each answer names its session's people).
      const answers = new Map(
        (await rows<{ day: string; answered: number; score: number }>(
          db,
          sql`select to_char(date_trunc('month', answered_at at time zone ${TZ}), 'YYYY-MM-DD') as day,
            count(*)::int as answered, avg(score)::float8 as score from survey_answers
            where org_id = ${admin.orgId} and (answered_at at time zone ${TZ}) >= '2025-11-01'
              and (answered_at at time zone ${TZ}) < '2026-11-24' group by 1`,
        )).map((r) => [r.day, r]),
      );
      assert.equal(monthly.length, 13);
      for (const m of monthly) {
        const tr = transfers.get(m.day)!;
        assert.equal(tr.sessions, m.sessions, `${m.day} sessions`);
        assert.equal(tr.transferred, m.moved, `${m.day} transferred`);
        assert.equal(tr.transfers, m.transfers, `${m.day} transfers`);
        // A month's waits: its UTC month's histogram and the hour or two of sessions between.
        const waits = yearWaits.filter((w) => w.day === m.day).map((w) => w.wait);
        const wm = yearWaiting.get(m.day)!;
        nearBinned(wm.median_wait, percentile(waits, 0.5), `${m.day} median wait`);
        nearBinned(wm.p90_wait, percentile(waits, 0.9), `${m.day} p90 wait`);
        const sv = survey.get(m.day)!;
        const a = answers.get(m.day);
        assert.equal(sv.answered, a?.answered ?? 0, `${m.day} answered`);
        near(sv.score, a?.score ?? null, `${m.day} score`, 0.005);
      }
      // The hours of the day over the year: from the hour histograms, across both switches.
      const yearHours = await runReport(db, "hours", scope, year);
      assert.equal(yearHours.binned, true);
      for (let h = 0; h < 24; h++) {
        const waits = yearWaits.filter((w) => w.hour === h).map((w) => w.wait);
        nearBinned(yearHours.rows[h].median_wait, percentile(waits, 0.5), `year hour ${h}`);
      }
      const many = COUNT / 100; // 1 % of the sessions answered in one month
      assert.ok([...answers.values()].some((a) => a.answered > many), "the seed answered surveys");

      // Performance per technician: handled, score, transfers, against GROUP BY.
      const performance_ = await runReport(db, "performance", scope, year);
      const perTech = await rows<
        { id: string; sessions: number; handled: number; transfers: number; score: number }
      >(
        db,
        sql`select s.lead_user_id::text as id, count(*)::int as sessions,
          (count(*) filter (where s.picked_up_at is not null))::int as handled,
          sum(s.transfers)::int as transfers,
          (select avg(a.score)::float8 from survey_answers a
            where a.technician_id is not distinct from s.lead_user_id
              and (a.answered_at at time zone ${TZ}) >= '2025-11-01'
              and (a.answered_at at time zone ${TZ}) < '2026-11-24') as score
          from support_sessions s where ${inYear} group by s.lead_user_id`,
      );
      assert.equal(perTech.length, seeded.technicianIds.length + 1, "each technician and none");
      const perf = byKey(performance_, "id");
      for (const p of perTech) {
        const r = perf.get(String(p.id))!;
        assert.equal(r.sessions, p.sessions);
        assert.equal(r.handled, p.handled);
        assert.equal(r.transfers, p.transfers);
        near(r.score, p.score, `score of ${p.id}`, 0.005);
        const waits = yearWaits.filter((w) => w.id === p.id).map((w) => w.wait);
        nearBinned(r.median_wait, percentile(waits, 0.5), `median wait of ${p.id}`);
        nearBinned(r.p90_wait, percentile(waits, 0.9), `p90 wait of ${p.id}`);
        if (p.id) assert.match(String(r.name), /^Seed Technician/);
      }

      // The rollups: every report equal to the direct computation, by day, month and filter.
      const [{ rolled }] = await rows<{ rolled: number }>(
        db,
        sql`select sum(sessions)::int as rolled from report_rollups where org_id = ${admin.orgId}`,
      );
      assert.equal(rolled, COUNT);
      await sameFromRollups(db, scope, q);
      await sameFromRollups(db, scope, year);
      await sameFromRollups(db, { orgId: admin.orgId, groupIds: [seeded.groupIds[1]] }, {
        ...q,
        channel: seeded.channelIds[1],
        by: "channel",
      });
      // …and still after sessions end, move to another technician, and are deleted.
      await db.execute(sql`update support_sessions set ended_at = now(), outcome = 'timed_out',
        lead_user_id = ${seeded.technicianIds[0]}, transfers = transfers + 1
        where org_id = ${admin.orgId} and (ended_at is null or number % 50 = 0)`);
      await db.execute(sql`update survey_answers set score = 1 where score = 5
        and session_id in (select id from support_sessions where number % 7 = 0)`);
      await db.execute(sql`delete from survey_answers where session_id in
        (select id from support_sessions where number % 11 = 0)`);
      await db.execute(sql`delete from support_sessions where org_id = ${admin.orgId}
        and number % 11 = 0`);
      await sameFromRollups(db, scope, q);
      await sameFromRollups(db, scope, { ...year, by: "group" });

      // A technician filter narrows every report to that technician's sessions.
      const one = seeded.technicianIds[3];
      const filtered = await runReport(db, "outcomes", scope, { ...q, technician: one });
      const [{ mine }] = await rows<{ mine: number }>(
        db,
        sql`select count(*)::int as mine from support_sessions where ${inPeriod}
          and lead_user_id = ${one}`,
      );
      assert.equal(filtered.rows.reduce((s, r) => s + Number(r.sessions), 0), mine);
      assert.ok(mine > 0 && mine < total);
    } finally {
      await t.close();
    }
  },
});
