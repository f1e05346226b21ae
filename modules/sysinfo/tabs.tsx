// Over 400 lines on purpose: seven views of one tab, each a table with its own columns and actions; splitting them would scatter one screen.
/**
 * The System tab's views beside the dashboard: processes (with End / Force end), services
 * (with Start / Stop / Restart), applications, the user, drivers, start-up items and the
 * event viewer (priority and text filter). Every table sorts in the page. `windows`: the
 * customer's computer runs Windows (its agent's hello) — its words instead of Linux's (Status
 * and Startup type, Event Viewer's levels, Run keys and services at start-up).
 */
import type { Child } from "hono/jsx";
import type { PageContext } from "../http/mod.ts";
import type { Translator } from "../i18n/mod.ts";
import { formatSize } from "../../protocol/size.ts";
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
import {
  appSource,
  eventLevel,
  number,
  priorityName,
  taskTriggers,
  WINDOWS_LEVELS,
  windowsStartType,
  windowsState,
} from "./format.ts";
import { serviceOffers } from "./service_offers.ts";
import { type Cell, type Column, SortableTable, text } from "./table.tsx";
import { Sources, systemPath, Unavailable, ViewHead } from "./views.tsx";

type C = PageContext;

export function processColumns(t: Translator, withActions = false, windows = false): Column[] {
  return [
    { label: t("sysinfo.col.pid"), numeric: true },
    { label: t("sysinfo.col.name"), clip: true },
    { label: t("sysinfo.col.user") },
    { label: t("sysinfo.col.cpu"), numeric: true },
    { label: t("sysinfo.col.memory"), numeric: true },
    { label: windows ? t("sysinfo.win.commandLine") : t("sysinfo.col.command"), wide: true },
    ...(withActions ? [{ label: t("sysinfo.col.actions") }] : []),
  ];
}

