// Over 400 lines on purpose: every system-information shape the agent and the server share (Linux and Windows) in one schema, so both sides validate against the same source.
/**
 * The agent operations of system information (issue 17, SPEC R7; docs/agent_ops.md): a
 * dashboard snapshot and one operation per tab, each section either a value or a clear
 * "not available" with the reason (a missing source never fails the whole answer), plus the
 * two actions — end a process, start/stop/restart a service — which the customer also
 * confirms one by one in the agent's window. Every list is bounded so a result stays far
 * below the 8 MiB a body may carry.
 */
import { z } from "zod";
import { defineOp } from "./op_spec.ts";

import {
  APPS_MAX,
  EVENT_FILTER_MAX,
  EVENTS_MAX,
  MODULES_MAX,
  PID_MAX,
  PROCESSES_MAX,
  STARTUP_MAX,
  UNITS_MAX,
} from "./system_limits.ts";

export {
  APPS_MAX,
  EVENT_FILTER_MAX,
  EVENTS_MAX,
  MODULES_MAX,
  PID_MAX,
  PROCESSES_MAX,
  STARTUP_MAX,
  UNITS_MAX,
};

/**
 * A systemd service's name: letters, digits and `:_.@-`, systemd's `\xNN` escapes, ending in
 * `.service` — nothing a shell would read as an operator (no shell is ever used; the rule
 * keeps an odd name from reaching systemctl as an option or pattern).
 */
export const UNIT_NAME = /^(?:[A-Za-z0-9:_.@-]|\\x[0-9a-f]{2}){1,240}\.service$/;

export function isUnitName(value: string): boolean {
  return UNIT_NAME.test(value) && !value.startsWith("-");
}

/**
 * A Windows service's (key) name: 1–256 characters, no slash or backslash (the Service Control
 * Manager refuses them) and no control character; not starting with "-" or a space.
 */
// deno-lint-ignore no-control-regex -- control characters are what it refuses
export const WINDOWS_SERVICE_NAME = /^[^-\s\\/\x00-\x1f\x7f][^\\/\x00-\x1f\x7f]{0,255}$/;

export function isWindowsServiceName(value: string): boolean {
  return WINDOWS_SERVICE_NAME.test(value);
}

/** A service name of either system (each agent checks again for its own: see handlers.ts). */
export function isServiceName(value: string): boolean {
  return isUnitName(value) || isWindowsServiceName(value);
}

/**
 * Why a section has nothing: its source is missing, systemd is not running, a tool is absent,
 * or the support app does not read it on this system yet…
 */
export const UNAVAILABLE_WHY = [
  "no_source",
  "no_systemd",
  "no_tool",
  "denied",
  "failed",
  /** The support app does not read it on this system yet (Windows: the Task Scheduler). */
  "not_built",
] as const;
export type UnavailableWhy = typeof UNAVAILABLE_WHY[number];

const text = (max: number) => z.string().max(max);
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const iso = z.string().max(40);
/**
 * What `detail` is, so the console says it in the technician's language: `missing` (a path that
 * does not exist), `unreadable` (a file it cannot read), `malformed` (a file of an unexpected
 * form), `not_installed` (a command), `none_found` (a list of places, none of them there),
 * `unknown_user` (a user id not in the user list), `call_failed` (a system call), `message`
 * (a tool's or the system's own message, shown as it came), `other_source` (where this system
 * keeps it instead), `admin_only` (a folder only an administrator may read). An agent without it sent a sentence
 * in English as `detail`; the console shows that as it is.
 */
export const UNAVAILABLE_DETAIL = [
  "missing",
  "unreadable",
  "malformed",
  "not_installed",
  "none_found",
  "unknown_user",
  "call_failed",
  "message",
  "other_source",
  /** A folder only an administrator may read (Windows: System32\Tasks). */
  "admin_only",
] as const;
export type UnavailableDetail = typeof UNAVAILABLE_DETAIL[number];

