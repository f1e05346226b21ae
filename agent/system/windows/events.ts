/**
 * The Windows event log (advapi32's OpenEventLogW / ReadEventLogW, newest first) for the System
 * and Application logs: warnings and errors as syslog priorities (error 3, warning and audit
 * failure 4, information and audit success 6). The message is the sentence from the source's
 * message DLL (event_messages.ts), or — without one — the event's number and its insertion
 * strings.
 */
import type { EventEntry, Events } from "../../../protocol/system.ts";
import { EVENTS_MAX } from "../../../protocol/system_limits.ts";
import { MessageFiles } from "./event_messages.ts";
import { ERROR_HANDLE_EOF, ERROR_INSUFFICIENT_BUFFER, readWide, u32, wide, win32 } from "./ffi.ts";

const EVENTLOG_SEQUENTIAL_READ = 0x0001;
const EVENTLOG_BACKWARDS_READ = 0x0008;
/** What one log is read for at most (records), so a huge log cannot stall the agent. */
const SCAN_MAX = 20_000;
export const LOGS = ["System", "Application"] as const;

/** EVENTLOGRECORD's EventType → a syslog priority. */
export function eventPriority(type: number): number {
  switch (type) {
    case 0x0001: // EVENTLOG_ERROR_TYPE
      return 3;
    case 0x0002: // EVENTLOG_WARNING_TYPE
    case 0x0010: // EVENTLOG_AUDIT_FAILURE
      return 4;
    default: // information (4), audit success (8), success (0)
      return 6;
  }
}

export interface EventRecord {
  timeMs: number;
  /** The id as the message tables know it (severity and facility bits included). */
  fullId: number;
  eventId: number;
  priority: number;
  source: string;
  strings: string[];
}

/**
 * The EVENTLOGRECORDs in `bytes` (as ReadEventLogW filled it): Length at 0, TimeGenerated at
 * 12 (seconds since 1970), EventID at 20, EventType at 24, NumStrings at 26, StringOffset at
 * 36, the source's name at 56.
 */
export function parseEventRecords(bytes: Uint8Array): EventRecord[] {
  const out: EventRecord[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at + 56 <= bytes.length) {
    const length = view.getUint32(at, true);
    if (length < 56 || at + length > bytes.length) break;
    const record = bytes.subarray(at, at + length);
    const count = view.getUint16(at + 26, true);
    const strings: string[] = [];
    let offset = u32(record, 36);
    for (let i = 0; i < count && offset < length; i++) {
      const s = readWide(record, offset, 2000);
      strings.push(s);
      offset += (s.length + 1) * 2;
    }
    out.push({
      timeMs: u32(record, 12) * 1000,
      fullId: u32(record, 20),
      eventId: u32(record, 20) & 0xFFFF,
      priority: eventPriority(view.getUint16(at + 24, true)),
      source: readWide(record, 56, 200),
      strings,
    });
    at += length;
  }
  return out;
}

/**
 * One record as the console shows it: its sentence from the source's message DLL when there is
 * one (`formatted`), else the event's number and its insertion strings.
 */
export function eventEntry(record: EventRecord, formatted?: string): EventEntry {
  const text = record.strings.filter((s) => s.trim() !== "").join(" | ");
  return {
    time: new Date(record.timeMs).toISOString(),
    priority: record.priority,
    source: record.source.slice(0, 200),
    message: (formatted?.trim() || `Event ${record.eventId}${text ? `: ${text}` : ""}`)
      .replace(/\r\n/g, "\n").slice(0, 2000),
  };
}

/** Whether an entry passes the query's priority and text filter. */
export function matches(entry: EventEntry, query: { maxPriority: number; text: string }) {
  if (entry.priority !== null && entry.priority > query.maxPriority) return false;
  const needle = query.text.toLowerCase();
  return needle === "" ||
    entry.message.toLowerCase().includes(needle) ||
    entry.source.toLowerCase().includes(needle);
}

type LogRead =
  /** matched: up to one more than the limit (the reading stops there) */
  | { ok: true; entries: EventEntry[]; matched: number; scanned: number }
  | { ok: false; error: string };

function _readLog(
  log: string,
  query: { maxPriority: number; text: string; limit: number },
  signal: AbortSignal,
  messages: MessageFiles,
): LogRead {
  const { advapi32, kernel32 } = win32();
  const handle = advapi32.OpenEventLogW(null, wide(log));
  if (handle === null) {
    return { ok: false, error: `OpenEventLogW(${log}): ${kernel32.GetLastError()}` };
  }
  try {
    const entries: EventEntry[] = [];
    let matched = 0;
    let scanned = 0;
    let buffer = new Uint8Array(64 * 1024);
    while (scanned < SCAN_MAX && !signal.aborted) {
      const read = new Uint32Array(1);
      const needed = new Uint32Array(1);
      const ok = advapi32.ReadEventLogW(
        handle,
        EVENTLOG_SEQUENTIAL_READ | EVENTLOG_BACKWARDS_READ,
        0,
        buffer,
        buffer.length,
        new Uint8Array(read.buffer),
        new Uint8Array(needed.buffer),
      );
      if (!ok) {
        const error = kernel32.GetLastError();
        if (error === ERROR_INSUFFICIENT_BUFFER && needed[0] > buffer.length) {
          buffer = new Uint8Array(needed[0]);
          continue;
        }
        if (error === ERROR_HANDLE_EOF || scanned > 0) break;
        return { ok: false, error: `ReadEventLogW(${log}): ${error}` };
      }
      for (const record of parseEventRecords(buffer.subarray(0, read[0]))) {
        scanned++;
        if (record.priority > query.maxPriority) continue;
        const entry = eventEntry(
          record,
          messages.format(log, record.source, record.fullId, record.strings),
        );
        if (!matches(entry, query)) continue;
        matched++;
        if (entries.length < query.limit) entries.push(entry);
        // Newest first: once one more than asked for matched, the rest changes nothing shown.
        if (matched > query.limit) break;
      }
      if (read[0] === 0 || matched > query.limit) break;
    }
    return { ok: true, entries, matched, scanned };
  } finally {
    advapi32.CloseEventLog(handle);
  }
}

/** The System and Application logs' entries that match, newest first. */
export function readEvents(
  query: { maxPriority: number; text: string; limit: number },
  signal: AbortSignal,
): Events {
  const limit = Math.min(query.limit, EVENTS_MAX);
  const sources: Events["sources"] = [];
  const all: EventEntry[] = [];
  let matched = 0;
  const messages = new MessageFiles();
  for (const log of LOGS) {
    let read: LogRead;
    try {
      read = _readLog(log, { ...query, limit }, signal, messages);
    } catch (error) {
      read = { ok: false, error: String(error).slice(0, 300) };
    }
    if (read.ok) {
      sources.push({
        name: "eventlog",
        status: { available: true, value: { where: log, entries: read.entries.length } },
      });
      all.push(...read.entries);
      matched += read.matched;
    } else {
      sources.push({
        name: "eventlog",
        status: { available: false, why: "failed", about: "call_failed", detail: read.error },
      });
    }
  }
  messages.free();
  all.sort((a, b) => (b.time ?? "").localeCompare(a.time ?? ""));
  return { sources, entries: all.slice(0, limit), truncated: matched > limit };
}
