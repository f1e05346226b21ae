/**
 * The system log, from whichever sources this computer has: the journal (`journalctl`, with
 * priorities), a syslog file (/var/log/syslog or /var/log/messages: no priority recorded) and
 * the kernel's ring buffer (`dmesg --raw`, with priorities). Newest first, filtered by
 * priority and text, bounded.
 */
import type { EventEntry, Events } from "../../../protocol/system.ts";
import { readTail, runTool, ToolMissing } from "../run.ts";

export interface EventQuery {
  maxPriority: number;
  text: string;
  limit: number;
}

type Source = Events["sources"][number];
type Part = { status: Source["status"]; entries: EventEntry[] };

function _clip(entry: EventEntry): EventEntry {
  return {
    time: entry.time,
    priority: entry.priority,
    source: entry.source.slice(0, 200),
    message: entry.message.slice(0, 2000),
  };
}

function _matches(entry: EventEntry, query: EventQuery): boolean {
  // A line whose priority the log did not keep shows only when every priority is asked for.
  if (entry.priority === null ? query.maxPriority < 7 : entry.priority > query.maxPriority) {
    return false;
  }
  const needle = query.text.trim().toLowerCase();
  return !needle || `${entry.source} ${entry.message}`.toLowerCase().includes(needle);
}

function _decodeField(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every((b) => typeof b === "number")) {
    return new TextDecoder().decode(new Uint8Array(value));
  }
  return "";
}

/** `journalctl -o json`: one object per line. */
export function parseJournal(text: string): EventEntry[] {
  const out: EventEntry[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue;
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(line);
    } catch {
      continue;
    }
    const micros = Number(row.__REALTIME_TIMESTAMP);
    const priority = Number(row.PRIORITY);
    out.push(_clip({
      time: Number.isFinite(micros) && micros > 0 ? new Date(micros / 1000).toISOString() : null,
      priority: Number.isInteger(priority) && priority >= 0 && priority <= 7 ? priority : null,
      source: _decodeField(row.SYSLOG_IDENTIFIER) || _decodeField(row._SYSTEMD_UNIT) ||
        _decodeField(row._COMM),
      message: _decodeField(row.MESSAGE),
    }));
  }
  return out;
}

