/**
 * Windows services through the Service Control Manager (advapi32): the list
 * (EnumServicesStatusExW, each one's start type from QueryServiceConfigW), start/stop/restart
 * (StartServiceW, ControlService) waiting for the state to settle, and the kernel drivers
 * registered as driver services (their image's file version from file_version.ts).
 */
import type { DriverRow, Section, ServiceRow } from "../../../protocol/system.ts";
import { MODULES_MAX, UNITS_MAX } from "../../../protocol/system_limits.ts";
import { innerOffset, readWide, u32, wide, win32 } from "./ffi.ts";
import { fileVersion } from "./file_version.ts";

const SC_MANAGER_CONNECT = 0x0001;
const SC_MANAGER_ENUMERATE_SERVICE = 0x0004;
const SERVICE_QUERY_CONFIG = 0x0001;
const SERVICE_QUERY_STATUS = 0x0004;
const SERVICE_START = 0x0010;
const SERVICE_STOP = 0x0020;
export const SERVICE_DRIVER = 0x0B;
export const SERVICE_WIN32 = 0x30;
const SERVICE_STATE_ALL = 3;
const SC_ENUM_PROCESS_INFO = 0;
/** sizeof(ENUM_SERVICE_STATUS_PROCESSW) on x64. */
const ENTRY_SIZE = 56;
const SERVICE_CONTROL_STOP = 1;
const ERROR_SERVICE_ALREADY_RUNNING = 1056;
const ERROR_SERVICE_NOT_ACTIVE = 1062;

/** What the Service Control Manager's refusals mean (their numbers stay in the sentence). */
export function serviceError(name: string, call: string, error: number): string {
  const why: Record<number, string> = {
    5: "the support app does not run as an administrator",
    1051: "other running services depend on it",
    1052: "it does not accept a stop request",
    1053: "it did not answer in time",
    1058: "it is disabled",
    1060: "there is no such service",
  };
  return `${call}(${name}) failed (error ${error}${why[error] ? `: ${why[error]}` : ""})`;
}

/** dwCurrentState → the word the list shows. */
export const STATES: Record<number, string> = {
  1: "stopped",
  2: "start pending",
  3: "stop pending",
  4: "running",
  5: "continue pending",
  6: "pause pending",
  7: "paused",
};
/** The same state in the words the console uses for every system (systemd's ActiveState). */
export function activeWord(state: number): string {
  return state === 4 || state === 7 || state === 5 || state === 6
    ? "active"
    : state === 2
    ? "activating"
    : state === 3
    ? "deactivating"
    : "inactive";
}
/** dwStartType → when it starts. */
export const START_TYPES: Record<number, string> = {
  0: "boot",
  1: "system",
  2: "auto",
  3: "manual",
  4: "disabled",
};

export interface ServiceEntry {
  name: string;
  displayName: string;
  type: number;
  state: number;
  /** dwControlsAccepted: SERVICE_ACCEPT_STOP (1) and the others; 0 while stopped. */
  controls: number;
  pid: number;
}

const SERVICE_ACCEPT_STOP = 0x1;
const SERVICE_DISABLED = 4;

/** Parses the entries EnumServicesStatusExW wrote (their strings are inside the same buffer). */
export function parseServiceEntries(buffer: Uint8Array, count: number): ServiceEntry[] {
  const out: ServiceEntry[] = [];
  for (let i = 0; i < count; i++) {
    const at = i * ENTRY_SIZE;
    const name = innerOffset(buffer, at);
    const display = innerOffset(buffer, at + 8);
    out.push({
      name: name < 0 ? "" : readWide(buffer, name),
      displayName: display < 0 ? "" : readWide(buffer, display),
      type: u32(buffer, at + 16),
      state: u32(buffer, at + 20),
      controls: u32(buffer, at + 24),
      pid: u32(buffer, at + 44),
    });
  }
  return out;
}

function _scm(): Deno.PointerValue {
  const { advapi32, kernel32 } = win32();
  const scm = advapi32.OpenSCManagerW(
    null,
    null,
    SC_MANAGER_CONNECT | SC_MANAGER_ENUMERATE_SERVICE,
  );
  if (scm === null) throw new Error(`OpenSCManagerW failed (error ${kernel32.GetLastError()})`);
  return scm;
}

