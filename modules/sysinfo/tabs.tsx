// Over 400 lines on purpose: seven views of one tab, each a table with its own columns and actions; splitting them would scatter one screen.
/**
 * The System tab's views beside the dashboard: processes (with End / Force end), services
 * (with Start / Stop / Restart), applications, the user, drivers, start-up items and the
 * event viewer (priority and text filter). Every table sorts in the page.
 */
import type { Child } from "hono/jsx";
import type { PageContext } from "../http/mod.ts";
import type { Translator } from "../i18n/mod.ts";
import type {
  Applications,
  DriverRow,
  Events,
  ProcessRow,
  Section,
  ServiceRow,
  Startup,
  UserInfo,
} from "../../protocol/system.ts";
import { CsrfField } from "../../views/layout.tsx";
import { Moment } from "../../views/moment.tsx";
import { bytes, number, priorityName } from "./format.ts";
import { type Cell, type Column, SortableTable, text } from "./table.tsx";
import { Sources, systemPath, Unavailable, ViewHead } from "./views.tsx";

type C = PageContext;

export function processColumns(t: Translator, withActions = false): Column[] {
  return [
    { label: t("sysinfo.col.pid"), numeric: true },
    { label: t("sysinfo.col.name"), clip: true },
    { label: t("sysinfo.col.user") },
    { label: t("sysinfo.col.cpu"), numeric: true },
    { label: t("sysinfo.col.memory"), numeric: true },
    { label: t("sysinfo.col.command"), wide: true },
    ...(withActions ? [{ label: t("sysinfo.col.actions") }] : []),
  ];
}

export function processCells(t: Translator, p: ProcessRow, actions?: Child): Cell[] {
  return [
    { sort: p.pid },
    text(p.name),
    text(p.user),
    { sort: p.cpuPercent, show: number(p.cpuPercent, t.lang) },
    { sort: p.memoryBytes, show: bytes(p.memoryBytes, t.lang) },
    { sort: p.command, show: <span title={p.command}>{p.command}</span> },
    ...(actions ? [{ sort: "", show: actions }] : []),
  ];
}

function _EndForm(props: { c: C; sessionId: string; p: ProcessRow; force: boolean }) {
  const { c, p, force } = props;
  const t = c.get("t");
  const action = `${systemPath(c, props.sessionId)}/processes/end`;
  return (
    <form
      method="post"
      action={action}
      hx-post={action}
      hx-target="closest .sysinfo-body"
      hx-confirm={t(force ? "sysinfo.confirmForce" : "sysinfo.confirmEnd", {
        pid: p.pid,
        name: p.name,
      })}
      class="inline"
    >
      <CsrfField c={c} />
      <input type="hidden" name="pid" value={String(p.pid)} />
      <input type="hidden" name="force" value={force ? "1" : "0"} />
      <button
        type="submit"
        class={force ? "secondary small sysinfo-force" : "secondary small"}
        data-end={force ? "force" : "term"}
      >
        {t(force ? "sysinfo.endForce" : "sysinfo.end")}
      </button>
    </form>
  );
}

export function ProcessesView(
  props: {
    c: C;
    sessionId: string;
    section: Section<{ rows: ProcessRow[]; truncated: boolean }>;
    notice?: string;
  },
) {
  const { c, sessionId, section } = props;
  const t = c.get("t");
  return (
    <div data-view="processes">
      {props.notice && <p class="sysinfo-notice" role="status">{props.notice}</p>}
      {section.available
        ? (
          <>
            <ViewHead
              t={t}
              title={t("sysinfo.tab.processes")}
              count={section.value.rows.length}
              truncated={section.value.truncated ? section.value.rows.length : undefined}
            />
            <SortableTable
              label={t("sysinfo.tab.processes")}
              columns={processColumns(t, true)}
              rowKey={(i) => String(section.value.rows[i].pid)}
              rows={section.value.rows.map((p) =>
                processCells(
                  t,
                  p,
                  // Kernel threads (children of kthreadd) take no signals: nothing to offer.
                  p.pid === 2 || p.ppid === 2
                    ? <span class="muted">—</span>
                    : (
                      <span class="row tight nowrap">
                        <_EndForm c={c} sessionId={sessionId} p={p} force={false} />
                        <_EndForm c={c} sessionId={sessionId} p={p} force />
                      </span>
                    ),
                )
              )}
            />
          </>
        )
        : <Unavailable t={t} {...section} />}
    </div>
  );
}

const SERVICE_ACTIONS = ["start", "stop", "restart"] as const;

