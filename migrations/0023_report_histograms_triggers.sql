-- Keeps report_histograms and report_hour_histograms (modules/reports/schema.ts) equal to
-- the sessions: per UTC month, group, technician, channel, metric (1 wait, 2 duration,
-- 3 handling: the expressions of WAIT, DURATION and HANDLING in modules/reports/sql_parts.ts)
-- and bin, how many sessions; and the waits per UTC month, UTC hour of the day, group, channel
-- and bin. One statement-level trigger per change adds the new rows and subtracts the old ones
-- in the changing statement's transaction, as the report_rollups triggers (0021) do. Then fills
-- both tables from the sessions already there.
CREATE FUNCTION report_bin(seconds float8) RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  -- One bin per whole second below a minute; above it, bins 2 % wide (bin 60 starts at 60 s).
  select case when seconds < 60 then floor(seconds)::int
    else 60 + floor(ln(seconds / 60) / ln(1.02::float8))::int end
$$;--> statement-breakpoint
CREATE FUNCTION report_histograms_sessions_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  insert into report_histograms as h (org_id, month, group_id, technician_id, channel_id, metric, bin, n)
    select org_id, month, group_id, technician_id, channel_id, metric, bin, sum(n)::int
    from (select s.org_id, date_trunc('month', s.created_at at time zone 'UTC') at time zone 'UTC' as month, s.group_id, s.lead_user_id as technician_id, s.channel_id, m.metric, report_bin(m.seconds) as bin, 1 as n
      from new_rows s cross join lateral (values
        (1::smallint, extract(epoch from s.picked_up_at - s.connected_at)::float8),
        (2::smallint, extract(epoch from s.ended_at - coalesce(s.connected_at, s.created_at))::float8),
        (3::smallint, extract(epoch from s.ended_at - s.picked_up_at)::float8)) as m(metric, seconds)
      where m.seconds is not null) c
    group by org_id, month, group_id, technician_id, channel_id, metric, bin having sum(n) <> 0
    on conflict on constraint report_histograms_key do update set n = h.n + excluded.n;
  insert into report_hour_histograms as h (org_id, month, hour, group_id, channel_id, bin, n)
    select org_id, month, hour, group_id, channel_id, bin, sum(n)::int
    from (select s.org_id, date_trunc('month', s.created_at at time zone 'UTC') at time zone 'UTC' as month, extract(hour from s.created_at at time zone 'UTC')::smallint as hour, s.group_id, s.channel_id, report_bin(extract(epoch from s.picked_up_at - s.connected_at)::float8) as bin, 1 as n
      from new_rows s where s.picked_up_at is not null and s.connected_at is not null) c
    group by org_id, month, hour, group_id, channel_id, bin having sum(n) <> 0
    on conflict on constraint report_hour_histograms_key do update set n = h.n + excluded.n;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER report_histograms_sessions_insert AFTER INSERT ON support_sessions REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_histograms_sessions_insert();--> statement-breakpoint
CREATE FUNCTION report_histograms_sessions_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  insert into report_histograms as h (org_id, month, group_id, technician_id, channel_id, metric, bin, n)
    select org_id, month, group_id, technician_id, channel_id, metric, bin, sum(n)::int
    from (select s.org_id, date_trunc('month', s.created_at at time zone 'UTC') at time zone 'UTC' as month, s.group_id, s.lead_user_id as technician_id, s.channel_id, m.metric, report_bin(m.seconds) as bin, 1 as n
      from new_rows s cross join lateral (values
        (1::smallint, extract(epoch from s.picked_up_at - s.connected_at)::float8),
        (2::smallint, extract(epoch from s.ended_at - coalesce(s.connected_at, s.created_at))::float8),
        (3::smallint, extract(epoch from s.ended_at - s.picked_up_at)::float8)) as m(metric, seconds)
      where m.seconds is not null
      union all select s.org_id, date_trunc('month', s.created_at at time zone 'UTC') at time zone 'UTC' as month, s.group_id, s.lead_user_id as technician_id, s.channel_id, m.metric, report_bin(m.seconds) as bin, -1 as n
      from old_rows s cross join lateral (values
        (1::smallint, extract(epoch from s.picked_up_at - s.connected_at)::float8),
        (2::smallint, extract(epoch from s.ended_at - coalesce(s.connected_at, s.created_at))::float8),
        (3::smallint, extract(epoch from s.ended_at - s.picked_up_at)::float8)) as m(metric, seconds)
      where m.seconds is not null) c
    group by org_id, month, group_id, technician_id, channel_id, metric, bin having sum(n) <> 0
    on conflict on constraint report_histograms_key do update set n = h.n + excluded.n;
  insert into report_hour_histograms as h (org_id, month, hour, group_id, channel_id, bin, n)
    select org_id, month, hour, group_id, channel_id, bin, sum(n)::int
    from (select s.org_id, date_trunc('month', s.created_at at time zone 'UTC') at time zone 'UTC' as month, extract(hour from s.created_at at time zone 'UTC')::smallint as hour, s.group_id, s.channel_id, report_bin(extract(epoch from s.picked_up_at - s.connected_at)::float8) as bin, 1 as n
      from new_rows s where s.picked_up_at is not null and s.connected_at is not null
      union all select s.org_id, date_trunc('month', s.created_at at time zone 'UTC') at time zone 'UTC' as month, extract(hour from s.created_at at time zone 'UTC')::smallint as hour, s.group_id, s.channel_id, report_bin(extract(epoch from s.picked_up_at - s.connected_at)::float8) as bin, -1 as n
      from old_rows s where s.picked_up_at is not null and s.connected_at is not null) c
    group by org_id, month, hour, group_id, channel_id, bin having sum(n) <> 0
    on conflict on constraint report_hour_histograms_key do update set n = h.n + excluded.n;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER report_histograms_sessions_update AFTER UPDATE ON support_sessions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_histograms_sessions_update();--> statement-breakpoint