/** Every service of `type` (SERVICE_WIN32 or SERVICE_DRIVER). */
export function enumServices(type: number): ServiceEntry[] {
  const { advapi32, kernel32 } = win32();
  const scm = _scm();
  try {
    const out: ServiceEntry[] = [];
    const resume = new Uint32Array(1);
    for (let round = 0; round < 100; round++) {
      const buffer = new Uint8Array(256 * 1024);
      const needed = new Uint32Array(1);
      const returned = new Uint32Array(1);
      const ok = advapi32.EnumServicesStatusExW(
        scm,
        SC_ENUM_PROCESS_INFO,
        type,
        SERVICE_STATE_ALL,
        buffer,
        buffer.length,
        new Uint8Array(needed.buffer),
        new Uint8Array(returned.buffer),
        new Uint8Array(resume.buffer),
        null,
      );
      out.push(...parseServiceEntries(buffer, returned[0]));
      if (ok) break;
      const error = kernel32.GetLastError();
      if (error !== 234 /* ERROR_MORE_DATA */ || returned[0] === 0) {
        if (out.length === 0) throw new Error(`EnumServicesStatusExW failed (error ${error})`);
        break;
      }
    }
    return out;
  } finally {
    advapi32.CloseServiceHandle(scm);
  }
}

interface Config {
  startType: number;
  binaryPath: string;
}

/** QUERY_SERVICE_CONFIGW: dwStartType at 4, lpBinaryPathName at 16. */
function _config(scm: Deno.PointerValue, name: string): Config | undefined {
  const { advapi32 } = win32();
  const service = advapi32.OpenServiceW(scm, wide(name), SERVICE_QUERY_CONFIG);
  if (service === null) return undefined;
  try {
    const needed = new Uint32Array([8192]);
    let buffer = new Uint8Array(0);
    for (let tries = 0; tries < 2; tries++) {
      // A long dependency list needs more than 8 KiB: the call says how much.
      buffer = new Uint8Array(Math.max(needed[0], 8192));
      if (
        advapi32.QueryServiceConfigW(service, buffer, buffer.length, new Uint8Array(needed.buffer))
      ) {
        break;
      }
      if (tries === 1 || needed[0] <= buffer.length) return undefined;
    }
    const path = innerOffset(buffer, 16);
    return { startType: u32(buffer, 4), binaryPath: path < 0 ? "" : readWide(buffer, path) };
  } finally {
    advapi32.CloseServiceHandle(service);
  }
}

function _withConfigs<T>(entries: ServiceEntry[], each: (e: ServiceEntry, c?: Config) => T): T[] {
  const scm = _scm();
  try {
    return entries.map((e) => each(e, _config(scm, e.name)));
  } finally {
    win32().advapi32.CloseServiceHandle(scm);
  }
}

function _failed(error: unknown): Section<never> {
  return { available: false, why: "failed", about: "message", detail: String(error).slice(0, 500) };
}

export function listServices(): Section<ServiceRow[]> {
  let entries;
  try {
    entries = enumServices(SERVICE_WIN32).slice(0, UNITS_MAX);
  } catch (error) {
    return _failed(error);
  }
  const rows = _withConfigs(entries, (e, config) => ({
    name: e.name.slice(0, 256),
    description: e.displayName.slice(0, 500),
    load: "loaded",
    active: activeWord(e.state),
    sub: STATES[e.state] ?? String(e.state),
    enabled: config ? START_TYPES[config.startType] ?? String(config.startType) : null,
    // Services' own rule: Start is greyed for a Disabled service, Stop for one that does not
    // accept SERVICE_CONTROL_STOP (a stopped service accepts nothing, and needs no Stop).
    canStart: config ? config.startType !== SERVICE_DISABLED : undefined,
    canStop: (e.controls & SERVICE_ACCEPT_STOP) !== 0,
  }));
  return { available: true, value: rows.sort((a, b) => a.name.localeCompare(b.name)) };
}

/** The services that start with Windows (start type auto, boot or system). */
export function autoStartServices(): Section<{ name: string; state: string }[]> {
  try {
    const entries = enumServices(SERVICE_WIN32);
    const rows = _withConfigs(entries, (e, c) => ({ e, auto: c !== undefined && c.startType <= 2 }))
      .filter((r) => r.auto)
      .map(({ e }) => ({ name: e.name.slice(0, 256), state: STATES[e.state] ?? String(e.state) }));
    return { available: true, value: rows.slice(0, 1000) };
  } catch (error) {
    return _failed(error);
  }
}

