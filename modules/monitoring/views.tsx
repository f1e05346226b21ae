/**
 * The monitoring pages (SPEC K4): the list of technicians an admin may monitor, and the
 * monitor page — that technician's queue rows (filled and kept live by the console's own
 * stream), its open sessions with their logs as they grow and, where the technician has the
 * remote view open, the picture as an extra viewer that never controls; "Join" on each.
 * static/monitoring.js makes the page live.
 */
import type { Context } from "hono";
import type { AuthedEnv } from "../http/mod.ts";
import { LogLineView, QueueHead, type RowContext } from "../console/mod.ts";
import { RemoteViewMount } from "../remote/mod.ts";
import type { Entry, LogLine, SupportSession } from "../support/mod.ts";
import { CsrfField, Layout } from "../../views/layout.tsx";
import type { Monitoring, OverReason } from "./service.ts";
import type { TeamMember } from "./team.ts";

type C = Context<AuthedEnv>;

/**
 * "Monitor technician" (the manual's dialog of that name): first the technicians this admin
 * monitors now, then everyone it may monitor — group, presence, open sessions — with a filter
 * box for a large organisation. Only a signed-in technician has a console to monitor.
 */
export function MonitorListPage(props: { c: C; team: TeamMember[] }) {
  const { c, team } = props;
  const t = c.get("t");
  const watching = team.filter((m) => m.monitoring);
  return (
    <Layout c={c} title={t("monitoring.title")} stylesheets={["/static/monitoring.css"]}>
      <h1>{t("monitoring.title")}</h1>
      <p class="muted">{t("monitoring.intro")}</p>
      <section class="card" aria-labelledby="monitoring-mine-title" data-monitoring-mine>
        <h2 id="monitoring-mine-title">{t("monitoring.mine")}</h2>
        <MonitoredList c={c} watching={watching} />
      </section>
      <section class="card" aria-labelledby="monitoring-team-title">
        <div class="row monitor-team-head">
          <h2 id="monitoring-team-title">{t("monitoring.team")}</h2>
          {team.length > 0 && (
            <input
              type="search"
              class="monitor-filter"
              data-monitor-filter
              placeholder={t("monitoring.filter")}
              aria-label={t("monitoring.filter")}
            />
          )}
        </div>
        {team.length === 0
          ? <p class="muted">{t("monitoring.nobody")}</p>
          : (
            <table class="monitor-team" id="monitor-team">
              <thead>
                <tr>
                  <th scope="col">{t("monitoring.colName")}</th>
                  <th scope="col">{t("monitoring.colGroup")}</th>
                  <th scope="col">{t("monitoring.colStatus")}</th>
                  <th scope="col" class="num">{t("monitoring.colSessions")}</th>
                  <th scope="col">{t("monitoring.colMonitoring")}</th>
                </tr>
              </thead>
              <tbody>
                {team.map((m) => (
                  <tr
                    data-technician={m.id}
                    data-name={m.name.toLowerCase()}
                    data-group={m.groupName.toLowerCase()}
                  >
                    <td>{m.name}</td>
                    <td>{m.groupName}</td>
                    <td>
                      <span class={`presence ${m.presence}`}>{t(`presence.${m.presence}`)}</span>
                    </td>
                    <td class="num">{String(m.openSessions)}</td>
                    <td>
                      <MonitorAction c={c} member={m} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
      </section>
      <script type="module" src="/static/monitoring_list.js"></script>
    </Layout>
  );
}

/** Open / Monitor for one technician: offline ones have no console to watch. */
function MonitorAction(props: { c: C; member: TeamMember }) {
  const { c, member } = props;
  const t = c.get("t");
  if (member.monitoring) {
    return (
      <a href={`/monitoring/${member.id}`} data-open-monitor={member.id}>
        {member.monitoring === "asked" ? t("monitoring.stateAsked") : t("monitoring.stateActive")}
      </a>
    );
  }
  const offline = member.presence === "offline";
  return (
    <form method="post" action={`/monitoring/${member.id}/start`}>
      <CsrfField c={c} />
      <button
        type="submit"
        class="small"
        data-monitor={member.id}
        disabled={offline}
        title={offline ? t("monitoring.offline", { name: member.name }) : undefined}
      >
        {t("monitoring.start")}
      </button>
    </form>
  );
}

/**
 * The technicians this admin monitors now, with Open and Stop: on the list page, and as the
 * console's Monitored tab (`GET /monitoring/mine`, whose `data-watching` the console's
 * queue filter reads to show those technicians' rows).
 */
export function MonitoredList(props: { c: C; watching: TeamMember[]; panel?: boolean }) {
  const { c, watching } = props;
  const t = c.get("t");
  const active = watching.filter((m) => m.monitoring === "active").map((m) => m.id);
  return (
    <div class="monitored-list" data-monitored-list data-watching={active.join(" ")}>
      {watching.length === 0
        ? <p class="muted" data-monitoring-none>{t("monitoring.none")}</p>
        : (
          <ul>
            {watching.map((m) => (
              <li class="row" data-watching-technician={m.id}>
                <strong>{m.name}</strong>
                <span class={`presence ${m.presence}`}>{t(`presence.${m.presence}`)}</span>
                <span class="muted">
                  {t("monitoring.openSessions", { count: m.openSessions })}
                </span>
                <span data-monitoring-state={m.monitoring}>
                  {m.monitoring === "asked"
                    ? t("monitoring.waiting", { name: m.name })
                    : t("monitoring.stateActive")}
                </span>
                <a href={`/monitoring/${m.id}`}>{t("monitoring.open")}</a>
                {
                  /* In the console's tab, Stop keeps the console (its open sessions) and redraws
                    the tab: the rows of whom it stopped watching go at once. */
                }
                <form
                  method="post"
                  action={`/monitoring/${m.id}/stop`}
                  hx-post={props.panel ? `/monitoring/${m.id}/stop?panel=1` : undefined}
                  hx-target={props.panel ? "#monitored-panel" : undefined}
                >
                  <CsrfField c={c} />
                  <button type="submit" class="secondary small">{t("monitoring.stop")}</button>
                </form>
              </li>
            ))}
          </ul>
        )}
      {props.panel && <a href="/monitoring" data-monitoring-list-link>{t("monitoring.toolbar")}…
      </a>}
    </div>
  );
}

/** One open session of the monitored technician: its log, its picture, Join. */
export interface MonitoredSession {
  session: SupportSession;
  entry: Entry;
  log: LogLine[];
}

export function MonitorPage(
  props: {
    c: C;
    technician: { id: string; name: string };
    monitoring: Monitoring;
    /** Why the last monitoring is over; null while it is asked or active. */
    over: OverReason | null;
    /** The server's time: the page's timers count from it. */
    now: Date;
    ctx: RowContext;
    sessions: MonitoredSession[];
  },
) {
  const { c, technician, monitoring, over } = props;
  const t = c.get("t");
  const base = `/monitoring/${technician.id}`;
  const asked = monitoring.status === "asked";
  const name = technician.name;
  return (
    <Layout
      c={c}
      title={t("monitoring.pageTitle", { name: technician.name })}
      stylesheets={["/static/console.css", "/static/remote_view.css", "/static/monitoring.css"]}
    >
      <div
        id="monitor-root"
        class="monitor-page"
        data-events={over ? undefined : `${base}/events`}
        data-base={base}
        data-status={monitoring.status}
        data-server-now={props.now.toISOString()}
      >
        <div class="row monitor-head">
          <h1>{t("monitoring.pageTitle", { name })}</h1>
          {!over && (
            <form method="post" action={`${base}/stop`} data-stop>
              <CsrfField c={c} />
              <button type="submit" class="secondary small">{t("monitoring.stop")}</button>
            </form>
          )}
          <a href="/monitoring">{t("monitoring.allTechnicians")}</a>
        </div>
        {/* The end of a monitoring as the live stream tells it (static/monitoring.js). */}
        <div class="flash warning" role="status" data-over hidden={!over}>
          <p data-over-message>{over ? t(`monitoring.over.${over}`, { name }) : ""}</p>
          <form method="post" action={`${base}/start`} data-again>
            <CsrfField c={c} />
            <button type="submit" class="small">{t("monitoring.again")}</button>
          </form>
        </div>
        {over ? null : asked
          ? (
            <div class="flash info monitor-waiting" role="status" data-waiting>
              <p>
                <strong>{t("monitoring.waiting", { name })}</strong>
              </p>
              <p>{t("monitoring.waitingHelp", { name })}</p>
            </div>
          )
          : (
            <>
              <section class="card" aria-labelledby="monitor-queue-title">
                <h2 id="monitor-queue-title">{t("monitoring.queue")}</h2>
                <table id="monitor-queue" class="queue-table">
                  <QueueHead ctx={props.ctx} />
                  <tbody></tbody>
                </table>
              </section>
              <section aria-labelledby="monitor-sessions-title">
                <h2 id="monitor-sessions-title">{t("monitoring.sessions")}</h2>
                <p class="muted" data-no-sessions hidden={props.sessions.length > 0}>
                  {t("monitoring.noSessions")}
                </p>
                <div id="monitor-sessions" class="monitor-sessions">
                  {props.sessions.map((s) => (
                    <MonitoredSessionCard c={c} technicianId={technician.id} item={s} />
                  ))}
                </div>
              </section>
            </>
          )}
      </div>
      <script type="module" src="/static/monitoring.js"></script>
      <script type="module" src="/static/islands/remote_view.js"></script>
    </Layout>
  );
}

export function MonitoredSessionCard(
  props: { c: C; technicianId: string; item: MonitoredSession },
) {
  const { c, item } = props;
  const { session, entry } = item;
  const t = c.get("t");
  const base = `/monitoring/${props.technicianId}/sessions/${session.id}`;
  return (
    <article class="card monitor-session" data-monitor-session={session.id}>
      <div class="row">
        <h3>{session.customerName || t("monitoring.customer")}</h3>
        <span class="muted" data-status={entry.status}>{t(`status.${entry.status}` as never)}</span>
        <form method="post" action={`${base}/join`}>
          <CsrfField c={c} />
          <button type="submit" class="small" data-join={session.id}>
            {t("monitoring.join")}
          </button>
        </form>
      </div>
      <div class="monitor-session-body">
        <ol id={`log-${session.id}`} class="session-log" data-session-log={session.id}>
          {item.log.map((line) => <LogLineView t={t} line={line} />)}
        </ol>
        <RemoteViewMount
          c={c}
          session={session}
          user={c.get("user")}
          monitorWs={`${base}/remote/ws`}
        />
      </div>
    </article>
  );
}
