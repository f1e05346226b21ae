/**
 * The agent as a real Windows service: `StartServiceCtrlDispatcherW` (called `nonblocking`,
 * so it waits on a thread of its own and the event loop keeps running) with a ServiceMain and
 * a control handler that are `Deno.UnsafeCallback.threadSafe` (Windows calls them on its own
 * threads; Deno runs them on the event loop while that thread waits). ServiceMain registers
 * the handler, says START_PENDING, starts the service's work and says RUNNING; STOP and
 * SHUTDOWN say STOP_PENDING and abort the work's signal (the service then leaves its session
 * and the server cleanly); when the work ends, STOPPED with its exit code, and the dispatcher
 * returns. A program not started by the Service Control Manager gets `null` (error 1063), so
 * the same command still runs from a console.
 */
import { serviceWin32, wide, win32Error } from "./windows_ffi.ts";

export const SERVICE_WIN32_OWN_PROCESS = 0x10;
export const SERVICE_STOPPED = 1;
export const SERVICE_START_PENDING = 2;
export const SERVICE_STOP_PENDING = 3;
export const SERVICE_RUNNING = 4;
const SERVICE_ACCEPT_STOP = 0x1;
const SERVICE_ACCEPT_SHUTDOWN = 0x4;
export const SERVICE_CONTROL_STOP = 1;
export const SERVICE_CONTROL_INTERROGATE = 4;
export const SERVICE_CONTROL_SHUTDOWN = 5;
const NO_ERROR = 0;
const ERROR_CALL_NOT_IMPLEMENTED = 120;
const ERROR_SERVICE_SPECIFIC_ERROR = 1066;
const ERROR_FAILED_SERVICE_CONTROLLER_CONNECT = 1063;

/** A SERVICE_STATUS (7 DWORDs) as the Service Control Manager reads it. */
export function serviceStatus(
  state: number,
  options: { exitCode?: number; checkPoint?: number; waitHintMs?: number } = {},
): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(28);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, SERVICE_WIN32_OWN_PROCESS, true);
  view.setUint32(4, state, true);
  // Pending states accept no controls; a running service takes stop and shutdown.
  view.setUint32(
    8,
    state === SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0,
    true,
  );
  const code = options.exitCode ?? 0;
  view.setUint32(12, code === 0 ? NO_ERROR : ERROR_SERVICE_SPECIFIC_ERROR, true);
  view.setUint32(16, code, true);
  view.setUint32(20, options.checkPoint ?? 0, true);
  view.setUint32(24, options.waitHintMs ?? 0, true);
  return bytes;
}

/** The handler's answer to a control: what it does and what it returns to Windows. */
export function controlAction(control: number): { stop: boolean; result: number } {
  if (control === SERVICE_CONTROL_STOP || control === SERVICE_CONTROL_SHUTDOWN) {
    return { stop: true, result: NO_ERROR };
  }
  if (control === SERVICE_CONTROL_INTERROGATE) return { stop: false, result: NO_ERROR };
  return { stop: false, result: ERROR_CALL_NOT_IMPLEMENTED };
}

/**
 * Runs `work` as the service `name` under the Service Control Manager; resolves with its exit
 * code once Windows has been told STOPPED, or null when this process is not a service.
 */
export async function runAsWindowsService(
  name: string,
  work: (signal: AbortSignal) => Promise<number>,
  log: (line: string) => void,
): Promise<number | null> {
  const { advapi, kernel } = serviceWin32();
  const stopping = new AbortController();
  let handle: Deno.PointerValue = null;
  let checkPoint = 0;
  let exitCode = 0;
  /** The work, once ServiceMain has started it. */
  let running: Promise<void> | null = null;
  const say = (state: number, extra: { exitCode?: number; waitHintMs?: number } = {}) => {
    if (!handle) return;
    const pending = state === SERVICE_START_PENDING || state === SERVICE_STOP_PENDING;
    const status = serviceStatus(state, { ...extra, checkPoint: pending ? ++checkPoint : 0 });
    if (!advapi.SetServiceStatus(handle, status)) {
      log(win32Error("SetServiceStatus", kernel.GetLastError()));
    }
  };
  const handler = Deno.UnsafeCallback.threadSafe(
    { parameters: ["u32", "u32", "pointer", "pointer"], result: "u32" } as const,
    (control) => {
      const action = controlAction(control);
      if (action.stop && !stopping.signal.aborted) {
        log(control === SERVICE_CONTROL_SHUTDOWN ? "Windows is shutting down" : "stop asked");
        say(SERVICE_STOP_PENDING, { waitHintMs: 15_000 });
        stopping.abort();
      }
      return action.result;
    },
  );
  const serviceName = wide(name);
  const main = Deno.UnsafeCallback.threadSafe(
    { parameters: ["u32", "pointer"], result: "void" } as const,
    () => {
      handle = advapi.RegisterServiceCtrlHandlerExW(serviceName, handler.pointer, null);
      if (!handle) {
        log(win32Error("RegisterServiceCtrlHandlerExW", kernel.GetLastError()));
        return;
      }
      say(SERVICE_START_PENDING, { waitHintMs: 10_000 });
      running = work(stopping.signal).then(
        (code) => code,
        (error) => {
          log(`the service failed: ${error instanceof Error ? error.message : error}`);
          return 1;
        },
      ).then((code) => {
        exitCode = code;
        say(SERVICE_STOPPED, { exitCode: code });
      });
      say(SERVICE_RUNNING);
    },
  );
  // SERVICE_TABLE_ENTRYW[2]: { name, ServiceMain } and the terminating { NULL, NULL }.
  const table = new BigUint64Array(4);
  table[0] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(serviceName)));
  table[1] = BigInt(Deno.UnsafePointer.value(main.pointer));
  try {
    // Its thread's last error is not this thread's: a refusal is taken as error 1063 (not
    // started by the Service Control Manager), the only one a well-formed table gets.
    const ok = await advapi.StartServiceCtrlDispatcherW(new Uint8Array(table.buffer));
    if (!ok && !running) {
      log(win32Error("StartServiceCtrlDispatcherW", ERROR_FAILED_SERVICE_CONTROLLER_CONNECT));
      return null;
    }
    // The dispatcher may return before the work is done (Wine's, when its prefix shuts down):
    // the work is told to stop and its end awaited, never started a second time.
    if (!stopping.signal.aborted) stopping.abort();
    await running;
    return exitCode;
  } finally {
    main.close();
    handler.close();
  }
}