export function ServicesView(
  props: { c: C; sessionId: string; section: Section<ServiceRow[]>; notice?: string },
) {
  const { c, sessionId, section } = props;
  const t = c.get("t");
  const action = `${systemPath(c, sessionId)}/services/action`;
  return (
    <div data-view="services">
      {props.notice && <p class="sysinfo-notice" role="status">{props.notice}</p>}
      <ViewHead
        t={t}
        title={t("sysinfo.tab.services")}
        count={section.available ? section.value.length : undefined}
      />
      {section.available
        ? (
          <SortableTable
            label={t("sysinfo.tab.services")}
            columns={[
              { label: t("sysinfo.col.unit") },
              { label: t("sysinfo.col.active") },
              { label: t("sysinfo.col.sub") },
              { label: t("sysinfo.col.enabled") },
              { label: t("sysinfo.col.description"), wide: true },
              { label: t("sysinfo.col.actions") },
            ]}
            rowKey={(i) => section.value[i].name}
            rows={section.value.map((s) => [
              text(s.name),
              text(s.active),
              text(s.sub),
              text(s.enabled ?? "—"),
              text(s.description),
              {
                sort: "",
                show: (
                  <span class="row tight nowrap">
                    {SERVICE_ACTIONS.map((verb) => (
                      <form
                        method="post"
                        action={action}
                        hx-post={action}
                        hx-target="closest .sysinfo-body"
                        hx-confirm={t(`sysinfo.service.confirm_${verb}`, { unit: s.name })}
                        class="inline"
                      >
                        <CsrfField c={c} />
                        <input type="hidden" name="unit" value={s.name} />
                        <input type="hidden" name="action" value={verb} />
                        <button type="submit" class="secondary small">
                          {t(`sysinfo.service.${verb}`)}
                        </button>
                      </form>
                    ))}
                  </span>
                ),
              },
            ])}
          />
        )
        : <Unavailable t={t} {...section} />}
    </div>
  );
}

export function ApplicationsView(props: { t: Translator; apps: Applications }) {
  const { t, apps } = props;
  return (
    <div data-view="applications">
      <ViewHead
        t={t}
        title={t("sysinfo.tab.applications")}
        count={apps.apps.length}
        truncated={apps.truncated ? apps.apps.length : undefined}
      />
      <h4>{t("sysinfo.apps.sources")}</h4>
      <ul class="plain sysinfo-sources">
        {apps.sources.map((s) => (
          <li data-source={s.source}>
            <strong>{s.source}</strong>: {s.status.available
              ? t("sysinfo.apps.count", { count: s.status.value.count })
              : <Unavailable t={t} {...s.status} inline />}
          </li>
        ))}
      </ul>
      <SortableTable
        label={t("sysinfo.tab.applications")}
        columns={[
          { label: t("sysinfo.col.name") },
          { label: t("sysinfo.col.version") },
          { label: t("sysinfo.col.source") },
          { label: t("sysinfo.col.size"), numeric: true },
          { label: t("sysinfo.col.description"), wide: true },
        ]}
        rows={apps.apps.map((a) => [
          text(a.name),
          text(a.version),
          text(a.source),
          {
            sort: a.sizeBytes ?? -1,
            show: a.sizeBytes === null ? "—" : bytes(a.sizeBytes, t.lang),
          },
          text(a.summary),
        ])}
      />
    </div>
  );
}

export function UserView(props: { t: Translator; section: Section<UserInfo> }) {
  const { t, section } = props;
  if (!section.available) return <Unavailable t={t} {...section} />;
  const u = section.value;
  const facts: [string, Child][] = [
    [t("sysinfo.user.name"), <span data-fact="user-name">{u.name}</span>],
    [t("sysinfo.user.fullName"), u.fullName || "—"],
    [t("sysinfo.user.uid"), String(u.uid)],
    [t("sysinfo.user.home"), <span class="mono">{u.home}</span>],
    [t("sysinfo.user.shell"), <span class="mono">{u.shell}</span>],
    [
      t("sysinfo.user.admin"),
      u.admin ? t("sysinfo.user.adminVia", { via: u.adminVia ?? "" }) : t("sysinfo.no"),
    ],
    [t("sysinfo.user.capabilities"), <span class="mono">{u.capabilities || "—"}</span>],
  ];
  return (
    <div data-view="user">
      <ViewHead t={t} title={t("sysinfo.tab.user")} />
      <dl class="sysinfo-facts">
        {facts.map(([label, value]) => (
          <>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </>
        ))}
      </dl>
      <h4>{t("sysinfo.user.groups")}</h4>
      <SortableTable
        label={t("sysinfo.user.groups")}
        columns={[{ label: t("sysinfo.col.group") }, {
          label: t("sysinfo.col.gid"),
          numeric: true,
        }]}
        rows={u.groups.map((g) => [text(g.name), { sort: g.gid }])}
      />
    </div>
  );
}