/** `dmesg --raw`: `<priority>[seconds.micros] message`, seconds after boot. */
export function parseDmesg(text: string, bootTimeMs: number | undefined): EventEntry[] {
  const out: EventEntry[] = [];
  for (const line of text.split("\n")) {
    const match = /^<(\d+)>\[\s*(\d+\.\d+)\]\s?(.*)$/.exec(line);
    if (!match) continue;
    const seconds = Number(match[2]);
    out.push(_clip({
      time: bootTimeMs === undefined ? null : new Date(bootTimeMs + seconds * 1000).toISOString(),
      priority: Number(match[1]) & 7,
      source: "kernel",
      message: match[3],
    }));
  }
  return out;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * A syslog file: `2026-12-04T17:00:00.123+00:00 host prog[1]: text` (rsyslog's precise
 * format) or `Dec  4 17:00:00 host prog[1]: text` (the traditional one, local time, no year).
 */
export function parseSyslog(text: string, now = new Date()): EventEntry[] {
  const out: EventEntry[] = [];
  for (const line of text.split("\n")) {
    let time: Date | null = null;
    let rest: string;
    const precise = /^(\d{4}-\d\d-\d\dT\S+)\s+\S+\s+(.*)$/.exec(line);
    const classic = /^([A-Z][a-z]{2})\s+(\d{1,2})\s+(\d\d):(\d\d):(\d\d)\s+\S+\s+(.*)$/.exec(line);
    if (precise) {
      time = new Date(precise[1]);
      rest = precise[2];
    } else if (classic) {
      const month = MONTHS.indexOf(classic[1]);
      if (month < 0) continue;
      const [h, m, s] = [classic[3], classic[4], classic[5]].map(Number);
      time = new Date(now.getFullYear(), month, Number(classic[2]), h, m, s);
      if (time > now) time.setFullYear(time.getFullYear() - 1);
      rest = classic[6];
    } else continue;
    const tag = /^([^:\s[]+)(?:\[\d+\])?:\s?(.*)$/.exec(rest);
    out.push(_clip({
      time: time && !Number.isNaN(time.getTime()) ? time.toISOString() : null,
      priority: null,
      source: tag ? tag[1] : "",
      message: tag ? tag[2] : rest,
    }));
  }
  return out;
}

function _unavailable(error: unknown, tool: string): Source["status"] {
  if (error instanceof ToolMissing) {
    return { available: false, why: "no_tool", about: "not_installed", detail: tool };
  }
  return { available: false, why: "failed", about: "message", detail: String(error).slice(0, 500) };
}

/** Where journald keeps its files: persistent, then volatile. */
const JOURNAL_DIRS = ["/var/log/journal", "/run/log/journal"];

async function _hasJournalFiles(dirs: string[]): Promise<boolean> {
  for (const dir of dirs) {
    try {
      for await (const entry of Deno.readDir(dir)) {
        if (entry.isDirectory) {
          for await (const file of Deno.readDir(`${dir}/${entry.name}`)) {
            if (file.name.endsWith(".journal")) return true;
          }
        } else if (entry.name.endsWith(".journal")) return true;
      }
    } catch { /* no such folder, or not ours to read */ }
  }
  return false;
}

async function _journal(query: EventQuery, signal?: AbortSignal): Promise<Part> {
  if (!await _hasJournalFiles(JOURNAL_DIRS)) {
    return {
      status: {
        available: false,
        why: "no_source",
        about: "none_found",
        detail: JOURNAL_DIRS.join(", "),
      },
      entries: [],
    };
  }
  const lines = query.text.trim() ? 20_000 : Math.min(query.limit * 2, 5000);
  try {
    const out = await runTool("journalctl", [
      "--no-pager",
      "--output=json",
      "--output-fields=MESSAGE,PRIORITY,SYSLOG_IDENTIFIER,_SYSTEMD_UNIT,_COMM",
      `--priority=0..${query.maxPriority}`,
      `--lines=${lines}`,
    ], { signal, maxBytes: 24 * 1024 * 1024 });
    const entries = parseJournal(out.stdout);
    if (out.code !== 0 && entries.length === 0) {
      return {
        status: {
          available: false,
          why: "failed",
          about: "message",
          detail: out.stderr.trim().slice(0, 500),
        },
        entries,
      };
    }
    return {
      status: { available: true, value: { where: "journalctl", entries: entries.length } },
      entries,
    };
  } catch (error) {
    return { status: _unavailable(error, "journalctl"), entries: [] };
  }
}

async function _syslog(): Promise<Part> {
  for (const path of ["/var/log/syslog", "/var/log/messages"]) {
    const text = await readTail(path, 4 * 1024 * 1024);
    if (text === undefined) continue;
    const entries = parseSyslog(text);
    return {
      status: { available: true, value: { where: path, entries: entries.length } },
      entries,
    };
  }
  return {
    status: {
      available: false,
      why: "no_source",
      about: "none_found",
      detail: "/var/log/syslog, /var/log/messages",
    },
    entries: [],
  };
}

async function _kernel(bootTimeMs: number | undefined, signal?: AbortSignal): Promise<Part> {
  try {
    const out = await runTool("dmesg", ["--raw"], { signal, maxBytes: 8 * 1024 * 1024 });
    if (out.code !== 0) {
      const denied = /not permitted|permission/i.test(out.stderr);
      return {
        status: {
          available: false,
          why: denied ? "denied" : "failed",
          about: "message",
          detail: `dmesg: ${out.stderr.trim()}`.slice(0, 500),
        },
        entries: [],
      };
    }
    const entries = parseDmesg(out.stdout, bootTimeMs);
    return {
      status: { available: true, value: { where: "dmesg", entries: entries.length } },
      entries,
    };
  } catch (error) {
    return { status: _unavailable(error, "dmesg"), entries: [] };
  }
}

export async function readEvents(
  query: EventQuery,
  options: { bootTimeMs?: number; signal?: AbortSignal },
): Promise<Events> {
  const journal = await _journal(query, options.signal);
  // The journal holds the kernel's and syslog's messages too: the others only without it.
  const parts: { name: Source["name"]; status: Source["status"]; entries: EventEntry[] }[] = [
    { name: "journald", ...journal },
  ];
  if (!journal.status.available) {
    const [syslog, kernel] = await Promise.all([
      _syslog(),
      _kernel(options.bootTimeMs, options.signal),
    ]);
    parts.push({ name: "syslog", ...syslog }, { name: "kernel", ...kernel });
  }
  const matching = parts.flatMap((p) => p.entries).filter((e) => _matches(e, query));
  matching.sort((a, b) => (b.time ?? "").localeCompare(a.time ?? ""));
  return {
    sources: parts.map(({ name, status }) => ({ name, status })),
    entries: matching.slice(0, query.limit),
    truncated: matching.length > query.limit,
  };
}
