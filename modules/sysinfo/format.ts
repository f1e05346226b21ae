/** How durations, percentages and "not available" read in the technician's language (sizes: protocol/size.ts). */
import type { Translator } from "../i18n/mod.ts";
import type { TaskTrigger, Unavailable } from "../../protocol/system.ts";

/** 93784 s → "1 d 2 h 3 min" (the biggest three units that are not zero). */
export function duration(seconds: number, lang: string): string {
  const parts: [number, Intl.NumberFormatOptions["unit"]][] = [
    [Math.floor(seconds / 86400), "day"],
    [Math.floor((seconds % 86400) / 3600), "hour"],
    [Math.floor((seconds % 3600) / 60), "minute"],
  ];
  const shown = parts.filter(([n]) => n > 0);
  if (shown.length === 0) {
    return new Intl.NumberFormat(lang, { style: "unit", unit: "minute" }).format(0);
  }
  return shown.map(([n, unit]) =>
    new Intl.NumberFormat(lang, { style: "unit", unit, unitDisplay: "short" }).format(n)
  ).join(" ");
}

export function number(value: number, lang: string, digits = 1): string {
  return new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(value);
}

export function percent(part: number, whole: number, lang: string): string {
  return new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 })
    .format(whole > 0 ? part / whole : 0);
}

/** A syslog priority's name ("Warning"), or "not recorded". */
export function priorityName(t: Translator, priority: number | null): string {
  if (priority === null) return t("sysinfo.events.noPriority");
  return t(`sysinfo.priority.${priority}` as "sysinfo.priority.0");
}

/**
 * What the agent found missing, in the technician's words: `about` names what `detail` is (a
 * path, a command, the computer's own message — kept as it came). An agent from before `about`
 * sent an English sentence: shown as it came.
 */
export function unavailableDetail(t: Translator, s: Pick<Unavailable, "about" | "detail">): string {
  return s.about ? t(`sysinfo.about.${s.about}`, { detail: s.detail }) : s.detail;
}

/**
 * A Windows customer's computer is shown in Windows's words (Services' Status and Startup
 * type, Event Viewer's levels); a Linux one's as before. Which system it is: the agent's hello.
 */
const WINDOWS_STATES: Record<string, string> = {
  "stopped": "stopped",
  "start pending": "startPending",
  "stop pending": "stopPending",
  "running": "running",
  "continue pending": "continuePending",
  "pause pending": "pausePending",
  "paused": "paused",
  // What a service action answers: systemd's ActiveState words, as the agent maps them.
  "active": "running",
  "inactive": "stopped",
  "activating": "startPending",
  "deactivating": "stopPending",
};
const WINDOWS_START_TYPES = ["boot", "system", "auto", "manual", "disabled"];

/** A Windows service's or driver's state ("running") as Services shows it ("Running"). */
export function windowsState(t: Translator, state: string): string {
  const key = WINDOWS_STATES[state];
  return key ? t(`sysinfo.win.state.${key}` as "sysinfo.win.state.running") : state;
}

/** A scheduled task's triggers as Task Scheduler's Triggers column says them. */
export function taskTriggers(t: Translator, triggers: readonly TaskTrigger[]): string {
  if (triggers.length === 0) return t("sysinfo.win.trigger.none");
  return triggers.map((x) => t(`sysinfo.win.trigger.${x}` as "sysinfo.win.trigger.logon"))
    .join(", ");
}

/** A Windows service's start type ("auto") as Services shows it ("Automatic"). */
export function windowsStartType(t: Translator, type: string | null): string {
  if (type === null) return "—";
  return WINDOWS_START_TYPES.includes(type)
    ? t(`sysinfo.win.startType.${type}` as "sysinfo.win.startType.auto")
    : type;
}

/** The Event Viewer levels the filter offers (as the agent's priorities: 3, 4, 6). */
export const WINDOWS_LEVELS = [3, 4, 6] as const;

/** An event's priority as Event Viewer's level: Critical, Error, Warning, Information. */
export function levelName(t: Translator, priority: number | null): string {
  if (priority === null) return t("sysinfo.events.noPriority");
  const level = priority <= 2
    ? "critical"
    : priority === 3
    ? "error"
    : priority === 4
    ? "warning"
    : "information";
  return t(`sysinfo.win.level.${level}` as "sysinfo.win.level.error");
}

/** An event's priority in the customer's system's words. */
export function eventLevel(t: Translator, priority: number | null, windows: boolean): string {
  return windows ? levelName(t, priority) : priorityName(t, priority);
}

/** Where an application's entry came from: Windows's registry said so, others by their name. */
export function appSource(t: Translator, source: string, windows: boolean): string {
  return windows && source === "registry" ? t("sysinfo.win.registry") : source;
}

/** The agent's drive types (agent/system/windows/machine.ts DRIVE_TYPES) → Explorer's words. */
const DRIVE_TYPES: Record<string, string> = {
  "removable": "removable",
  "fixed": "fixed",
  "network": "network",
  "CD/DVD": "cd",
  "RAM disk": "ram",
};

/** A Windows drive's volume, "DATA (fixed)" or "fixed", as "DATA (Local Disk)" / "Local Disk". */
export function windowsVolume(t: Translator, device: string): string {
  const match =
    /^(?:(.+) \((removable|fixed|network|CD\/DVD|RAM disk)\)|(removable|fixed|network|CD\/DVD|RAM disk))$/
      .exec(device);
  if (!match) return device;
  const [, label, labelled, bare] = match;
  const type = t(
    `sysinfo.win.driveType.${DRIVE_TYPES[labelled ?? bare]}` as "sysinfo.win.driveType.fixed",
  );
  return label === undefined ? type : `${label} (${type})`;
}
