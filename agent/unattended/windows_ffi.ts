/**
 * The Win32 calls of the Windows service (`Deno.dlopen` of advapi32, kernel32 and wtsapi32): the Service Control Manager (install, remove, start, stop), the service's own
 * dispatcher and status, the folder's access list, and starting the session helper in the
 * signed-in user's session. Layouts are x64 (LLP64). Opened once per process, on first use.
 */

const ADVAPI32 = {
  OpenSCManagerW: { parameters: ["pointer", "pointer", "u32"], result: "pointer" },
  /** (scm, name, display, access, type, start, errorControl, binPath, group, tag*, deps, user, password) */
  CreateServiceW: {
    parameters: [
      "pointer",
      "buffer",
      "buffer",
      "u32",
      "u32",
      "u32",
      "u32",
      "buffer",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
    ],
    result: "pointer",
  },
  OpenServiceW: { parameters: ["pointer", "buffer", "u32"], result: "pointer" },
  DeleteService: { parameters: ["pointer"], result: "i32" },
  /** (service, type, start, errorControl, binPath, group, tag*, deps, user, password, display) */
  ChangeServiceConfigW: {
    parameters: [
      "pointer",
      "u32",
      "u32",
      "u32",
      "buffer",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "buffer",
    ],
    result: "i32",
  },
  CloseServiceHandle: { parameters: ["pointer"], result: "i32" },
  StartServiceW: { parameters: ["pointer", "u32", "pointer"], result: "i32" },
  /** (service, control, SERVICE_STATUS*) */
  ControlService: { parameters: ["pointer", "u32", "buffer"], result: "i32" },
  QueryServiceStatus: { parameters: ["pointer", "buffer"], result: "i32" },
  /** (service, level, info*) */
  ChangeServiceConfig2W: { parameters: ["pointer", "u32", "buffer"], result: "i32" },
  /** (SERVICE_TABLE_ENTRYW*): returns when every service of the process has stopped. */
  StartServiceCtrlDispatcherW: { parameters: ["buffer"], result: "i32", nonblocking: true },
  /** (name, HANDLER_FUNCTION_EX, context) */
  RegisterServiceCtrlHandlerExW: {
    parameters: ["buffer", "function", "pointer"],
    result: "pointer",
  },
  SetServiceStatus: { parameters: ["pointer", "buffer"], result: "i32" },
  /** (key, subKey, value, type, data, size) */
  RegSetKeyValueW: {
    parameters: ["pointer", "buffer", "buffer", "u32", "buffer", "u32"],
    result: "i32",
  },
  /** (sddl, revision, SECURITY_DESCRIPTOR**, size*) */
  ConvertStringSecurityDescriptorToSecurityDescriptorW: {
    parameters: ["buffer", "u32", "buffer", "pointer"],
    result: "i32",
  },
  /** (SECURITY_DESCRIPTOR*, present*, DACL**, defaulted*) */
  GetSecurityDescriptorDacl: {
    parameters: ["pointer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  /** (name, SE_FILE_OBJECT, info, owner, group, dacl, sacl) */
  SetNamedSecurityInfoW: {
    parameters: ["buffer", "u32", "u32", "pointer", "pointer", "pointer", "pointer"],
    result: "u32",
  },
  /** (name, SE_FILE_OBJECT, info, owner**, group**, dacl**, sacl**, SECURITY_DESCRIPTOR**) */
  GetNamedSecurityInfoW: {
    parameters: ["buffer", "u32", "u32", "pointer", "pointer", "pointer", "pointer", "buffer"],
    result: "u32",
  },
  /** (SECURITY_DESCRIPTOR*, revision, info, sddl**, size*) */
  ConvertSecurityDescriptorToStringSecurityDescriptorW: {
    parameters: ["pointer", "u32", "u32", "buffer", "pointer"],
    result: "i32",
  },
  OpenProcessToken: { parameters: ["pointer", "u32", "buffer"], result: "i32" },
  /** (token, access, attributes, impersonation level, type, new token*) */
  DuplicateTokenEx: {
    parameters: ["pointer", "u32", "pointer", "i32", "i32", "buffer"],
    result: "i32",
  },
  /** (token, class, data, size) */
  SetTokenInformation: { parameters: ["pointer", "i32", "buffer", "u32"], result: "i32" },
  /**
   * (token, application, command line, process attrs, thread attrs, inherit, flags, environment,
   * directory, STARTUPINFOW*, PROCESS_INFORMATION*)
   */
  CreateProcessAsUserW: {
    parameters: [
      "pointer",
      "pointer",
      "buffer",
      "pointer",
      "pointer",
      "i32",
      "u32",
      "pointer",
      "buffer",
      "buffer",
      "buffer",
    ],
    result: "i32",
  },
} as const satisfies Deno.ForeignLibraryInterface;

const KERNEL32 = {
  GetLastError: { parameters: [], result: "u32" },
  CloseHandle: { parameters: ["pointer"], result: "i32" },
  LocalFree: { parameters: ["pointer"], result: "pointer" },
  GetCurrentProcess: { parameters: [], result: "pointer" },
  WTSGetActiveConsoleSessionId: { parameters: [], result: "u32" },
  /** (process, ms): on a thread of its own, so the event loop keeps running. */
  WaitForSingleObject: { parameters: ["pointer", "u32"], result: "u32", nonblocking: true },
  GetExitCodeProcess: { parameters: ["pointer", "buffer"], result: "i32" },
  TerminateProcess: { parameters: ["pointer", "u32"], result: "i32" },
  ProcessIdToSessionId: { parameters: ["u32", "buffer"], result: "i32" },
  GetCurrentProcessId: { parameters: [], result: "u32" },
} as const satisfies Deno.ForeignLibraryInterface;

const WTSAPI32 = {
  /** (session, token*): the signed-in user's token; only a LocalSystem service may ask. */
  WTSQueryUserToken: { parameters: ["u32", "buffer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

export interface ServiceWin32 {
  advapi: Deno.DynamicLibrary<typeof ADVAPI32>["symbols"];
  kernel: Deno.DynamicLibrary<typeof KERNEL32>["symbols"];
  wts: Deno.DynamicLibrary<typeof WTSAPI32>["symbols"];
}

let opened: ServiceWin32 | null = null;

/** The three DLLs, opened once for the life of the process (a service keeps them to the end). */
export function serviceWin32(): ServiceWin32 {
  opened ??= {
    advapi: Deno.dlopen("advapi32.dll", ADVAPI32).symbols,
    kernel: Deno.dlopen("kernel32.dll", KERNEL32).symbols,
    wts: Deno.dlopen("wtsapi32.dll", WTSAPI32).symbols,
  };
  return opened;
}

/** A NUL-terminated UTF-16 string for a `W` function. */
export function wide(text: string): Uint8Array<ArrayBuffer> {
  const out = new Uint16Array(text.length + 1);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return new Uint8Array(out.buffer);
}

/** The UTF-16 string a pointer points at (up to its NUL). */
export function readWide(pointer: Deno.PointerObject): string {
  const view = new Deno.UnsafePointerView(pointer);
  const units: number[] = [];
  for (let at = 0;; at += 2) {
    const unit = view.getUint16(at);
    if (unit === 0 || units.length > 65_535) break;
    units.push(unit);
  }
  return String.fromCharCode(...units);
}

/** A pointer-sized out-parameter's value as a pointer. */
export function pointerIn(cell: BigUint64Array): Deno.PointerValue {
  return Deno.UnsafePointer.create(cell[0]);
}

/** What a Win32 error number means, for the messages the installer and the service give. */
export function win32Error(call: string, error: number): string {
  const why: Record<number, string> = {
    2: "the file was not found",
    5: "access denied: this needs an administrator (run Remote support as administrator)",
    1053: "the service did not answer in time",
    1056: "the service is running already",
    1060: "the service is not installed",
    1062: "the service is not running",
    1063: "this program was not started by the Service Control Manager",
    1072: "the service is marked for deletion: close the Services window and try again",
    1073: "the service is installed already",
    1314: "a required privilege is not held: this needs the service's LocalSystem account",
  };
  return `${call} failed (error ${error}${why[error] ? `: ${why[error]}` : ""})`;
}
