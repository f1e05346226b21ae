/**
 * The dashboard (SPEC R7): the computer, its processor, memory and disks, the five busiest
 * processes, the five latest warnings and errors and the five next scheduled tasks — each
 * section what the customer's computer said, or why it has nothing.
 */
import type { Child } from "hono/jsx";
import type { Translator } from "../i18n/mod.ts";
import type { Section, Snapshot } from "../../protocol/system.ts";
import { Moment } from "../../views/moment.tsx";
import { formatSize } from "../../protocol/size.ts";
import { duration, eventLevel, number, percent, windowsVolume } from "./format.ts";
import { SortableTable, text } from "./table.tsx";
import { Sources, Unavailable, ViewHead } from "./views.tsx";
import { processCells, processColumns } from "./tabs.tsx";

function _value<T>(t: Translator, section: Section<T>, show: (value: T) => Child): Child {
  return section.available ? show(section.value) : <Unavailable t={t} {...section} />;
}

function _when(t: Translator, iso: string | null): Child {
  return iso ? <Moment lang={t.lang} at={new Date(iso)} style="dateTime" /> : "—";
}

function Facts(props: { rows: [string, Child][] }) {
  return (
    <dl class="sysinfo-facts">
      {props.rows.map(([label, value]) => (
        <>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </>
      ))}
    </dl>
  );
}

function Meter(props: { used: number; total: number; label: string }) {
  return (
    <meter
      min={0}
      max={props.total || 1}
      value={props.used}
      high={props.total * 0.9}
      aria-label={props.label}
    >
    </meter>
  );
}

