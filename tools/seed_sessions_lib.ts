/**
 * Realistic ended (and a few open) support sessions for the reports, made by PostgreSQL
 * itself: each chunk is one `insert … select … from generate_series` (no rows cross the
 * connection), seeded with `setseed` so a run is repeatable. Shapes: business hours weigh
 * 80 %; waits and handling times are log-normal (median 40 s and 8 min, long tails, capped);
 * outcomes in proportions a help desk sees; 12 % of picked-up sessions transferred once, 3 %
 * twice; 35 % of the ended, picked-up ones answer the survey (scores lean high). Groups,
 * technicians and channels are made first (or reused by name), so the data has every filter.
 * The reports' hourly rollups and monthly histograms fill themselves: database triggers add
 * each insert's rows.
 */
import { sql } from "drizzle-orm";
import type { Database } from "../modules/db/mod.ts";

export interface SeedOptions {
  orgId: string;
  count: number;
  /** Sessions start over the `days` days before `end` (default 365 days before now). */
  days?: number;
  end?: Date;
  groups?: number;
  techniciansPerGroup?: number;
  /** 0–1: the same seed gives the same sessions. */
  seed?: number;
  chunk?: number;
  onProgress?: (done: number) => void;
}

export interface SeedResult {
  groupIds: string[];
  technicianIds: string[];
  channelIds: string[];
  /** Session numbers above this one were made by this run. */
  afterNumber: number;
}

async function _rows<T>(db: Database, query: ReturnType<typeof sql>): Promise<T[]> {
  const result = await db.execute(query);
  return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as T[];
}

const uuidArray = (ids: string[]) => `{${ids.join(",")}}`;

/** The groups, technicians (one group each) and channels (one per group) sessions use. */
async function _cast(db: Database, options: SeedOptions) {
  const groups = options.groups ?? 4;
  const perGroup = options.techniciansPerGroup ?? 5;
  const now = new Date().toISOString();
  const groupIds: string[] = [];
  const technicianIds: string[] = [];
  const channelIds: string[] = [];
  for (let g = 1; g <= groups; g++) {
    const [group] = await _rows<{ id: string }>(
      db,
      sql`insert into technician_groups (org_id, name, permissions, settings, created_at, updated_at)
        values (${options.orgId}, ${`Seed group ${g}`}, '[]'::jsonb, '{}'::jsonb, ${now}, ${now})
        on conflict (org_id, name) do update set updated_at = excluded.updated_at
        returning id::text as id`,
    );
    groupIds.push(group.id);
    for (let k = 1; k <= perGroup; k++) {
      const email = `seed-${g}-${k}-${options.orgId.slice(0, 8)}@example.test`;
      const [user] = await _rows<{ id: string }>(
        db,
        sql`insert into users (org_id, email, name, role, created_at)
          values (${options.orgId}, ${email}, ${`Seed Technician ${g}.${k}`}, 'technician', ${now})
          on conflict (email) do update set name = excluded.name returning id::text as id`,
      );
      await db.execute(sql`insert into group_members (user_id, group_id)
        values (${user.id}, ${group.id}) on conflict (user_id) do nothing`);
      technicianIds.push(user.id);
    }
    const slug = `seed-${g}-${options.orgId.slice(0, 8)}`;
    const [channel] = await _rows<{ id: string }>(
      db,
      sql`insert into channels (org_id, name, slug, fields, opening_hours, unavailable_action,
          created_at, updated_at)
        values (${options.orgId}, ${`Seed channel ${g}`}, ${slug}, '[]'::jsonb,
          '{"enabled": false}'::jsonb, 'message', ${now}, ${now})
        on conflict (slug) do update set updated_at = excluded.updated_at
        returning id::text as id`,
    );
    await db.execute(sql`insert into channel_groups (channel_id, group_id)
      values (${channel.id}, ${group.id}) on conflict do nothing`);
    channelIds.push(channel.id);
  }
  return { groupIds, technicianIds, channelIds, perGroup };
}

