/**
 * The Task Scheduler's tasks from their definitions: one XML file per task under
 * `%SystemRoot%\System32\Tasks` (sub-folders are the Library's folders), the same files the
 * Task Scheduler service reads. Its COM API (ITaskService) would need a vtable walk through FFI
 * for what these files say directly. Windows writes them as UTF-16 with a byte-order mark, Wine
 * as UTF-8 with one. Only an administrator may list the folder: otherwise the section says so.
 */
import type { Section, TaskRow, TaskTrigger } from "../../../protocol/system.ts";
import { STARTUP_MAX } from "../../../protocol/system_limits.ts";

/** A task file's text: UTF-16 LE (Windows), UTF-8 (Wine), either with or without a BOM. */
export function decodeTaskFile(bytes: Uint8Array): string {
  if (bytes[0] === 0xFF && bytes[1] === 0xFE) return new TextDecoder("utf-16le").decode(bytes);
  if (bytes[0] === 0xFE && bytes[1] === 0xFF) return new TextDecoder("utf-16be").decode(bytes);
  // No BOM: "<" followed by a zero byte is UTF-16 LE.
  if (bytes[0] === 0x3C && bytes[1] === 0) return new TextDecoder("utf-16le").decode(bytes);
  return new TextDecoder().decode(bytes); // drops a UTF-8 BOM
}

function _unescape(value: string): string {
  return value
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, "$1")
    .replace(/&#x([0-9a-f]+);/gi, (_, hex) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec) => String.fromCodePoint(Number(dec)))
    .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

/** The text of the first `<name>` element inside `xml` (namespace prefixes ignored). */
function _element(xml: string, name: string): string | undefined {
  const match = new RegExp(`<(?:\\w+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:\\w+:)?${name}>`)
    .exec(xml);
  return match ? match[1] : undefined;
}

/** Every `<name …>…</name>` or `<name …/>` block inside `xml`. */
function _blocks(xml: string, name: string): string[] {
  const re = new RegExp(
    `<(?:\\w+:)?${name}(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</(?:\\w+:)?${name}>)`,
    "g",
  );
  return [...xml.matchAll(re)].map((m) => m[1] ?? "");
}

const TRIGGERS: Record<string, TaskTrigger> = {
  LogonTrigger: "logon",
  BootTrigger: "boot",
  TimeTrigger: "time",
  IdleTrigger: "idle",
  EventTrigger: "event",
  RegistrationTrigger: "registration",
  SessionStateChangeTrigger: "session",
};

function _triggers(xml: string): TaskTrigger[] {
  const section = _element(xml, "Triggers") ?? "";
  const out: TaskTrigger[] = [];
  const re = /<(?:\w+:)?(\w+Trigger)(?:\s[^>]*)?(?:\/>|>([\s\S]*?)<\/(?:\w+:)?\1>)/g;
  for (const [, name, body = ""] of section.matchAll(re)) {
    if (/^\s*false\s*$/i.test(_element(body, "Enabled") ?? "")) continue; // a disabled trigger
    let kind = TRIGGERS[name];
    if (name === "CalendarTrigger") {
      kind = /ScheduleByDay/.test(body)
        ? "daily"
        : /ScheduleByWeek/.test(body)
        ? "weekly"
        : /ScheduleByMonth/.test(body)
        ? "monthly"
        : "time";
    }
    const trigger = kind ?? "other";
    if (!out.includes(trigger)) out.push(trigger);
  }
  return out.slice(0, 32);
}

/** A program and its arguments as one command line (the program quoted when it has a space). */
function _commandLine(program: string, args: string): string {
  const quoted = /\s/.test(program) && !program.startsWith('"') ? `"${program}"` : program;
  return args ? `${quoted} ${args}` : quoted;
}

/** One task definition → its row; `name` is its path in the Library (\Folder\Task). */
export function parseTask(name: string, xml: string): TaskRow {
  const actions = _element(xml, "Actions") ?? "";
  const commands = _blocks(actions, "Exec")
    .map((exec) => {
      const program = _unescape(_element(exec, "Command") ?? "").trim();
      return program
        ? _commandLine(program, _unescape(_element(exec, "Arguments") ?? "").trim())
        : "";
    })
    .filter((c) => c !== "");
  const settings = _element(xml, "Settings") ?? "";
  // Settings' own Enabled (IdleSettings, the only nested block, has none); default true.
  const enabled = !/^\s*false\s*$/i.test(_element(settings, "Enabled") ?? "true");
  return {
    name: name.slice(0, 300),
    command: commands.join(" & ").slice(0, 1000),
    triggers: _triggers(xml),
    enabled,
  };
}

/** Start-up tasks (at log on, at boot) first, then by name. */
function _order(a: TaskRow, b: TaskRow): number {
  const atStart = (t: TaskRow) => t.triggers.some((x) => x === "logon" || x === "boot") ? 0 : 1;
  return atStart(a) - atStart(b) || a.name.localeCompare(b.name);
}

/** Every task under `root` (default `%SystemRoot%\System32\Tasks`), or why they cannot be read. */
export function readTasks(root?: string): Section<TaskRow[]> {
  const folder = root ?? `${Deno.env.get("SystemRoot") ?? "C:\\Windows"}\\System32\\Tasks`;
  const rows: TaskRow[] = [];
  const walk = (dir: string, library: string, depth: number) => {
    for (const entry of Deno.readDirSync(dir)) {
      if (rows.length >= 5 * STARTUP_MAX) return;
      const path = `${dir}\\${entry.name}`;
      if (entry.isDirectory && depth < 8) {
        try {
          walk(path, `${library}\\${entry.name}`, depth + 1);
        } catch { /* a sub-folder this user may not list: its tasks are left out */ }
      } else if (entry.isFile) {
        try {
          const bytes = Deno.readFileSync(path);
          if (bytes.length <= 1024 * 1024) {
            rows.push(parseTask(`${library}\\${entry.name}`, decodeTaskFile(bytes)));
          }
        } catch { /* a task file this user may not read */ }
      }
    }
  };
  try {
    walk(folder, "", 0);
  } catch (error) {
    return tasksUnavailable(error, folder);
  }
  return { available: true, value: rows.sort(_order).slice(0, STARTUP_MAX) };
}

/** Why the folder could not be listed, as the section says it. */
export function tasksUnavailable(error: unknown, folder: string): Section<never> {
  if (error instanceof Deno.errors.PermissionDenied) {
    return { available: false, why: "denied", about: "admin_only", detail: folder };
  }
  if (error instanceof Deno.errors.NotFound) {
    return { available: false, why: "no_source", about: "missing", detail: folder };
  }
  return { available: false, why: "failed", about: "message", detail: String(error).slice(0, 500) };
}
