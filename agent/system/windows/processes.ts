/**
 * The process list on Windows: a Toolhelp snapshot (CreateToolhelp32Snapshot,
 * Process32FirstW/NextW) for PID, parent, threads and name; each process's CPU time read twice
 * (GetProcessTimes) over a short interval for its share, working set
 * (K32GetProcessMemoryInfo), image path (QueryFullProcessImageNameW) and user (its token).
 * Ending one asks its windows to close (WM_CLOSE), or is TerminateProcess when forced.
 */
import type { ProcessRow } from "../../../protocol/system.ts";
import type { RunningProcess } from "../os.ts";
import { openToken, tokenUser } from "./accounts.ts";
import {
  ERROR_ACCESS_DENIED,
  ERROR_INVALID_PARAMETER,
  fileTimeMs,
  readWide,
  u32,
  u64,
  win32,
} from "./ffi.ts";

const TH32CS_SNAPPROCESS = 0x2;
/** sizeof(PROCESSENTRY32W) on x64. */
const ENTRY_SIZE = 568;
const PROCESS_TERMINATE = 0x0001;
const PROCESS_VM_READ = 0x0010;
const PROCESS_QUERY_INFORMATION = 0x0400;
const PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;
const INVALID_HANDLE = 0xFFFF_FFFF_FFFF_FFFFn;
const STILL_ACTIVE = 259;

export interface SnapshotEntry {
  pid: number;
  ppid: number;
  threads: number;
  name: string;
}

/** One PROCESSENTRY32W: PID at 8, threads at 28, parent at 32, szExeFile at 44. */
export function parseProcessEntry(entry: Uint8Array): SnapshotEntry {
  return {
    pid: u32(entry, 8),
    threads: u32(entry, 28),
    ppid: u32(entry, 32),
    name: readWide(entry, 44, 260),
  };
}

/** Every process in a Toolhelp snapshot. */
export function snapshotProcesses(): SnapshotEntry[] {
  const { kernel32 } = win32();
  const snap = kernel32.CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
  if (snap === null || BigInt(Deno.UnsafePointer.value(snap)) === INVALID_HANDLE) {
    throw new Error(`CreateToolhelp32Snapshot failed (error ${kernel32.GetLastError()})`);
  }
  const out: SnapshotEntry[] = [];
  try {
    const entry = new Uint8Array(ENTRY_SIZE);
    new DataView(entry.buffer).setUint32(0, ENTRY_SIZE, true);
    let ok = kernel32.Process32FirstW(snap, entry);
    while (ok && out.length < 100_000) {
      out.push(parseProcessEntry(entry));
      ok = kernel32.Process32NextW(snap, entry);
    }
  } finally {
    kernel32.CloseHandle(snap);
  }
  return out;
}

interface Times {
  createdMs: number;
  /** kernel + user, in 100-ns units */
  cpu: bigint;
}

function _open(pid: number, access: number): Deno.PointerValue {
  return win32().kernel32.OpenProcess(access, 0, pid);
}

function _times(handle: Deno.PointerValue): Times | undefined {
  const [created, exited, kernel, user] = [0, 1, 2, 3].map(() => new Uint8Array(8));
  if (!win32().kernel32.GetProcessTimes(handle, created, exited, kernel, user)) return undefined;
  return { createdMs: fileTimeMs(u64(created)), cpu: u64(kernel) + u64(user) };
}

function _readTimes(pids: number[]): Map<number, Times & { at: number }> {
  const out = new Map<number, Times & { at: number }>();
  for (const pid of pids) {
    const handle = _open(pid, PROCESS_QUERY_LIMITED_INFORMATION);
    if (handle === null) continue;
    try {
      const times = _times(handle);
      if (times) out.set(pid, { ...times, at: performance.now() });
    } finally {
      win32().kernel32.CloseHandle(handle);
    }
  }
  return out;
}

function _details(pid: number): { memoryBytes: number; image: string; user: string } {
  const { kernel32 } = win32();
  let handle = _open(pid, PROCESS_QUERY_INFORMATION | PROCESS_VM_READ);
  handle ??= _open(pid, PROCESS_QUERY_LIMITED_INFORMATION);
  if (handle === null) return { memoryBytes: 0, image: "", user: "" };
  try {
    // PROCESS_MEMORY_COUNTERS (72 bytes): WorkingSetSize at 16.
    const counters = new Uint8Array(72);
    const memoryBytes = kernel32.K32GetProcessMemoryInfo(handle, counters, 72)
      ? Number(u64(counters, 16))
      : 0;
    const path = new Uint8Array(32_768 * 2);
    const size = new Uint32Array([32_768]);
    const image = kernel32.QueryFullProcessImageNameW(
        handle,
        0,
        path,
        new Uint8Array(size.buffer),
      )
      ? readWide(path, 0, size[0])
      : "";
    let user = "";
    const token = openToken(handle);
    if (token) {
      user = tokenUser(token)?.name ?? "";
      kernel32.CloseHandle(token);
    }
    return { memoryBytes, image, user };
  } finally {
    kernel32.CloseHandle(handle);
  }
}