export function DriversView(props: { t: Translator; section: Section<DriverRow[]> }) {
  const { t, section } = props;
  return (
    <div data-view="drivers">
      <ViewHead
        t={t}
        title={t("sysinfo.tab.drivers")}
        count={section.available ? section.value.length : undefined}
      />
      {section.available
        ? (
          <SortableTable
            label={t("sysinfo.tab.drivers")}
            columns={[
              { label: t("sysinfo.col.module") },
              { label: t("sysinfo.col.size"), numeric: true },
              { label: t("sysinfo.col.state") },
              { label: t("sysinfo.col.version") },
              { label: t("sysinfo.col.usedBy"), wide: true },
            ]}
            rows={section.value.map((d) => [
              text(d.name),
              { sort: d.sizeBytes, show: bytes(d.sizeBytes, t.lang) },
              text(d.state),
              text(d.version || "—"),
              text(d.usedBy.join(", ")),
            ])}
          />
        )
        : <Unavailable t={t} {...section} />}
    </div>
  );
}

export function StartupView(props: { t: Translator; startup: Startup }) {
  const { t, startup } = props;
  return (
    <div data-view="startup">
      <ViewHead t={t} title={t("sysinfo.tab.startup")} />
      <h4>{t("sysinfo.startup.autostart")}</h4>
      {startup.autostart.available
        ? (
          <SortableTable
            label={t("sysinfo.startup.autostart")}
            columns={[
              { label: t("sysinfo.col.name") },
              { label: t("sysinfo.col.state") },
              { label: t("sysinfo.col.command"), wide: true },
              { label: t("sysinfo.col.file"), wide: true },
            ]}
            rows={startup.autostart.value.map((a) => [
              text(a.name),
              text(a.enabled ? t("sysinfo.startup.on") : t("sysinfo.startup.off")),
              text(a.command),
              text(a.file),
            ])}
          />
        )
        : <Unavailable t={t} {...startup.autostart} />}
      <h4>{t("sysinfo.startup.units")}</h4>
      {startup.units.available
        ? (
          <SortableTable
            label={t("sysinfo.startup.units")}
            columns={[{ label: t("sysinfo.col.unit") }, { label: t("sysinfo.col.state") }]}
            rows={startup.units.value.map((u) => [text(u.name), text(u.state)])}
          />
        )
        : <Unavailable t={t} {...startup.units} />}
      <h4>{t("sysinfo.startup.cron")}</h4>
      {startup.cron.available
        ? startup.cron.value.length === 0
          ? <p class="muted">{t("sysinfo.none")}</p>
          : (
            <SortableTable
              label={t("sysinfo.startup.cron")}
              columns={[
                { label: t("sysinfo.col.command"), wide: true },
                { label: t("sysinfo.col.file") },
              ]}
              rows={startup.cron.value.map((e) => [text(e.command), text(e.file)])}
            />
          )
        : <Unavailable t={t} {...startup.cron} />}
    </div>
  );
}

export interface EventFilter {
  maxPriority: number;
  text: string;
}

export function EventsView(
  props: { c: C; sessionId: string; events: Events; filter: EventFilter },
) {
  const { c, sessionId, events, filter } = props;
  const t = c.get("t");
  const action = `${systemPath(c, sessionId)}/view/events`;
  return (
    <div data-view="events">
      <ViewHead
        t={t}
        title={t("sysinfo.tab.events")}
        count={events.entries.length}
        truncated={events.truncated ? events.entries.length : undefined}
      />
      <form
        class="row tight sysinfo-filter"
        method="get"
        action={action}
        hx-get={action}
        hx-target="closest .sysinfo-body"
      >
        <label>
          {t("sysinfo.events.priority")}{" "}
          <select name="priority">
            {[0, 1, 2, 3, 4, 5, 6, 7].map((p) => (
              <option value={String(p)} selected={p === filter.maxPriority}>
                {t("sysinfo.events.upTo", { name: priorityName(t, p) })}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("sysinfo.events.filter")}{" "}
          <input type="search" name="q" value={filter.text} maxlength={200} />
        </label>
        <button type="submit" class="secondary small">{t("sysinfo.events.apply")}</button>
      </form>
      <Sources t={t} sources={events.sources} />
      {events.entries.length === 0
        ? <p class="muted">{t("sysinfo.events.empty")}</p>
        : (
          <SortableTable
            label={t("sysinfo.tab.events")}
            columns={[
              { label: t("sysinfo.col.time") },
              { label: t("sysinfo.col.priority"), numeric: true },
              { label: t("sysinfo.col.source") },
              { label: t("sysinfo.col.message"), wide: true },
            ]}
            rows={events.entries.map((e) => [
              {
                sort: e.time ?? "",
                show: e.time
                  ? <Moment lang={t.lang} at={new Date(e.time)} style="dateTime" />
                  : "—",
              },
              { sort: e.priority ?? 8, show: priorityName(t, e.priority) },
              text(e.source),
              text(e.message),
            ])}
          />
        )}
    </div>
  );
}
