/**
 * The Win32 calls system information makes on Windows (`Deno.dlopen` of kernel32, advapi32 and
 * ntdll), and the helpers to pass UTF-16 strings and read the structures back. Layouts are x64
 * (LLP64: pointers and handles 8 bytes, `long` and DWORD 4). The psapi functions are taken from
 * kernel32 under their `K32` names (there since Windows 7), so psapi.dll is not needed.
 */

const KERNEL32 = {
  GetLastError: { parameters: [], result: "u32" },
  CloseHandle: { parameters: ["pointer"], result: "i32" },
  GetTickCount64: { parameters: [], result: "u64" },
  /** (FILETIME* idle, FILETIME* kernel, FILETIME* user) */
  GetSystemTimes: { parameters: ["buffer", "buffer", "buffer"], result: "i32" },
  /** (SYSTEM_INFO*) */
  GetNativeSystemInfo: { parameters: ["buffer"], result: "void" },
  /** (MEMORYSTATUSEX*) */
  GlobalMemoryStatusEx: { parameters: ["buffer"], result: "i32" },
  /** (format, buffer, size*): ComputerNameDnsHostname = 1 */
  GetComputerNameExW: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  GetLogicalDriveStringsW: { parameters: ["u32", "buffer"], result: "u32" },
  GetDriveTypeW: { parameters: ["buffer"], result: "u32" },
  /**
   * (root, name, nameSize, serial*, maxComponent*, flags*, fsName, fsNameSize). On a thread of
   * its own, as the next: a mapped network drive whose server is gone can take many seconds.
   */
  GetVolumeInformationW: {
    parameters: ["buffer", "buffer", "u32", "buffer", "buffer", "buffer", "buffer", "u32"],
    result: "i32",
    nonblocking: true,
  },
  /** (root, availableToCaller*, total*, totalFree*) */
  GetDiskFreeSpaceExW: {
    parameters: ["buffer", "buffer", "buffer", "buffer"],
    result: "i32",
    nonblocking: true,
  },
  SetErrorMode: { parameters: ["u32"], result: "u32" },
  CreateToolhelp32Snapshot: { parameters: ["u32", "u32"], result: "pointer" },
  Process32FirstW: { parameters: ["pointer", "buffer"], result: "i32" },
  Process32NextW: { parameters: ["pointer", "buffer"], result: "i32" },
  OpenProcess: { parameters: ["u32", "i32", "u32"], result: "pointer" },
  /** (process, creation*, exit*, kernel*, user*) */
  GetProcessTimes: {
    parameters: ["pointer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  /** (process, PROCESS_MEMORY_COUNTERS*, cb) */
  K32GetProcessMemoryInfo: { parameters: ["pointer", "buffer", "u32"], result: "i32" },
  /** (process, flags, buffer, size*) */
  QueryFullProcessImageNameW: {
    parameters: ["pointer", "u32", "buffer", "buffer"],
    result: "i32",
  },
  GetExitCodeProcess: { parameters: ["pointer", "buffer"], result: "i32" },
  TerminateProcess: { parameters: ["pointer", "u32"], result: "i32" },
  GetCurrentProcess: { parameters: [], result: "pointer" },
  /** (file, NULL, flags): a message DLL as data, nothing of it run */
  LoadLibraryExW: { parameters: ["buffer", "pointer", "u32"], result: "pointer" },
  FreeLibrary: { parameters: ["pointer"], result: "i32" },
  /** (flags, module, id, language, buffer, size in characters, arguments) */
  FormatMessageW: {
    parameters: ["u32", "pointer", "u32", "u32", "buffer", "u32", "buffer"],
    result: "u32",
  },
  ExpandEnvironmentStringsW: { parameters: ["buffer", "buffer", "u32"], result: "u32" },
} as const satisfies Deno.ForeignLibraryInterface;

const ADVAPI32 = {
  RegOpenKeyExW: {
    parameters: ["pointer", "buffer", "u32", "u32", "buffer"],
    result: "i32",
  },
  RegCloseKey: { parameters: ["pointer"], result: "i32" },
  /** (key, name, reserved, type*, data, size*) */
  RegQueryValueExW: {
    parameters: ["pointer", "buffer", "pointer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  /** (key, index, name, nameSize*, reserved, class, classSize*, lastWrite*) */
  RegEnumKeyExW: {
    parameters: ["pointer", "u32", "buffer", "buffer", "pointer", "pointer", "pointer", "pointer"],
    result: "i32",
  },
  /** (key, index, name, nameSize*, reserved, type*, data, dataSize*) */
  RegEnumValueW: {
    parameters: ["pointer", "u32", "buffer", "buffer", "pointer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  GetUserNameW: { parameters: ["buffer", "buffer"], result: "i32" },
  OpenProcessToken: { parameters: ["pointer", "u32", "buffer"], result: "i32" },
  /** (token, class, buffer, size, returned*) */
  GetTokenInformation: {
    parameters: ["pointer", "i32", "buffer", "u32", "buffer"],
    result: "i32",
  },
  /** (system, sid, name, nameSize*, domain, domainSize*, use*) */
  LookupAccountSidW: {
    parameters: ["pointer", "pointer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  /** (sid) → SubAuthorityCount's address */
  GetSidSubAuthorityCount: { parameters: ["pointer"], result: "pointer" },
  GetSidSubAuthority: { parameters: ["pointer", "u32"], result: "pointer" },
  /** (token or NULL, sid, isMember*) */
  CheckTokenMembership: { parameters: ["pointer", "buffer", "buffer"], result: "i32" },
  /** (type, sid, size*) */
  CreateWellKnownSid: { parameters: ["i32", "pointer", "buffer", "buffer"], result: "i32" },
  OpenSCManagerW: { parameters: ["pointer", "pointer", "u32"], result: "pointer" },
  OpenServiceW: { parameters: ["pointer", "buffer", "u32"], result: "pointer" },
  CloseServiceHandle: { parameters: ["pointer"], result: "i32" },
  /** (scm, infoLevel, type, state, buffer, size, needed*, returned*, resume*, group) */
  EnumServicesStatusExW: {
    parameters: [
      "pointer",
      "i32",
      "u32",
      "u32",
      "buffer",
      "u32",
      "buffer",
      "buffer",
      "buffer",
      "pointer",
    ],
    result: "i32",
  },
  /** (service, QUERY_SERVICE_CONFIGW*, size, needed*) */
  QueryServiceConfigW: { parameters: ["pointer", "buffer", "u32", "buffer"], result: "i32" },
  /** (service, SC_STATUS_PROCESS_INFO = 0, buffer, size, needed*) */
  QueryServiceStatusEx: {
    parameters: ["pointer", "i32", "buffer", "u32", "buffer"],
    result: "i32",
  },
  StartServiceW: { parameters: ["pointer", "u32", "pointer"], result: "i32" },
  ControlService: { parameters: ["pointer", "u32", "buffer"], result: "i32" },
  OpenEventLogW: { parameters: ["pointer", "buffer"], result: "pointer" },
  CloseEventLog: { parameters: ["pointer"], result: "i32" },
  /** (log, flags, offset, buffer, size, read*, needed*) */
  ReadEventLogW: {
    parameters: ["pointer", "u32", "u32", "buffer", "u32", "buffer", "buffer"],
    result: "i32",
  },
  GetNumberOfEventLogRecords: { parameters: ["pointer", "buffer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

const NTDLL = {
  /** (RTL_OSVERSIONINFOW*): the true version, whatever the program's manifest says. */
  RtlGetVersion: { parameters: ["buffer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

const WTSAPI32 = {
  /** (server, reserved, version, WTS_SESSION_INFOW** out, count*) */
  WTSEnumerateSessionsW: {
    parameters: ["pointer", "u32", "u32", "buffer", "buffer"],
    result: "i32",
  },
  /** (server, session, WTS_INFO_CLASS, LPWSTR* out, bytes*) */
  WTSQuerySessionInformationW: {
    parameters: ["pointer", "u32", "i32", "buffer", "buffer"],
    result: "i32",
  },
  WTSFreeMemory: { parameters: ["pointer"], result: "void" },
} as const satisfies Deno.ForeignLibraryInterface;

export interface Win32System {
  kernel32: Deno.DynamicLibrary<typeof KERNEL32>["symbols"];
  advapi32: Deno.DynamicLibrary<typeof ADVAPI32>["symbols"];
  ntdll: Deno.DynamicLibrary<typeof NTDLL>["symbols"];
  /** Terminal Services (logged-on sessions); undefined where the DLL is missing. */
  wtsapi32: Deno.DynamicLibrary<typeof WTSAPI32>["symbols"] | undefined;
}

let _win: Win32System | undefined;

/** The libraries, opened once (they stay loaded for the agent's life, like the OS's own). */
export function win32(): Win32System {
  if (_win) return _win;
  try {
    _win = {
      kernel32: Deno.dlopen("kernel32.dll", KERNEL32).symbols,
      advapi32: Deno.dlopen("advapi32.dll", ADVAPI32).symbols,
      ntdll: Deno.dlopen("ntdll.dll", NTDLL).symbols,
      wtsapi32: _optional("wtsapi32.dll", WTSAPI32),
    };
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
      throw new Error("System information on Windows needs --allow-ffi");
    }
    throw error;
  }
  return _win;
}

function _optional<T extends Deno.ForeignLibraryInterface>(name: string, symbols: T) {
  try {
    return Deno.dlopen(name, symbols).symbols;
  } catch {
    return undefined;
  }
}

/** A NUL-terminated UTF-16 string at a pointer the system handed out (read unit by unit). */
export function readWideAt(pointer: Deno.PointerObject | null, maxChars = 1024): string {
  if (pointer === null) return "";
  const view = new Deno.UnsafePointerView(pointer);
  const units: number[] = [];
  for (let i = 0; i < maxChars; i++) {
    const unit = view.getUint16(i * 2);
    if (unit === 0) break;
    units.push(unit);
  }
  return String.fromCharCode(...units);
}

/** A JavaScript string as a NUL-terminated UTF-16LE buffer. */
export function wide(text: string): Uint8Array {
  const out = new Uint8Array((text.length + 1) * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < text.length; i++) view.setUint16(i * 2, text.charCodeAt(i), true);
  return out;
}

/** UTF-16LE from `at` up to the first NUL (or `maxChars`). */
export function readWide(bytes: Uint8Array, at = 0, maxChars = Infinity): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const units: number[] = [];
  for (let i = at; i + 1 < bytes.length && units.length < maxChars; i += 2) {
    const unit = view.getUint16(i, true);
    if (unit === 0) break;
    units.push(unit);
  }
  let out = "";
  for (let i = 0; i < units.length; i += 4096) {
    out += String.fromCharCode(...units.slice(i, i + 4096));
  }
  return out;
}

/** A list of NUL-terminated UTF-16 strings ending in an empty one (REG_MULTI_SZ, drive lists). */
export function readWideList(bytes: Uint8Array): string[] {
  const out: string[] = [];
  let at = 0;
  while (at + 1 < bytes.length) {
    const item = readWide(bytes, at);
    if (item === "") break;
    out.push(item);
    at += (item.length + 1) * 2;
  }
  return out;
}

/** 100-ns intervals since 1601-01-01 (FILETIME) → milliseconds since 1970. */
export function fileTimeMs(value: bigint): number {
  return Number(value / 10_000n) - 11_644_473_600_000;
}

/** A FILETIME's 8 bytes as one number of 100-ns intervals. */
export function u64(bytes: Uint8Array, at = 0): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(at, true);
}

export function u32(bytes: Uint8Array, at = 0): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(at, true);
}

/** The address of a buffer (to read pointers a call wrote into it as offsets). */
export function addressOf(bytes: Uint8Array): bigint {
  return BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(bytes)));
}

/** A pointer the call wrote at `at` in `bytes`, as an offset into `bytes` (-1 for NULL). */
export function innerOffset(bytes: Uint8Array, at: number): number {
  const pointer = u64(bytes, at);
  if (pointer === 0n) return -1;
  const offset = Number(pointer - addressOf(bytes));
  return offset >= 0 && offset < bytes.length ? offset : -1;
}

export const ERROR_ACCESS_DENIED = 5;
export const ERROR_INVALID_PARAMETER = 87;
export const ERROR_INSUFFICIENT_BUFFER = 122;
export const ERROR_MORE_DATA = 234;
export const ERROR_NO_MORE_ITEMS = 259;
export const ERROR_HANDLE_EOF = 38;