const unavailable = z.strictObject({
  available: z.literal(false),
  why: z.enum(UNAVAILABLE_WHY),
  about: z.enum(UNAVAILABLE_DETAIL).optional(),
  /** The path, command or message `about` names (not translated: the computer's own words). */
  detail: text(500),
});

/** A value, or why there is none. */
function section<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion("available", [
    z.strictObject({ available: z.literal(true), value }),
    unavailable,
  ]);
}
export type Section<T> = { available: true; value: T } | Unavailable;

/** A section's "not available": why, and what the detail names. */
export interface Unavailable {
  available: false;
  why: UnavailableWhy;
  about?: UnavailableDetail;
  detail: string;
}

export const ProcessRowSchema = z.strictObject({
  pid: z.number().int().min(1).max(PID_MAX),
  ppid: z.number().int().min(0).max(PID_MAX),
  user: text(64),
  name: text(64),
  command: text(1000),
  /** The kernel's one-letter state (R running, S sleeping, D waiting, Z zombie, T stopped…). */
  state: text(2),
  /** Share of one CPU over the sampling interval (100 = one core busy). */
  cpuPercent: z.number().min(0).max(100_000),
  cpuSeconds: z.number().min(0),
  memoryBytes: count,
  threads: count,
  startedAt: iso.nullable(),
});
export type ProcessRow = z.infer<typeof ProcessRowSchema>;

export const EventEntrySchema = z.strictObject({
  time: iso.nullable(),
  /** syslog priority 0 (emergency) … 7 (debug); null where the log does not record it. */
  priority: z.number().int().min(0).max(7).nullable(),
  /** The unit or program that wrote it. */
  source: text(200),
  message: text(2000),
});
export type EventEntry = z.infer<typeof EventEntrySchema>;

const EventSourceSchema = z.strictObject({
  /** journald, syslog (a file) or kernel (the ring buffer); Windows: eventlog (`where`: the log). */
  name: z.enum(["journald", "syslog", "kernel", "eventlog"]),
  status: section(z.strictObject({ where: text(300), entries: count })),
});

const ScheduledTaskSchema = z.strictObject({
  source: z.enum(["timer", "cron"]),
  name: text(300),
  schedule: text(300),
  next: iso.nullable(),
  command: text(1000),
});
export type ScheduledTask = z.infer<typeof ScheduledTaskSchema>;

export const SnapshotSchema = z.strictObject({
  takenAt: iso,
  hostname: section(text(255)),
  os: section(z.strictObject({ name: text(200), id: text(64), version: text(100) })),
  kernel: section(z.strictObject({ release: text(200), version: text(300), machine: text(64) })),
  firmware: section(z.strictObject({
    biosVendor: text(200),
    biosVersion: text(200),
    biosDate: text(64),
    systemVendor: text(200),
    productName: text(200),
    boardName: text(200),
  })),
  boot: section(z.strictObject({ bootTime: iso, uptimeSeconds: z.number().min(0) })),
  users: section(z.strictObject({
    /** Who the support app runs as: the interactive user. */
    current: text(64),
    sessions: z.array(z.strictObject({
      user: text(64),
      line: text(64),
      host: text(256),
      since: iso.nullable(),
    })).max(200),
  })),
  cpu: section(z.strictObject({
    model: text(200),
    logical: count,
    /** null where the system keeps no load average (Windows). */
    load1: z.number().min(0).nullable(),
    load5: z.number().min(0).nullable(),
    load15: z.number().min(0).nullable(),
    /** Busy share of all CPUs over the sampling interval (0–100). */
    usagePercent: z.number().min(0).max(100).nullable(),
  })),
  memory: section(z.strictObject({
    totalBytes: count,
    availableBytes: count,
    swapTotalBytes: count,
    swapFreeBytes: count,
  })),
  disks: section(
    z.array(z.strictObject({
      device: text(300),
      mount: text(1000),
      fsType: text(64),
      totalBytes: count,
      freeBytes: count,
      /** What an ordinary user may still write (free less the root reserve). */
      availableBytes: count,
    })).max(200),
  ),
  topProcesses: section(z.array(ProcessRowSchema).max(5)),
  problems: section(z.strictObject({
    sources: z.array(EventSourceSchema).max(3),
    entries: z.array(EventEntrySchema).max(5),
  })),
  tasks: section(z.array(ScheduledTaskSchema).max(5)),
});
export type Snapshot = z.infer<typeof SnapshotSchema>;

