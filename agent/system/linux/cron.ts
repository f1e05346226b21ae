/**
 * cron tables (/etc/crontab, /etc/cron.d/*, the users' tables under /var/spool/cron): the
 * entries, when each next runs (cron's own rules, in the computer's local time) and the
 * `@reboot` ones, which are start-up items.
 */
import { readText } from "../run.ts";

export interface CronEntry {
  schedule: string;
  command: string;
  file: string;
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const NICKNAMES: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** One crontab's entries; `withUser`: system tables have a user column before the command. */
export function parseCrontab(text: string, file: string, withUser: boolean): CronEntry[] {
  const out: CronEntry[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || /^[A-Za-z_][A-Za-z0-9_]*\s*=/.test(line)) continue;
    const fields = line.split(/\s+/);
    const timeFields = fields[0].startsWith("@") ? 1 : 5;
    const skip = timeFields + (withUser ? 1 : 0);
    if (fields.length <= skip) continue;
    out.push({
      schedule: fields.slice(0, timeFields).join(" "),
      command: fields.slice(skip).join(" ").slice(0, 1000),
      file,
    });
  }
  return out;
}

function _field(text: string, min: number, max: number, names?: string[]): Set<number> | null {
  if (text === "*") return null;
  const out = new Set<number>();
  const value = (part: string) => {
    const index = names?.indexOf(part.toLowerCase().slice(0, 3)) ?? -1;
    return index >= 0 ? index + (min === 1 ? 1 : 0) : Number(part);
  };
  for (const item of text.split(",")) {
    const [range, stepText] = item.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    let from = min;
    let to = max;
    if (range !== "*") {
      const [a, b] = range.split("-");
      from = value(a);
      to = b === undefined ? (stepText === undefined ? from : max) : value(b);
    }
    if (![from, to, step].every(Number.isInteger) || step < 1 || from < min || to > max) {
      throw new Error(`bad cron field ${text}`);
    }
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}

/** When `schedule` next fires after `after` (local time); null for @reboot or a bad entry. */
export function nextCronRun(schedule: string, after: Date): Date | null {
  const expanded = NICKNAMES[schedule] ?? schedule;
  if (expanded.startsWith("@")) return null;
  const parts = expanded.split(/\s+/);
  if (parts.length !== 5) return null;
  let minutes, hours, doms, months, dows;
  try {
    minutes = _field(parts[0], 0, 59);
    hours = _field(parts[1], 0, 23);
    doms = _field(parts[2], 1, 31);
    months = _field(parts[3], 1, 12, MONTHS);
    dows = _field(parts[4], 0, 7, DAYS);
  } catch {
    return null;
  }
  if (dows?.has(7)) dows.add(0);
  const dayMatches = (d: Date) => {
    const dom = doms === null || doms.has(d.getDate());
    const dow = dows === null || dows.has(d.getDay());
    // cron: with both day fields restricted, either one matching is enough.
    return doms !== null && dows !== null ? dom || dow : dom && dow;
  };
  const start = new Date(after.getTime());
  start.setSeconds(0, 0);
  start.setMinutes(start.getMinutes() + 1);
  const day = new Date(start.getFullYear(), start.getMonth(), start.getDate());
  for (let i = 0; i < 366 * 5; i++, day.setDate(day.getDate() + 1)) {
    if (months !== null && !months.has(day.getMonth() + 1)) continue;
    if (!dayMatches(day)) continue;
    for (let h = 0; h < 24; h++) {
      if (hours !== null && !hours.has(h)) continue;
      for (let m = 0; m < 60; m++) {
        if (minutes !== null && !minutes.has(m)) continue;
        const at = new Date(day.getFullYear(), day.getMonth(), day.getDate(), h, m);
        if (at >= start) return at;
      }
    }
  }
  return null;
}

async function _list(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      // run-parts' rule: names of letters, digits, _ and - only (no backups, no dpkg leftovers).
      if (entry.isFile && /^[A-Za-z0-9_-]+$/.test(entry.name)) names.push(`${dir}/${entry.name}`);
    }
  } catch { /* no such folder */ }
  return names.sort();
}

/**
 * Every cron entry this user may read. `sources` tells whether any table was found at all
 * (no cron installed: the section says so).
 */
export async function readCronEntries(
  root = "",
): Promise<{ entries: CronEntry[]; sources: number }> {
  const entries: CronEntry[] = [];
  let sources = 0;
  const system = [`${root}/etc/crontab`, ...await _list(`${root}/etc/cron.d`)];
  for (const file of system) {
    const text = await readText(file);
    if (text === undefined) continue;
    sources++;
    entries.push(...parseCrontab(text, file, true));
  }
  for (const dir of [`${root}/var/spool/cron/crontabs`, `${root}/var/spool/cron`]) {
    for (const file of await _list(dir)) {
      const text = await readText(file);
      if (text === undefined) continue;
      sources++;
      entries.push(...parseCrontab(text, file, false));
    }
  }
  return { entries, sources };
}