/** A driver's image path as a file name (`\SystemRoot\…`, `System32\…`, `\??\C:\…`). */
export function driverFile(binaryPath: string, systemRoot: string): string {
  const path = binaryPath.replace(/^"|"$/g, "");
  if (/^\\SystemRoot\\/i.test(path)) return systemRoot + path.slice("\\SystemRoot".length);
  if (/^\\\?\?\\/.test(path)) return path.slice(4);
  if (/^[A-Za-z]:\\/.test(path)) return path;
  if (path === "") return "";
  return `${systemRoot}\\${path.replace(/^\\/, "")}`;
}

/** Kernel drivers registered as driver services: state, file size, the file's version. */
export function listDrivers(): Section<DriverRow[]> {
  let entries;
  try {
    entries = enumServices(SERVICE_DRIVER).slice(0, MODULES_MAX);
  } catch (error) {
    return _failed(error);
  }
  const systemRoot = Deno.env.get("SystemRoot") ?? "C:\\Windows";
  const rows = _withConfigs(entries, (e, config) => {
    const file = config ? driverFile(config.binaryPath, systemRoot) : "";
    let sizeBytes = 0;
    try {
      if (file) sizeBytes = Deno.statSync(file).size;
    } catch { /* a driver whose file is not there: size unknown */ }
    return {
      name: e.name.slice(0, 128),
      sizeBytes,
      useCount: 0,
      usedBy: [],
      state: (STATES[e.state] ?? String(e.state)).slice(0, 32),
      version: file ? fileVersion(file).slice(0, 128) : "",
    };
  });
  return { available: true, value: rows.sort((a, b) => a.name.localeCompare(b.name)) };
}

function _state(service: Deno.PointerValue): number {
  // SERVICE_STATUS_PROCESS (36 bytes): dwCurrentState at 4.
  const status = new Uint8Array(36);
  const ok = win32().advapi32.QueryServiceStatusEx(service, 0, status, 36, new Uint8Array(4));
  return ok ? u32(status, 4) : 0;
}

async function _settle(service: Deno.PointerValue, want: number, signal: AbortSignal) {
  const until = Date.now() + 30_000;
  let state = _state(service);
  while (state !== want && Date.now() < until && !signal.aborted) {
    if (state !== 2 && state !== 3 && state !== 5 && state !== 6) break; // not on its way
    await new Promise((r) => setTimeout(r, 200));
    state = _state(service);
  }
  return state;
}

/** Starts, stops or restarts service `name` and waits (≤ 30 s) for it to get there. */
export async function serviceAction(
  name: string,
  action: "start" | "stop" | "restart",
  signal: AbortSignal,
): Promise<{ ok: true; active: string } | { ok: false; reason: string }> {
  const { advapi32, kernel32 } = win32();
  let scm;
  try {
    scm = _scm();
  } catch (error) {
    return { ok: false, reason: String(error).slice(0, 500) };
  }
  try {
    const service = advapi32.OpenServiceW(
      scm,
      wide(name),
      SERVICE_START | SERVICE_STOP | SERVICE_QUERY_STATUS,
    );
    if (service === null) {
      const error = kernel32.GetLastError();
      return { ok: false, reason: serviceError(name, "OpenServiceW", error) };
    }
    try {
      if (action !== "start") {
        const status = new Uint8Array(28);
        if (!advapi32.ControlService(service, SERVICE_CONTROL_STOP, status)) {
          const error = kernel32.GetLastError();
          if (error !== ERROR_SERVICE_NOT_ACTIVE) {
            return { ok: false, reason: serviceError(name, "ControlService", error) };
          }
        }
        const state = await _settle(service, 1, signal);
        if (state !== 1) {
          return { ok: false, reason: `${name} did not stop (${STATES[state] ?? state})` };
        }
      }
      if (action !== "stop") {
        if (!advapi32.StartServiceW(service, 0, null)) {
          const error = kernel32.GetLastError();
          if (error !== ERROR_SERVICE_ALREADY_RUNNING) {
            return { ok: false, reason: serviceError(name, "StartServiceW", error) };
          }
        }
        await _settle(service, 4, signal);
      }
      return { ok: true, active: activeWord(_state(service)) };
    } finally {
      advapi32.CloseServiceHandle(service);
    }
  } finally {
    advapi32.CloseServiceHandle(scm);
  }
}