export const ServiceRowSchema = z.strictObject({
  name: text(256),
  description: text(500),
  load: text(32),
  active: text(32),
  sub: text(32),
  /** enabled, disabled, static, masked…; null when systemd did not say. */
  enabled: text(32).nullable(),
  /**
   * Whether it may be started / stopped by hand now (Windows: not Disabled / SERVICE_ACCEPT_STOP;
   * systemd: CanStart / CanStop). Absent from an older agent: the state alone decides the offer.
   */
  canStart: z.boolean().optional(),
  canStop: z.boolean().optional(),
});
export type ServiceRow = z.infer<typeof ServiceRowSchema>;

/** Linux's package systems; registry: Windows's Uninstall keys (what "Apps & features" lists). */
export const APP_SOURCES = ["dpkg", "rpm", "flatpak", "snap", "registry"] as const;
export type AppSource = typeof APP_SOURCES[number];

export const AppRowSchema = z.strictObject({
  source: z.enum(APP_SOURCES),
  name: text(256),
  version: text(256),
  summary: text(300),
  sizeBytes: count.nullable(),
});
export type AppRow = z.infer<typeof AppRowSchema>;

export const ApplicationsSchema = z.strictObject({
  sources: z.array(z.strictObject({
    source: z.enum(APP_SOURCES),
    status: section(z.strictObject({ count })),
  })).max(APP_SOURCES.length),
  apps: z.array(AppRowSchema).max(APPS_MAX),
  truncated: z.boolean(),
});
export type Applications = z.infer<typeof ApplicationsSchema>;

export const UserInfoSchema = z.strictObject({
  name: text(64),
  uid: count,
  gid: count,
  fullName: text(300),
  home: text(1000),
  shell: text(1000),
  groups: z.array(z.strictObject({ name: text(64), gid: count })).max(1000),
  /** May act as administrator: root, or a member of sudo / wheel / admin. */
  admin: z.boolean(),
  adminVia: text(64).nullable(),
  /** The effective capabilities of the support app's process (hex, from /proc). */
  capabilities: text(32),
});
export type UserInfo = z.infer<typeof UserInfoSchema>;

export const DriverRowSchema = z.strictObject({
  name: text(128),
  sizeBytes: count,
  useCount: count,
  usedBy: z.array(text(128)).max(200),
  state: text(32),
  version: text(128),
});
export type DriverRow = z.infer<typeof DriverRowSchema>;

/** What starts a scheduled task: Task Scheduler's trigger elements (calendar ones by period). */
export const TASK_TRIGGERS = [
  "logon",
  "boot",
  "time",
  "daily",
  "weekly",
  "monthly",
  "idle",
  "event",
  "registration",
  "session",
  "other",
] as const;
export type TaskTrigger = typeof TASK_TRIGGERS[number];

/** A Windows scheduled task as its definition (System32\Tasks) says. */
export const TaskRowSchema = z.strictObject({
  /** Its path in the Task Scheduler Library: \Vendor\Name. */
  name: text(300),
  /** Exec actions as a command line each, joined by " & "; "" when it has none. */
  command: text(1000),
  /** Its enabled triggers; none: it runs only when asked. */
  triggers: z.array(z.enum(TASK_TRIGGERS)).max(32),
  enabled: z.boolean(),
});
export type TaskRow = z.infer<typeof TaskRowSchema>;