/** Every process, busiest first; CPU share measured over `sampleMs`. */
export async function listProcesses(sampleMs = 300): Promise<ProcessRow[]> {
  const entries = snapshotProcesses().filter((e) => e.pid !== 0);
  const first = _readTimes(entries.map((e) => e.pid));
  await new Promise((r) => setTimeout(r, sampleMs));
  const second = _readTimes([...first.keys()]);
  const rows: ProcessRow[] = [];
  for (const entry of entries) {
    const before = first.get(entry.pid);
    const after = second.get(entry.pid);
    // A process whose times cannot be read (the System process, other users' services when
    // not elevated) is listed with what the snapshot knows.
    const same = before && after && before.createdMs === after.createdMs;
    const seconds = same ? (after.at - before.at) / 1000 : 0;
    const used = same ? Number(after.cpu - before.cpu) / 1e7 : 0;
    const details = _details(entry.pid);
    rows.push({
      pid: entry.pid,
      ppid: entry.ppid,
      user: details.user.slice(0, 64),
      name: entry.name.slice(0, 64),
      command: (details.image || entry.name).slice(0, 1000),
      state: "",
      cpuPercent: seconds > 0 ? Math.round(Math.max(0, used / seconds) * 1000) / 10 : 0,
      cpuSeconds: after ? Number(after.cpu) / 1e7 : 0,
      memoryBytes: details.memoryBytes,
      threads: entry.threads,
      startedAt: after && after.createdMs > 0 ? new Date(after.createdMs).toISOString() : null,
    });
  }
  return rows.sort((a, b) => b.cpuPercent - a.cpuPercent || b.cpuSeconds - a.cpuSeconds);
}

/**
 * One running process: its name and creation time (a later process with the same PID differs);
 * "Z" once it has exited while someone still holds a handle to it.
 */
export function readProcess(pid: number): RunningProcess | undefined {
  const entry = snapshotProcesses().find((e) => e.pid === pid);
  if (!entry) return undefined;
  const { kernel32 } = win32();
  const handle = _open(pid, PROCESS_QUERY_LIMITED_INFORMATION);
  if (handle === null) return { pid, name: entry.name, startTicks: 0, state: "" };
  try {
    const times = _times(handle);
    const code = new Uint8Array(4);
    const exited = kernel32.GetExitCodeProcess(handle, code) && u32(code) !== STILL_ACTIVE;
    return { pid, name: entry.name, startTicks: times?.createdMs ?? 0, state: exited ? "Z" : "" };
  } finally {
    kernel32.CloseHandle(handle);
  }
}

const USER32 = {
  EnumWindows: { parameters: ["function", "isize"], result: "i32" },
  GetWindowThreadProcessId: { parameters: ["pointer", "buffer"], result: "u32" },
  IsWindowVisible: { parameters: ["pointer"], result: "i32" },
  PostMessageW: { parameters: ["pointer", "u32", "usize", "isize"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;
let _user32: Deno.DynamicLibrary<typeof USER32>["symbols"] | null | undefined;
const WM_CLOSE = 0x0010;

/**
 * Asks process `pid` to close as its own close button would: WM_CLOSE to each of its visible
 * top-level windows (a program with unsaved work may ask the user first). How many were asked;
 * 0 when it has none (a console or background program) or user32 is not there.
 */
export function closeWindows(pid: number): number {
  if (_user32 === undefined) {
    try {
      _user32 = Deno.dlopen("user32.dll", USER32).symbols;
    } catch {
      _user32 = null;
    }
  }
  const user32 = _user32;
  if (!user32) return 0;
  const owner = new Uint32Array(1);
  const windows: Deno.PointerValue[] = [];
  const callback = new Deno.UnsafeCallback(
    { parameters: ["pointer", "isize"], result: "i32" } as const,
    (hwnd) => {
      user32.GetWindowThreadProcessId(hwnd, new Uint8Array(owner.buffer));
      if (owner[0] === pid && user32.IsWindowVisible(hwnd)) windows.push(hwnd);
      return 1;
    },
  );
  try {
    user32.EnumWindows(callback.pointer, 0n);
  } finally {
    callback.close();
  }
  return windows.filter((hwnd) => user32.PostMessageW(hwnd, WM_CLOSE, 0n, 0n)).length;
}

/**
 * Ends a process: without `force` its windows are asked to close (WM_CLOSE, the nearest thing
 * to SIGTERM — the handler then waits and says when it is still running); with `force`, or
 * when it has no window, TerminateProcess. Throws PermissionDenied or NotFound as the
 * interface says.
 */
export function endProcess(pid: number, force: boolean): void {
  if (!force) {
    readProcess(pid) ?? _throwNotFound(pid);
    if (closeWindows(pid) > 0) return;
  }
  terminateProcess(pid);
}

function _throwNotFound(pid: number): never {
  throw new Deno.errors.NotFound(`No process ${pid}`);
}

/** TerminateProcess; PermissionDenied or NotFound as the interface says. */
export function terminateProcess(pid: number): void {
  const { kernel32 } = win32();
  const handle = _open(pid, PROCESS_TERMINATE | PROCESS_QUERY_LIMITED_INFORMATION);
  if (handle === null) {
    const error = kernel32.GetLastError();
    if (error === ERROR_ACCESS_DENIED) {
      throw new Deno.errors.PermissionDenied(`Not allowed to end process ${pid}`);
    }
    if (error === ERROR_INVALID_PARAMETER) throw new Deno.errors.NotFound(`No process ${pid}`);
    throw new Error(`OpenProcess(${pid}) failed (error ${error})`);
  }
  try {
    if (!kernel32.TerminateProcess(handle, 1)) {
      const error = kernel32.GetLastError();
      if (error === ERROR_ACCESS_DENIED) {
        throw new Deno.errors.PermissionDenied(`Not allowed to end process ${pid}`);
      }
      throw new Error(`TerminateProcess(${pid}) failed (error ${error})`);
    }
  } finally {
    kernel32.CloseHandle(handle);
  }
}