/** `windows`: the customer's computer runs Windows (its agent's hello) — Windows's words. */
export function Dashboard(props: { t: Translator; snapshot: Snapshot; windows?: boolean }) {
  const { t, snapshot: s } = props;
  const windows = props.windows ?? false;
  const lang = t.lang;
  return (
    <div class="sysinfo-dashboard" data-view="dashboard">
      <ViewHead t={t} title={t("sysinfo.tab.dashboard")} />
      <div class="sysinfo-cards">
        <section class="sysinfo-card" data-card="computer">
          <h4>{t("sysinfo.dash.computer")}</h4>
          <Facts
            rows={[
              [
                t("sysinfo.dash.hostname"),
                _value(t, s.hostname, (v) => <span data-fact="hostname">{v}</span>),
              ],
              [t("sysinfo.dash.os"), _value(t, s.os, (v) => <span data-fact="os">{v.name}</span>)],
              [
                windows ? t("sysinfo.win.version") : t("sysinfo.dash.kernel"),
                _value(t, s.kernel, (v) => <span data-fact="kernel">{v.release}</span>),
              ],
              [
                t("sysinfo.dash.machine"),
                _value(t, s.kernel, (v) => <span data-fact="machine">{v.machine}</span>),
              ],
              [
                t("sysinfo.dash.firmware"),
                _value(t, s.firmware, (v) => (
                  <span data-fact="firmware">
                    {[v.systemVendor, v.productName].filter(Boolean).join(" ")} ·{" "}
                    {[v.biosVendor, v.biosVersion, v.biosDate].filter(Boolean).join(" ")}
                  </span>
                )),
              ],
              [t("sysinfo.dash.boot"), _value(t, s.boot, (v) => _when(t, v.bootTime))],
              [
                t("sysinfo.dash.uptime"),
                _value(
                  t,
                  s.boot,
                  (v) => <span data-fact="uptime">{duration(v.uptimeSeconds, lang)}</span>,
                ),
              ],
              [
                t("sysinfo.dash.currentUser"),
                _value(t, s.users, (v) => <span data-fact="user">{v.current}</span>),
              ],
              [
                t("sysinfo.dash.sessions"),
                _value(t, s.users, (v) =>
                  v.sessions.length === 0
                    ? <span class="muted">{t("sysinfo.dash.noSessions")}</span>
                    : (
                      <ul class="plain">
                        {v.sessions.map((u) => (
                          <li>
                            {u.user} ({u.line}
                            {u.host ? `, ${u.host}` : ""}) {_when(t, u.since)}
                          </li>
                        ))}
                      </ul>
                    )),
              ],
            ]}
          />
        </section>
        <section class="sysinfo-card" data-card="cpu">
          <h4>{t("sysinfo.dash.cpu")}</h4>
          {_value(t, s.cpu, (v) => (
            <Facts
              rows={[
                [t("sysinfo.dash.cpu"), <span data-fact="cpu">{v.model || "—"}</span>],
                ["", t("sysinfo.dash.cores", { count: v.logical })],
                // Windows keeps no load average: the row is left out.
                ...(v.load1 === null || v.load5 === null || v.load15 === null ? [] : [
                  [
                    t("sysinfo.dash.load"),
                    <span data-fact="load">
                      {[v.load1, v.load5, v.load15].map((n) => number(n ?? 0, lang, 2)).join(" · ")}
                    </span>,
                  ] as [string, Child],
                ]),
                [
                  t("sysinfo.dash.usage"),
                  v.usagePercent === null ? "—" : (
                    <>
                      <Meter used={v.usagePercent} total={100} label={t("sysinfo.dash.usage")} />
                      {" "}
                      {percent(v.usagePercent, 100, lang)}
                    </>
                  ),
                ],
              ]}
            />
          ))}
          <h4>{t("sysinfo.dash.memory")}</h4>
          {_value(t, s.memory, (v) => {
            const used = v.totalBytes - v.availableBytes;
            const swapUsed = v.swapTotalBytes - v.swapFreeBytes;
            return (
              <Facts
                rows={[
                  [
                    t("sysinfo.dash.memory"),
                    <span data-fact="memory" data-total={String(v.totalBytes)}>
                      <Meter used={used} total={v.totalBytes} label={t("sysinfo.dash.memory")} />
                      {" "}
                      {t("sysinfo.dash.memoryUsed", {
                        used: formatSize(used, lang),
                        total: formatSize(v.totalBytes, lang),
                      })}
                    </span>,
                  ],
                  [
                    windows ? t("sysinfo.win.pageFile") : t("sysinfo.dash.swap"),
                    v.swapTotalBytes === 0 ? t("sysinfo.none") : t("sysinfo.dash.swapUsed", {
                      used: formatSize(swapUsed, lang),
                      total: formatSize(v.swapTotalBytes, lang),
                    }),
                  ],
                ]}
              />
            );
          })}
        </section>
      </div>
      <section class="sysinfo-section" data-card="disks">
        <h4>{t("sysinfo.dash.disks")}</h4>
        {_value(t, s.disks, (disks) => (
          <SortableTable
            label={t("sysinfo.dash.disks")}
            columns={[
              { label: windows ? t("sysinfo.win.drive") : t("sysinfo.col.mount") },
              { label: windows ? t("sysinfo.win.volume") : t("sysinfo.col.device") },
              { label: windows ? t("sysinfo.win.fileSystem") : t("sysinfo.col.fsType") },
              { label: t("sysinfo.col.size"), numeric: true },
              { label: t("sysinfo.col.free"), numeric: true },
              { label: t("sysinfo.col.used"), numeric: true },
            ]}
            rowKey={(i) => disks[i].mount}
            rows={disks.map((d) => [
              text(d.mount),
              text(windows ? windowsVolume(t, d.device) : d.device),
              text(d.fsType),
              { sort: d.totalBytes, show: formatSize(d.totalBytes, lang) },
              { sort: d.availableBytes, show: formatSize(d.availableBytes, lang) },
              {
                sort: d.totalBytes - d.freeBytes,
                show: (
                  <>
                    <Meter
                      used={d.totalBytes - d.freeBytes}
                      total={d.totalBytes}
                      label={d.mount}
                    />{" "}
                    {percent(d.totalBytes - d.freeBytes, d.totalBytes, lang)}
                  </>
                ),
              },
            ])}
          />
        ))}
      </section>
      <section class="sysinfo-section" data-card="top">
        <h4>{t("sysinfo.dash.topProcesses")}</h4>
        {_value(t, s.topProcesses, (rows) => (
          <SortableTable
            label={t("sysinfo.dash.topProcesses")}
            columns={processColumns(t, false, windows)}
            rows={rows.map((p) => processCells(t, p))}
          />
        ))}
      </section>
      <section class="sysinfo-section" data-card="problems">
        <h4>{t("sysinfo.dash.problems")}</h4>
        {_value(t, s.problems, (v) => (
          <>
            <Sources t={t} sources={v.sources} />
            {v.entries.length === 0
              ? <p class="muted">{t("sysinfo.dash.noProblems")}</p>
              : (
                <SortableTable
                  label={t("sysinfo.dash.problems")}
                  columns={[
                    { label: t("sysinfo.col.time") },
                    {
                      label: windows ? t("sysinfo.win.eventLevel") : t("sysinfo.col.priority"),
                      numeric: true,
                    },
                    { label: t("sysinfo.col.source") },
                    { label: t("sysinfo.col.message"), wide: true },
                  ]}
                  rows={v.entries.map((e) => [
                    { sort: e.time ?? "", show: _when(t, e.time) },
                    { sort: e.priority ?? 8, show: eventLevel(t, e.priority, windows) },
                    text(e.source),
                    text(e.message),
                  ])}
                />
              )}
          </>
        ))}
      </section>
      <section class="sysinfo-section" data-card="tasks">
        <h4>{t("sysinfo.dash.tasks")}</h4>
        {_value(t, s.tasks, (tasks) =>
          tasks.length === 0 ? <p class="muted">{t("sysinfo.dash.noTasks")}</p> : (
            <SortableTable
              label={t("sysinfo.dash.tasks")}
              columns={[
                { label: t("sysinfo.col.next") },
                { label: t("sysinfo.col.name") },
                { label: t("sysinfo.col.schedule") },
                { label: t("sysinfo.col.command"), wide: true },
              ]}
              rows={tasks.map((task) => [
                { sort: task.next ?? "", show: _when(t, task.next) },
                text(task.name),
                text(task.schedule),
                text(task.command),
              ])}
            />
          ))}
      </section>
    </div>
  );
}