CREATE FUNCTION report_histograms_sessions_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  insert into report_histograms as h (org_id, month, group_id, technician_id, channel_id, metric, bin, n)
    select org_id, month, group_id, technician_id, channel_id, metric, bin, sum(n)::int
    from (select s.org_id, date_trunc('month', s.created_at at time zone 'UTC') at time zone 'UTC' as month, s.group_id, s.lead_user_id as technician_id, s.channel_id, m.metric, report_bin(m.seconds) as bin, -1 as n
      from old_rows s cross join lateral (values
        (1::smallint, extract(epoch from s.picked_up_at - s.connected_at)::float8),
        (2::smallint, extract(epoch from s.ended_at - coalesce(s.connected_at, s.created_at))::float8),
        (3::smallint, extract(epoch from s.ended_at - s.picked_up_at)::float8)) as m(metric, seconds)
      where m.seconds is not null) c
    group by org_id, month, group_id, technician_id, channel_id, metric, bin having sum(n) <> 0
    on conflict on constraint report_histograms_key do update set n = h.n + excluded.n;
  insert into report_hour_histograms as h (org_id, month, hour, group_id, channel_id, bin, n)
    select org_id, month, hour, group_id, channel_id, bin, sum(n)::int
    from (select s.org_id, date_trunc('month', s.created_at at time zone 'UTC') at time zone 'UTC' as month, extract(hour from s.created_at at time zone 'UTC')::smallint as hour, s.group_id, s.channel_id, report_bin(extract(epoch from s.picked_up_at - s.connected_at)::float8) as bin, -1 as n
      from old_rows s where s.picked_up_at is not null and s.connected_at is not null) c
    group by org_id, month, hour, group_id, channel_id, bin having sum(n) <> 0
    on conflict on constraint report_hour_histograms_key do update set n = h.n + excluded.n;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER report_histograms_sessions_delete AFTER DELETE ON support_sessions REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_histograms_sessions_delete();--> statement-breakpoint
insert into report_histograms as h (org_id, month, group_id, technician_id, channel_id, metric, bin, n)
    select org_id, month, group_id, technician_id, channel_id, metric, bin, sum(n)::int
    from (select s.org_id, date_trunc('month', s.created_at at time zone 'UTC') at time zone 'UTC' as month, s.group_id, s.lead_user_id as technician_id, s.channel_id, m.metric, report_bin(m.seconds) as bin, 1 as n
      from support_sessions s cross join lateral (values
        (1::smallint, extract(epoch from s.picked_up_at - s.connected_at)::float8),
        (2::smallint, extract(epoch from s.ended_at - coalesce(s.connected_at, s.created_at))::float8),
        (3::smallint, extract(epoch from s.ended_at - s.picked_up_at)::float8)) as m(metric, seconds)
      where m.seconds is not null) c
    group by org_id, month, group_id, technician_id, channel_id, metric, bin having sum(n) <> 0
    on conflict on constraint report_histograms_key do update set n = h.n + excluded.n;--> statement-breakpoint
insert into report_hour_histograms as h (org_id, month, hour, group_id, channel_id, bin, n)
    select org_id, month, hour, group_id, channel_id, bin, sum(n)::int
    from (select s.org_id, date_trunc('month', s.created_at at time zone 'UTC') at time zone 'UTC' as month, extract(hour from s.created_at at time zone 'UTC')::smallint as hour, s.group_id, s.channel_id, report_bin(extract(epoch from s.picked_up_at - s.connected_at)::float8) as bin, 1 as n
      from support_sessions s where s.picked_up_at is not null and s.connected_at is not null) c
    group by org_id, month, hour, group_id, channel_id, bin having sum(n) <> 0
    on conflict on constraint report_hour_histograms_key do update set n = h.n + excluded.n;
