/**
 * The whole system snapshot as one file for the session's files: every view read at once,
 * as JSON (what the agent answered, unchanged) or as plain text in the technician's language.
 */
import type { Translator } from "../i18n/mod.ts";
import type { AppDeps } from "../http/mod.ts";
import type { Section } from "../../protocol/system.ts";
import { formatSize } from "../../protocol/size.ts";
import { systemCall, type SystemResult } from "./agent_calls.ts";
import {
  appSource,
  duration,
  eventLevel,
  taskTriggers,
  unavailableDetail,
  windowsStartType,
  windowsState,
  windowsVolume,
} from "./format.ts";

export interface FullSnapshot {
  snapshot: SystemResult<"system.snapshot">;
  processes: SystemResult<"system.processes">;
  services: SystemResult<"system.services">;
  applications: SystemResult<"system.applications">;
  user: SystemResult<"system.user">;
  drivers: SystemResult<"system.drivers">;
  startup: SystemResult<"system.startup">;
  events: SystemResult<"system.events">;
}

/** Reads every view from the agent (one after another: the agent samples CPU per read). */
export async function readEverything(deps: AppDeps, sessionId: string): Promise<FullSnapshot> {
  const call = <K extends Parameters<typeof systemCall>[2]["kind"]>(kind: K, extra = {}) =>
    systemCall(deps, sessionId, { kind, ...extra } as never);
  return {
    snapshot: await call("system.snapshot"),
    processes: await call("system.processes"),
    services: await call("system.services"),
    applications: await call("system.applications"),
    user: await call("system.user"),
    drivers: await call("system.drivers"),
    startup: await call("system.startup"),
    events: await call("system.events", { maxPriority: 4, text: "", limit: 500 }),
  } as FullSnapshot;
}

function _section<T>(t: Translator, s: Section<T>, show: (v: T) => string[]): string[] {
  return s.available ? show(s.value) : [
    `${t("sysinfo.notAvailable", { why: t(`sysinfo.why.${s.why}`) })} ${unavailableDetail(t, s)}`,
  ];
}

function _heading(title: string): string[] {
  return ["", title, "=".repeat(title.length)];
}

/**
 * The snapshot as text: one heading per view, one line per row, tab-separated tables; a
 * Windows customer's (`windows`, its agent's hello) in Windows's words, as the tab shows it.
 */