export const StartupSchema = z.strictObject({
  autostart: section(
    z.array(z.strictObject({
      name: text(300),
      command: text(1000),
      file: text(1000),
      enabled: z.boolean(),
    })).max(STARTUP_MAX),
  ),
  units: section(
    z.array(z.strictObject({ name: text(256), state: text(32) })).max(STARTUP_MAX),
  ),
  cron: section(
    z.array(z.strictObject({ command: text(1000), file: text(1000) })).max(STARTUP_MAX),
  ),
  /** Windows: the Task Scheduler's tasks (absent from Linux and from an older agent). */
  tasks: section(z.array(TaskRowSchema).max(STARTUP_MAX)).optional(),
});
export type Startup = z.infer<typeof StartupSchema>;

export const EventsSchema = z.strictObject({
  sources: z.array(EventSourceSchema).max(3),
  entries: z.array(EventEntrySchema).max(EVENTS_MAX),
  /** More entries matched than were sent. */
  truncated: z.boolean(),
});
export type Events = z.infer<typeof EventsSchema>;

/** A confirmed action waits for the customer's answer in the agent's window. */
const CONFIRMED_TIMEOUT_MS = 120_000;

export const SYSTEM_OPS = [
  defineOp({
    kind: "system.snapshot",
    capability: "systemInfo",
    params: {},
    result: SnapshotSchema,
  }),
  defineOp({
    kind: "system.processes",
    capability: "systemInfo",
    params: {},
    result: section(
      z.strictObject({
        rows: z.array(ProcessRowSchema).max(PROCESSES_MAX),
        truncated: z.boolean(),
      }),
    ),
  }),
  defineOp({
    kind: "system.endProcess",
    capability: "systemInfo",
    params: {
      pid: z.number().int().min(2).max(PID_MAX),
      /** SIGKILL instead of SIGTERM. */
      force: z.boolean(),
    },
    result: z.strictObject({ pid: z.number().int(), name: text(64), ended: z.boolean() }),
    timeoutMs: CONFIRMED_TIMEOUT_MS,
  }),
  defineOp({
    kind: "system.services",
    capability: "systemInfo",
    params: {},
    result: section(z.array(ServiceRowSchema).max(UNITS_MAX)),
  }),
  defineOp({
    kind: "system.serviceAction",
    capability: "systemInfo",
    params: {
      unit: z.string().max(256).refine(isServiceName, "not a service name"),
      action: z.enum(["start", "stop", "restart"]),
    },
    result: z.strictObject({ unit: text(256), action: text(16), active: text(32) }),
    timeoutMs: CONFIRMED_TIMEOUT_MS,
  }),
  defineOp({
    kind: "system.applications",
    capability: "systemInfo",
    params: {},
    result: ApplicationsSchema,
    timeoutMs: 60_000,
  }),
  defineOp({
    kind: "system.user",
    capability: "systemInfo",
    params: {},
    result: section(UserInfoSchema),
  }),
  defineOp({
    kind: "system.drivers",
    capability: "systemInfo",
    params: {},
    result: section(z.array(DriverRowSchema).max(MODULES_MAX)),
  }),
  defineOp({
    kind: "system.startup",
    capability: "systemInfo",
    params: {},
    result: StartupSchema,
  }),
  defineOp({
    kind: "system.events",
    capability: "systemInfo",
    params: {
      /** Entries of this priority and more urgent (0 emergency … 7 debug). */
      maxPriority: z.number().int().min(0).max(7),
      /** Only entries whose message or source contains this (case-insensitive). */
      text: z.string().max(EVENT_FILTER_MAX),
      limit: z.number().int().min(1).max(EVENTS_MAX),
    },
    result: EventsSchema,
  }),
] as const;

export const SERVICE_ACTIONS = ["start", "stop", "restart"] as const;
export type ServiceAction = typeof SERVICE_ACTIONS[number];
