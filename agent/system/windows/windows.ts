/**
 * System information on Windows (SystemOs over Win32: kernel32, advapi32, ntdll through
 * Deno.dlopen — no program's output is parsed). The dashboard's parts are in machine.ts,
 * processes in processes.ts, services and drivers in services.ts, applications and start-up
 * entries in software.ts, scheduled tasks in tasks.ts, the event log in events.ts, the user's
 * token in accounts.ts.
 */
import type { Section, Snapshot, UserInfo } from "../../../protocol/system.ts";
import { PROCESSES_MAX } from "../../../protocol/system_limits.ts";
import type { SystemOs } from "../os.ts";
import { ownToken } from "./accounts.ts";
import { readEvents } from "./events.ts";
import { readWide, win32 } from "./ffi.ts";
import { sessions } from "./sessions.ts";
import {
  bootSection,
  cpuSection,
  cpuTimes,
  cpuUsage,
  disksSection,
  firmwareSection,
  hostname,
  kernelSection,
  memorySection,
  osSection,
} from "./machine.ts";
import { endProcess, listProcesses, readProcess } from "./processes.ts";
import { autoStartServices, listDrivers, listServices, serviceAction } from "./services.ts";
import { autostartSection, listApplications } from "./software.ts";
import { readTasks } from "./tasks.ts";

function _failed(error: unknown): Section<never> {
  return { available: false, why: "failed", about: "message", detail: String(error).slice(0, 500) };
}

/** A part that throws (a call the system lacks) says so instead of failing the whole answer. */
function _safe<T>(read: () => Section<T>): Section<T> {
  try {
    return read();
  } catch (error) {
    return _failed(error);
  }
}

/**
 * The dashboard's next scheduled tasks: the task files say what starts a task but not when it
 * runs next (the Task Scheduler service keeps that), so the dashboard does not list them; the
 * Start-up view does (`tasks`).
 */
const NO_TASKS: Section<never> = {
  available: false,
  why: "not_built",
  about: "other_source",
  detail: "Task Scheduler",
};

export function userName(): string {
  const name = new Uint8Array(514);
  const size = new Uint32Array([257]);
  return win32().advapi32.GetUserNameW(name, new Uint8Array(size.buffer)) ? readWide(name) : "";
}

/**
 * The user's display name (secur32's GetUserNameExW, NameDisplay); "" where Windows keeps none
 * (a local account without one, or Wine).
 */
export function displayName(): string {
  try {
    const secur32 = Deno.dlopen("secur32.dll", {
      GetUserNameExW: { parameters: ["i32", "buffer", "buffer"], result: "u8" },
    });
    try {
      const name = new Uint8Array(1026);
      const size = new Uint32Array([513]);
      const ok = secur32.symbols.GetUserNameExW(3, name, new Uint8Array(size.buffer));
      return ok ? readWide(name) : "";
    } finally {
      secur32.close();
    }
  } catch {
    return "";
  }
}

function _usersSection(): Snapshot["users"] {
  const current = userName();
  if (!current) {
    return { available: false, why: "failed", about: "call_failed", detail: "GetUserNameW" };
  }
  return { available: true, value: { current: current.slice(0, 64), sessions: sessions() } };
}

function _userSection(): Section<UserInfo> {
  const token = ownToken();
  if (!token) {
    return { available: false, why: "failed", about: "call_failed", detail: "OpenProcessToken" };
  }
  const via = token.adminNow
    ? (token.elevated ? "Administrators (elevated)" : "Administrators")
    : token.adminGroup
    ? "Administrators (not elevated)"
    : null;
  return {
    available: true,
    value: {
      name: token.user.name.slice(0, 64),
      uid: token.user.rid,
      gid: token.primaryGroup?.rid ?? 0,
      fullName: displayName().slice(0, 300),
      home: (Deno.env.get("USERPROFILE") ?? "").slice(0, 1000),
      shell: (Deno.env.get("ComSpec") ?? "").slice(0, 1000),
      groups: token.groups.slice(0, 1000).map((g) => ({
        name: (g.domain ? `${g.domain}\\${g.name}` : g.name).slice(0, 64),
        gid: g.rid,
      })),
      admin: via !== null,
      adminVia: via,
      capabilities: "",
    },
  };
}

export function windowsSystem(): SystemOs {
  const os: SystemOs = {
    async snapshot(signal) {
      const before = cpuTimes();
      // The process sample doubles as the CPU-usage interval.
      const procs = await listProcesses(500).catch(() => undefined);
      const after = cpuTimes();
      const problems = readEvents({ maxPriority: 4, text: "", limit: 5 }, signal);
      return {
        takenAt: new Date().toISOString(),
        hostname: _safe(hostname),
        os: _safe(osSection),
        kernel: _safe(kernelSection),
        firmware: _safe(firmwareSection),
        boot: _safe(bootSection),
        users: _safe(_usersSection),
        cpu: _safe(() => cpuSection(cpuUsage(before, after))),
        memory: _safe(memorySection),
        disks: await disksSection().catch((error) => _failed(error)),
        topProcesses: procs ? { available: true, value: procs.slice(0, 5) } : {
          available: false,
          why: "failed",
          about: "call_failed",
          detail: "CreateToolhelp32Snapshot",
        },
        problems: {
          available: true,
          value: { sources: problems.sources, entries: problems.entries.slice(0, 5) },
        },
        tasks: NO_TASKS,
      };
    },
    async processes() {
      try {
        const rows = await listProcesses();
        return {
          available: true,
          value: { rows: rows.slice(0, PROCESSES_MAX), truncated: rows.length > PROCESSES_MAX },
        };
      } catch (error) {
        return _failed(error);
      }
    },
    process: (pid) => Promise.resolve(readProcess(pid)),
    signalProcess: (pid, force) => endProcess(pid, force),
    services: () => Promise.resolve(listServices()),
    serviceAction: (name, action, signal) => serviceAction(name, action, signal),
    applications: (signal) => Promise.resolve(listApplications(signal)),
    user: () => Promise.resolve(_safe(_userSection)),
    drivers: () => Promise.resolve(listDrivers()),
    startup() {
      return Promise.resolve({
        autostart: autostartSection(),
        units: autoStartServices(),
        // An older console knows only `cron`: it keeps saying where Windows keeps its tasks.
        cron: NO_TASKS,
        tasks: readTasks(),
      });
    },
    events: (query, signal) => Promise.resolve(readEvents(query, signal)),
  };
  return os;
}