export function snapshotText(t: Translator, all: FullSnapshot, windows = false): string {
  const s = all.snapshot;
  const lang = t.lang;
  const lines: string[] = [`${t("sysinfo.title")} — ${s.takenAt}`];
  const fact = (label: string, value: string) => `${label}: ${value}`;
  lines.push(..._heading(t("sysinfo.dash.computer")));
  lines.push(..._section(t, s.hostname, (v) => [fact(t("sysinfo.dash.hostname"), v)]));
  lines.push(
    ..._section(t, s.os, (v) => [fact(t("sysinfo.dash.os"), `${v.name} (${v.id} ${v.version})`)]),
  );
  lines.push(
    ..._section(
      t,
      s.kernel,
      (v) => [
        fact(
          windows ? t("sysinfo.win.version") : t("sysinfo.dash.kernel"),
          `${v.release} ${v.machine} ${v.version}`,
        ),
      ],
    ),
  );
  lines.push(..._section(t, s.firmware, (v) => [
    fact(
      t("sysinfo.dash.firmware"),
      [v.systemVendor, v.productName, v.boardName, v.biosVendor, v.biosVersion, v.biosDate].join(
        " | ",
      ),
    ),
  ]));
  lines.push(..._section(t, s.boot, (v) => [
    fact(t("sysinfo.dash.boot"), v.bootTime),
    fact(t("sysinfo.dash.uptime"), duration(v.uptimeSeconds, lang)),
  ]));
  lines.push(..._section(t, s.users, (v) => [
    fact(t("sysinfo.dash.currentUser"), v.current),
    ...v.sessions.map((u) =>
      fact(t("sysinfo.dash.sessions"), `${u.user} ${u.line} ${u.host} ${u.since ?? ""}`)
    ),
  ]));
  lines.push(..._heading(t("sysinfo.dash.cpu")));
  lines.push(..._section(t, s.cpu, (v) => [
    fact(t("sysinfo.dash.cpu"), `${v.model} (${t("sysinfo.dash.cores", { count: v.logical })})`),
    // Windows keeps no load average.
    ...(v.load1 === null
      ? []
      : [fact(t("sysinfo.dash.load"), `${v.load1} ${v.load5} ${v.load15}`)]),
    fact(t("sysinfo.dash.usage"), v.usagePercent === null ? "—" : `${v.usagePercent} %`),
  ]));
  lines.push(..._section(t, s.memory, (v) => [
    fact(
      t("sysinfo.dash.memory"),
      t("sysinfo.dash.memoryUsed", {
        used: formatSize(v.totalBytes - v.availableBytes, lang),
        total: formatSize(v.totalBytes, lang),
      }),
    ),
    fact(
      windows ? t("sysinfo.win.pageFile") : t("sysinfo.dash.swap"),
      t("sysinfo.dash.swapUsed", {
        used: formatSize(v.swapTotalBytes - v.swapFreeBytes, lang),
        total: formatSize(v.swapTotalBytes, lang),
      }),
    ),
  ]));
  lines.push(..._heading(t("sysinfo.dash.disks")));
  lines.push(
    ..._section(
      t,
      s.disks,
      (disks) =>
        disks.map((d) =>
          [
            d.mount,
            windows ? windowsVolume(t, d.device) : d.device,
            d.fsType,
            formatSize(d.totalBytes, lang),
            formatSize(d.availableBytes, lang),
          ]
            .join("\t")
        ),
    ),
  );
  lines.push(..._heading(t("sysinfo.tab.processes")));
  lines.push(
    ..._section(
      t,
      all.processes,
      (v) =>
        v.rows.map((p) =>
          [p.pid, p.user, p.cpuPercent, formatSize(p.memoryBytes, lang), p.command].join("\t")
        ),
    ),
  );
  lines.push(..._heading(t("sysinfo.tab.services")));
  lines.push(
    ..._section(
      t,
      all.services,
      (v) =>
        v.map((u) =>
          (windows
            ? [u.name, windowsState(t, u.sub), windowsStartType(t, u.enabled), u.description]
            : [u.name, u.active, u.sub, u.enabled ?? "", u.description]).join("\t")
        ),
    ),
  );
  lines.push(..._heading(t("sysinfo.tab.applications")));
  for (const source of all.applications.sources) {
    lines.push(
      ..._section(
        t,
        source.status,
        (v) => [
          `${appSource(t, source.source, windows)}: ${
            t(windows ? "sysinfo.win.programs" : "sysinfo.apps.count", { count: v.count })
          }`,
        ],
      ),
    );
  }
  lines.push(
    ...all.applications.apps.map((a) =>
      [a.name, a.version, appSource(t, a.source, windows)].join("\t")
    ),
  );
  lines.push(..._heading(t("sysinfo.tab.user")));
  lines.push(..._section(t, all.user, (u) => [
    fact(t("sysinfo.user.name"), `${u.name} (${u.uid})`),
    fact(
      t("sysinfo.user.admin"),
      u.admin ? t("sysinfo.user.adminVia", { via: u.adminVia ?? "" }) : t("sysinfo.no"),
    ),
    fact(t("sysinfo.user.groups"), u.groups.map((g) => g.name).join(", ")),
  ]));
  lines.push(..._heading(t("sysinfo.tab.drivers")));
  lines.push(
    ..._section(
      t,
      all.drivers,
      (v) =>
        v.map((d) =>
          (windows
            ? [d.name, d.version || "—", d.sizeBytes, windowsState(t, d.state)]
            : [d.name, d.sizeBytes, d.usedBy.join(",")]).join("\t")
        ),
    ),
  );
  lines.push(..._heading(t("sysinfo.tab.startup")));
  lines.push(
    ..._section(
      t,
      all.startup.autostart,
      (v) =>
        v.map((a) =>
          [
            a.name,
            windows
              ? t(a.enabled ? "sysinfo.win.enabled" : "sysinfo.win.disabled")
              : t(a.enabled ? "sysinfo.startup.on" : "sysinfo.startup.off"),
            a.command,
          ].join("\t")
        ),
    ),
  );
  lines.push(
    ..._section(
      t,
      all.startup.units,
      (v) => v.map((u) => [u.name, windows ? windowsState(t, u.state) : u.state].join("\t")),
    ),
  );
  if (windows && all.startup.tasks) {
    lines.push(
      ..._section(t, all.startup.tasks, (v) =>
        v.map((task) =>
          [
            task.name,
            taskTriggers(t, task.triggers),
            t(task.enabled ? "sysinfo.win.enabled" : "sysinfo.win.disabled"),
            task.command,
          ].join("\t")
        )),
    );
  } else {
    lines.push(
      ..._section(t, all.startup.cron, (v) => v.map((e) => [e.command, e.file].join("\t"))),
    );
  }
  lines.push(..._heading(t("sysinfo.tab.events")));
  for (const source of all.events.sources) {
    lines.push(..._section(t, source.status, (v) => [`${source.name}: ${v.where}`]));
  }
  lines.push(
    ...all.events.entries.map((e) =>
      [e.time ?? "", eventLevel(t, e.priority, windows), e.source, e.message].join("\t")
    ),
  );
  return lines.join("\n") + "\n";
}