/** Inserts `count` sessions (and their survey answers) for `orgId`. */
export async function seedSessions(db: Database, options: SeedOptions): Promise<SeedResult> {
  const cast = await _cast(db, options);
  const [{ max }] = await _rows<{ max: number }>(
    db,
    sql`select coalesce(max(number), 0)::int as max from support_sessions`,
  );
  const end = (options.end ?? new Date()).toISOString();
  const days = options.days ?? 365;
  const chunk = options.chunk ?? 100_000;
  const techs = uuidArray(cast.technicianIds);
  const groupOfTech = uuidArray(
    cast.technicianIds.map((_, k) => cast.groupIds[Math.floor(k / cast.perGroup)]),
  );
  const channelOfTech = uuidArray(
    cast.technicianIds.map((_, k) => cast.channelIds[Math.floor(k / cast.perGroup)]),
  );
  const run = crypto.randomUUID().slice(0, 8);
  for (let from = 1; from <= options.count; from += chunk) {
    const to = Math.min(options.count, from + chunk - 1);
    // setseed and the insert share one transaction, so one connection draws the numbers.
    await db.transaction(async (tx) => {
      await tx.execute(sql`select setseed(${((options.seed ?? 0.42) + from / 1e9) % 1})`);
      await tx.execute(sql`
      with r as (
        select i, random() as a, random() as b, random() as c, random() as d, random() as e,
          random() as f, random() as g, random() as h, random() as k, random() as tr,
          random() as ch, floor(random() * ${cast.technicianIds.length})::int + 1 as tech
        from generate_series(${from}::int, ${to}::int) as i
      ),
      p as (
        select r.*,
          date_trunc('day', ${end}::timestamptz) - (1 + floor(a * ${days}))::int * interval '1 day'
            + (case when b < 0.8 then 8 + c * 10 else c * 24 end) * interval '1 hour' as created,
          case when d < 0.05 then 'connecting_timeout' when d < 0.07 then 'terms_declined'
            when d < 0.15 then 'closed_by_waiting_customer' when d < 0.20 then 'waiting_timeout'
            when d < 0.25 then 'timed_out' when d < 0.40 then 'closed_by_customer'
            when d < 0.97 then 'closed_by_technician' else 'open' end as o,
          least(3600, exp(ln(40) + 0.9 * sqrt(-2 * ln(1 - e)) * cos(2 * pi() * f)))
            * interval '1 second' as wait,
          least(14400, exp(ln(480) + 0.8 * sqrt(-2 * ln(1 - g)) * cos(2 * pi() * h)))
            * interval '1 second' as handle,
          (5 + k * 115) * interval '1 second' as arrive
        from r
      ),
      q as (
        select p.*,
          case when o in ('connecting_timeout', 'terms_declined') then null
            else created + arrive end as connected,
          o in ('timed_out', 'closed_by_customer', 'closed_by_technician', 'open') as picked
        from p
      ),
      s as (
        select q.*,
          case when picked then connected + wait end as picked_at,
          case o when 'open' then null
            when 'connecting_timeout' then created + interval '20 minutes'
            when 'terms_declined' then created + arrive
            when 'closed_by_waiting_customer' then connected + wait * 1.5
            when 'waiting_timeout' then connected + interval '30 minutes'
            when 'timed_out' then connected + wait + handle + interval '15 minutes'
            else connected + wait + handle end as ended
        from q
      )
      insert into support_sessions (org_id, kind, method, channel_id, group_id, customer_name,
        customer_contact, fields, token, customer_state, lead_user_id, created_at, updated_at,
        ended_at, connected_at, picked_up_at, transfers, outcome)
      select ${options.orgId}::uuid,
        case when ch < 0.3 then 'channel' else 'private' end,
        case when ch < 0.3 then 'channel' when ch < 0.6 then 'pin' when ch < 0.8 then 'link'
          when ch < 0.93 then 'email' else 'sms' end,
        case when ch < 0.3 then (${channelOfTech}::uuid[])[tech] end,
        (${groupOfTech}::uuid[])[tech],
        'Customer ' || i, '', '{}'::jsonb, ${`seed-${run}-`} || i,
        case when ended is null then 'connected' else 'left' end,
        case when picked then (${techs}::uuid[])[tech] end,
        created, coalesce(ended, picked_at, connected, created), ended, connected, picked_at,
        case when not picked then 0 when tr < 0.12 then 1 when tr < 0.15 then 2 else 0 end,
        case when o = 'open' then null else o end
      from s`);
    });
    options.onProgress?.(to);
  }
  await db.transaction(async (tx) => {
    await tx.execute(sql`select setseed(${options.seed ?? 0.42})`);
    await tx.execute(sql`
    insert into survey_answers (session_id, org_id, group_id, channel_id, technician_id,
      answered_at, score, answers)
    select id, org_id, group_id, channel_id, lead_user_id, ended_at + interval '1 minute', score,
      jsonb_build_array(jsonb_build_object('questionId', 'q1', 'kind', 'rating',
        'label', 'How did we do?', 'value', score))
    from (
      select s.*, case when u < 0.05 then 1 when u < 0.12 then 2 when u < 0.27 then 3
        when u < 0.57 then 4 else 5 end as score
      from (select *, random() as u, random() as answered from support_sessions
        where number > ${max} and org_id = ${options.orgId}
          and picked_up_at is not null and ended_at is not null) s
      where answered < 0.35
    ) x`);
  });
  // Fresh statistics and visibility map: what a live database has from autovacuum.
  await db.execute(sql`vacuum analyze support_sessions`);
  await db.execute(sql`analyze survey_answers`);
  // Filled by triggers as the rows went in (each chunk's upserts leave dead row versions).
  await db.execute(sql`vacuum analyze report_rollups`);
  await db.execute(sql`vacuum analyze report_month_rollups`);
  await db.execute(sql`vacuum analyze report_histograms`);
  await db.execute(sql`vacuum analyze report_hour_histograms`);
  return { ...cast, afterNumber: max };
}