export function processCells(t: Translator, p: ProcessRow, actions?: Child): Cell[] {
  return [
    { sort: p.pid },
    text(p.name),
    text(p.user),
    { sort: p.cpuPercent, show: number(p.cpuPercent, t.lang) },
    { sort: p.memoryBytes, show: formatSize(p.memoryBytes, t.lang) },
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
    windows?: boolean;
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
              columns={processColumns(t, true, props.windows)}
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

/** A line above a view after an action: what happened, or (failed) why it did not. */
export interface Notice {
  text: string;
  failed?: boolean;
}

/** A row's Start / Stop / Restart as its state allows (service_offers.ts); a refusal its title. */
function _serviceButtons(c: C, action: string, s: ServiceRow) {
  const t = c.get("t");
  const offers = serviceOffers(s);
  if (offers.length === 0) {
    return <span class="muted" title={t("sysinfo.service.why.pending", { unit: s.name })}>—</span>;
  }
  return offers.map(({ action: verb, refusal }) => (
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
      <button
        type="submit"
        class="secondary small"
        data-action={verb}
        disabled={refusal !== null}
        title={refusal ? t(`sysinfo.service.why.${refusal}`, { unit: s.name }) : undefined}
      >
        {t(`sysinfo.service.${verb}`)}
      </button>
    </form>
  ));
}

export function ServicesView(
  props: {
    c: C;
    sessionId: string;
    section: Section<ServiceRow[]>;
    notice?: Notice;
    windows?: boolean;
  },
) {
  const { c, sessionId, section } = props;
  const windows = props.windows ?? false;
  const t = c.get("t");
  const action = `${systemPath(c, sessionId)}/services/action`;
  const notice = props.notice;
  return (
    <div data-view="services">
      {notice && (
        <p
          class={notice.failed ? "sysinfo-notice flash error" : "sysinfo-notice"}
          role={notice.failed ? "alert" : "status"}
        >
          {notice.text}
        </p>
      )}
      <ViewHead
        t={t}
        title={t("sysinfo.tab.services")}
        count={section.available ? section.value.length : undefined}
      />
      {section.available
        ? (
          <SortableTable
            label={t("sysinfo.tab.services")}
            columns={windows
              // As Services shows them: no systemd ActiveState, the display name, Status and
              // Startup type in Windows's words.
              ? [
                { label: t("sysinfo.win.serviceName") },
                { label: t("sysinfo.win.status") },
                { label: t("sysinfo.win.startupType") },
                { label: t("sysinfo.win.displayName"), wide: true },
                { label: t("sysinfo.col.actions") },
              ]
              : [
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
              ...(windows
                ? [text(windowsState(t, s.sub)), text(windowsStartType(t, s.enabled))]
                : [text(s.active), text(s.sub), text(s.enabled ?? "—")]),
              text(s.description),
              {
                sort: "",
                show: (
                  <span class="row tight nowrap" data-offers={s.name}>
                    {_serviceButtons(c, action, s)}
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

export function ApplicationsView(
  props: { t: Translator; apps: Applications; windows?: boolean },
) {
  const { t, apps } = props;
  const windows = props.windows ?? false;
  return (
    <div data-view="applications">
      <ViewHead
        t={t}
        title={t("sysinfo.tab.applications")}
        count={apps.apps.length}
        truncated={apps.truncated ? apps.apps.length : undefined}
      />
      <h4>{windows ? t("sysinfo.win.programSources") : t("sysinfo.apps.sources")}</h4>
      <ul class="plain sysinfo-sources">
        {apps.sources.map((s) => (
          <li data-source={s.source}>
            <strong>{appSource(t, s.source, windows)}</strong>: {s.status.available
              ? t(windows ? "sysinfo.win.programs" : "sysinfo.apps.count", {
                count: s.status.value.count,
              })
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
          text(appSource(t, a.source, windows)),
          {
            sort: a.sizeBytes ?? -1,
            show: a.sizeBytes === null ? "—" : formatSize(a.sizeBytes, t.lang),
          },
          text(a.summary),
        ])}
      />
    </div>
  );
}

export function UserView(
  props: { t: Translator; section: Section<UserInfo>; windows?: boolean },
) {
  const { t, section } = props;
  const windows = props.windows ?? false;
  if (!section.available) return <Unavailable t={t} {...section} />;
  const u = section.value;
  const facts: [string, Child][] = [
    [t("sysinfo.user.name"), <span data-fact="user-name">{u.name}</span>],
    [t("sysinfo.user.fullName"), u.fullName || "—"],
    [windows ? t("sysinfo.win.rid") : t("sysinfo.user.uid"), String(u.uid)],
    [
      windows ? t("sysinfo.win.profile") : t("sysinfo.user.home"),
      <span class="mono">{u.home}</span>,
    ],
    [
      windows ? t("sysinfo.win.comSpec") : t("sysinfo.user.shell"),
      <span class="mono">{u.shell}</span>,
    ],
    [
      t("sysinfo.user.admin"),
      u.admin ? t("sysinfo.user.adminVia", { via: u.adminVia ?? "" }) : t("sysinfo.no"),
    ],
    // Linux capabilities: Windows has none (its privileges are the token's, not read).
    ...(windows ? [] : [
      [
        t("sysinfo.user.capabilities"),
        <span class="mono">{u.capabilities || "—"}</span>,
      ] as [string, Child],
    ]),
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
          label: windows ? t("sysinfo.win.rid") : t("sysinfo.col.gid"),
          numeric: true,
        }]}
        rows={u.groups.map((g) => [text(g.name), { sort: g.gid }])}
      />
    </div>
  );
}

export function DriversView(
  props: { t: Translator; section: Section<DriverRow[]>; windows?: boolean },
) {
  const { t, section } = props;
  const windows = props.windows ?? false;
  return (
    <div data-view="drivers">
      <ViewHead
        t={t}
        title={t("sysinfo.tab.drivers")}
        count={section.available ? section.value.length : undefined}
      />
      {section.available
        ? (
          windows
            // Driver services: the image's file version, no modules using it (Linux's "Used by").
            ? (
              <SortableTable
                label={t("sysinfo.tab.drivers")}
                columns={[
                  { label: t("sysinfo.win.driver") },
                  { label: t("sysinfo.win.fileVersion") },
                  { label: t("sysinfo.win.fileSize"), numeric: true },
                  { label: t("sysinfo.win.status") },
                ]}
                rows={section.value.map((d) => [
                  text(d.name),
                  text(d.version || "—"),
                  { sort: d.sizeBytes, show: formatSize(d.sizeBytes, t.lang) },
                  text(windowsState(t, d.state)),
                ])}
              />
            )
            : (
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
                  { sort: d.sizeBytes, show: formatSize(d.sizeBytes, t.lang) },
                  text(d.state),
                  text(d.version || "—"),
                  text(d.usedBy.join(", ")),
                ])}
              />
            )
        )
        : <Unavailable t={t} {...section} />}
    </div>
  );
}

export function StartupView(props: { t: Translator; startup: Startup; windows?: boolean }) {
  const { t, startup } = props;
  const windows = props.windows ?? false;
  // Windows: Run keys and Startup folders, services that start automatically, Task Scheduler.
  const heads = windows
    ? [
      t("sysinfo.win.startupPrograms"),
      t("sysinfo.win.autoServices"),
      t("sysinfo.win.scheduledTasks"),
    ]
    : [t("sysinfo.startup.autostart"), t("sysinfo.startup.units"), t("sysinfo.startup.cron")];
  return (
    <div data-view="startup">
      <ViewHead t={t} title={t("sysinfo.tab.startup")} />
      <h4>{heads[0]}</h4>
      {startup.autostart.available
        ? (
          <SortableTable
            label={heads[0]}
            columns={[
              { label: t("sysinfo.col.name") },
              { label: windows ? t("sysinfo.win.status") : t("sysinfo.col.state") },
              {
                label: windows ? t("sysinfo.win.commandLine") : t("sysinfo.col.command"),
                wide: true,
              },
              { label: windows ? t("sysinfo.win.location") : t("sysinfo.col.file"), wide: true },
            ]}
            rows={startup.autostart.value.map((a) => [
              text(a.name),
              text(
                windows
                  ? t(a.enabled ? "sysinfo.win.enabled" : "sysinfo.win.disabled")
                  : t(a.enabled ? "sysinfo.startup.on" : "sysinfo.startup.off"),
              ),
              text(a.command),
              text(a.file),
            ])}
          />
        )
        : <Unavailable t={t} {...startup.autostart} />}
      <h4>{heads[1]}</h4>
      {startup.units.available
        ? (
          <SortableTable
            label={heads[1]}
            columns={windows
              ? [{ label: t("sysinfo.win.serviceName") }, { label: t("sysinfo.win.status") }]
              : [{ label: t("sysinfo.col.unit") }, { label: t("sysinfo.col.state") }]}
            rows={startup.units.value.map((
              u,
            ) => [text(u.name), text(windows ? windowsState(t, u.state) : u.state)])}
          />
        )
        : <Unavailable t={t} {...startup.units} />}
      <h4>{heads[2]}</h4>
      {windows && startup.tasks
        ? <_Tasks t={t} tasks={startup.tasks} />
        : startup.cron.available
        ? startup.cron.value.length === 0
          ? <p class="muted">{t("sysinfo.none")}</p>
          : (
            <SortableTable
              label={heads[2]}
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

/** Windows's scheduled tasks: those that start at log on or boot first (the agent's order). */
function _Tasks(props: { t: Translator; tasks: NonNullable<Startup["tasks"]> }) {
  const { t, tasks } = props;
  if (!tasks.available) return <Unavailable t={t} {...tasks} />;
  if (tasks.value.length === 0) return <p class="muted">{t("sysinfo.none")}</p>;
  return (
    <SortableTable
      label={t("sysinfo.win.scheduledTasks")}
      columns={[
        { label: t("sysinfo.col.name") },
        { label: t("sysinfo.win.triggers") },
        { label: t("sysinfo.win.status") },
        { label: t("sysinfo.win.commandLine"), wide: true },
      ]}
      rows={tasks.value.map((task) => [
        text(task.name),
        text(taskTriggers(t, task.triggers)),
        text(t(task.enabled ? "sysinfo.win.enabled" : "sysinfo.win.disabled")),
        text(task.command || "—"),
      ])}
    />
  );
}

export interface EventFilter {
  maxPriority: number;
  text: string;
}

export function EventsView(
  props: { c: C; sessionId: string; events: Events; filter: EventFilter; windows?: boolean },
) {
  const { c, sessionId, events, filter } = props;
  const windows = props.windows ?? false;
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
          {windows ? t("sysinfo.win.eventLevel") : t("sysinfo.events.priority")}{" "}
          <select name="priority">
            {windows
              // Event Viewer's levels as the agent maps them: Error 3, Warning 4, Information 6.
              ? WINDOWS_LEVELS.map((p) => (
                <option
                  value={String(p)}
                  selected={p === filter.maxPriority ||
                    (p === 6 && filter.maxPriority > 4) ||
                    (p === 3 && filter.maxPriority < 3)}
                >
                  {t("sysinfo.win.levelUpTo", { name: eventLevel(t, p, true) })}
                </option>
              ))
              : [0, 1, 2, 3, 4, 5, 6, 7].map((p) => (
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
              {
                label: windows ? t("sysinfo.win.eventLevel") : t("sysinfo.col.priority"),
                numeric: true,
              },
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
              { sort: e.priority ?? 8, show: eventLevel(t, e.priority, windows) },
              text(e.source),
              text(e.message),
            ])}
          />
        )}
    </div>
  );
}
