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
import type { Monitoring } from "./service.ts";

type C = Context<AuthedEnv>;

export function MonitorListPage(
  props: { c: C; technicians: { id: string; name: string }[] },
) {
  const { c } = props;
  const t = c.get("t");
  return (
    <Layout c={c} title={t("monitoring.title")}>
      <h1>{t("monitoring.title")}</h1>
      <p class="muted">{t("monitoring.intro")}</p>
      {props.technicians.length === 0
        ? <p class="muted">{t("monitoring.nobody")}</p>
        : (
          <ul class="monitor-list">
            {props.technicians.map((person) => (
              <li>
                <form method="post" action={`/monitoring/${person.id}/start`} class="row">
                  <CsrfField c={c} />
                  <span>{person.name}</span>
                  <button type="submit" class="small" data-monitor={person.id}>
                    {t("monitoring.start")}
                  </button>
                </form>
              </li>
            ))}
          </ul>
        )}
    </Layout>
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
    ctx: RowContext;
    sessions: MonitoredSession[];
  },
) {
  const { c, technician, monitoring } = props;
  const t = c.get("t");
  const base = `/monitoring/${technician.id}`;
  const asked = monitoring.status === "asked";
  return (
    <Layout
      c={c}
      title={t("monitoring.pageTitle", { name: technician.name })}
      stylesheets={["/static/console.css", "/static/remote_view.css", "/static/monitoring.css"]}
    >
      <div
        id="monitor-root"
        class="monitor-page"
        data-events={`${base}/events`}
        data-base={base}
        data-status={monitoring.status}
      >
        <div class="row monitor-head">
          <h1>{t("monitoring.pageTitle", { name: technician.name })}</h1>
          <form method="post" action={`${base}/stop`}>
            <CsrfField c={c} />
            <button type="submit" class="secondary small">{t("monitoring.stop")}</button>
          </form>
        </div>
        {asked
          ? (
            <p class="flash info" data-waiting>
              {t("monitoring.waiting", { name: technician.name })}
            </p>
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
