/**
 * The Windows service's desktop: a service runs in session 0, which has no user's screen, so
 * for each unattended session it starts a helper — the same agent, `--service-session
 * <ticket>` — in the session at the console (`WTSGetActiveConsoleSessionId`), on its
 * interactive desktop `winsta0\default`. The helper runs with the service's own LocalSystem
 * token, duplicated and moved into that session (`DuplicateTokenEx`, `SetTokenInformation
 * (TokenSessionId)` — allowed to LocalSystem only — then `CreateProcessAsUserW`), as remote
 * support services do: so it can read the service's locked folder, and so input reaches
 * elevated windows. The ticket (the session's token, its id and the technician) is a file in
 * that folder, read and removed by the helper at once; a stop is a `<ticket>.stop` file the
 * helper looks for every second, after which it leaves the session and the server cleanly
 * (ended by force after 10 s). The helper writes its own log, `session.log`, in the folder.
 *
 * Not built: following the desktop to `winsta0\Winlogon` (the sign-in screen, UAC prompts)
 * while the session runs; a helper started while nobody is signed in lands on the sign-in
 * desktop only if Windows has switched input to it — the picture then freezes as for a support
 * app (screen.ts says the capture failed).
 */
import { join } from "node:path";
import { deviceId } from "../identity.ts";
import { FrameHalver } from "../media/scale.ts";
import { loadLibs } from "../media/vpx_ffi.ts";
import { desktopProblem, explainDesktopError, NoDesktop, openDesktop } from "../platform/mod.ts";
import { problemSaid } from "../platform/libraries.ts";
import { commandLine } from "../reboot/windows.ts";
import { randomId } from "../consent.ts";
import { agentCommand, readServiceConfig, type ServiceConfig } from "./installer.ts";
import type { JoinRequest } from "./service.ts";
import type { ServiceDesktop } from "./service_desktop.ts";
import { serviceSession } from "./service_session.ts";
import { readToolGrants } from "./tool_grants.ts";
import { fileLog } from "./file_log.ts";
import { serviceWin32, wide, win32Error } from "./windows_ffi.ts";

export const SESSION_LOG = "session.log";
/** The interactive desktop of a session's window station. */
export const USER_DESKTOP = "winsta0\\default";
const TOKEN_ALL_ACCESS = 0xF01FF;
const MAXIMUM_ALLOWED = 0x02000000;
const SECURITY_IMPERSONATION = 2;
const TOKEN_PRIMARY = 1;
const TOKEN_SESSION_ID = 12;
const CREATE_NO_WINDOW = 0x08000000;
const NO_SESSION = 0xFFFFFFFF;
const INFINITE = 0xFFFFFFFF;
const STOP_GRACE_MS = 10_000;

/** A started helper: its process id and session, and its end. */
export interface UserSessionProcess {
  pid: number;
  session: number;
  /** Resolves with the exit code when the process ends. */
  exited: Promise<number>;
  terminate(): void;
}

/** STARTUPINFOW (104 bytes on x64) naming the desktop; the desktop's string is kept alive. */
export function startupInfo(desktop: Uint8Array): Uint8Array<ArrayBuffer> {
  const info = new Uint8Array(104);
  const view = new DataView(info.buffer);
  view.setUint32(0, 104, true);
  view.setBigUint64(16, BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(desktop))), true);
  return info;
}

/**
 * Starts `command` in the console's session on `desktop` with this process's token moved
 * there (see above). Throws, with Windows' reason, when there is no console session or the
 * token cannot be moved (a process that is not LocalSystem).
 */
export function launchInUserSession(
  command: readonly string[],
  options: { desktop?: string; log: (line: string) => void },
): UserSessionProcess {
  const { advapi, kernel } = serviceWin32();
  const session = kernel.WTSGetActiveConsoleSessionId();
  if (session === NO_SESSION) throw new Error("Nobody's session is at the console now");
  const own = new BigUint64Array(1);
  if (!advapi.OpenProcessToken(kernel.GetCurrentProcess(), TOKEN_ALL_ACCESS, u8(own))) {
    throw new Error(win32Error("OpenProcessToken", kernel.GetLastError()));
  }
  const token = new BigUint64Array(1);
  try {
    if (
      !advapi.DuplicateTokenEx(
        ptr(own),
        MAXIMUM_ALLOWED,
        null,
        SECURITY_IMPERSONATION,
        TOKEN_PRIMARY,
        u8(token),
      )
    ) {
      throw new Error(win32Error("DuplicateTokenEx", kernel.GetLastError()));
    }
  } finally {
    kernel.CloseHandle(ptr(own));
  }
  try {
    if (
      !advapi.SetTokenInformation(ptr(token), TOKEN_SESSION_ID, u8(new Uint32Array([session])), 4)
    ) {
      throw new Error(win32Error("SetTokenInformation(TokenSessionId)", kernel.GetLastError()));
    }
    const desktop = wide(options.desktop ?? USER_DESKTOP);
    const info = startupInfo(desktop);
    const process = new Uint8Array(24);
    const line = wide(commandLine(command));
    if (
      !advapi.CreateProcessAsUserW(
        ptr(token),
        null,
        line,
        null,
        null,
        0,
        CREATE_NO_WINDOW,
        null, // the service's environment (its certificate trust)
        null,
        info,
        process,
      )
    ) {
      throw new Error(win32Error("CreateProcessAsUserW", kernel.GetLastError()));
    }
    const view = new DataView(process.buffer);
    const handle = Deno.UnsafePointer.create(view.getBigUint64(0, true));
    kernel.CloseHandle(Deno.UnsafePointer.create(view.getBigUint64(8, true)));
    const pid = view.getUint32(16, true);
    const where = new Uint32Array(1);
    kernel.ProcessIdToSessionId(pid, u8(where));
    options.log(
      `session helper ${pid} started in session ${where[0]} on ${options.desktop ?? USER_DESKTOP}`,
    );
    let closed = false;
    const exited = kernel.WaitForSingleObject(handle, INFINITE).then(() => {
      const code = new Uint32Array(1);
      kernel.GetExitCodeProcess(handle, u8(code));
      closed = true;
      kernel.CloseHandle(handle);
      return code[0];
    });
    return {
      pid,
      session: where[0],
      exited,
      terminate: () => {
        if (!closed) kernel.TerminateProcess(handle, 1);
      },
    };
  } finally {
    kernel.CloseHandle(ptr(token));
  }
}

/**
 * Starts the helper for `request` (the Windows service's join): the ticket written, the helper
 * launched; `end` asks it to leave, `done` says why it ended.
 */
export async function startSessionHelper(options: {
  config: ServiceConfig;
  configPath: string;
  request: JoinRequest;
  log: (line: string) => void;
  launch?: typeof launchInUserSession;
}) {
  const { config, request, log } = options;
  const ticket = join(config.stateDir, `session-${randomId(12)}.json`);
  await Deno.writeTextFile(
    ticket,
    JSON.stringify({
      sessionId: request.sessionId,
      token: request.token,
      technician: request.technician,
    }),
  );
  const command = [
    ...(config.command ?? agentCommand()),
    "--service-session",
    ticket,
    "--config",
    options.configPath,
  ];
  let helper: UserSessionProcess;
  try {
    helper = (options.launch ?? launchInUserSession)(command, { log });
  } catch (error) {
    await Deno.remove(ticket).catch(() => {});
    throw error;
  }
  let endReason: string | null = null;
  const done = helper.exited.then(async (code) => {
    await Deno.remove(ticket).catch(() => {});
    await Deno.remove(`${ticket}.stop`).catch(() => {});
    log(`session helper ${helper.pid} ended (exit code ${code})`);
    return endReason ?? (code === 0 ? "the session ended" : `the session helper failed (${code})`);
  });
  return {
    pid: helper.pid,
    done,
    end(reason: string) {
      if (endReason !== null) return;
      endReason = reason;
      Deno.writeTextFile(`${ticket}.stop`, reason).catch(() => {});
      const force = setTimeout(() => helper.terminate(), STOP_GRACE_MS);
      done.finally(() => clearTimeout(force));
    },
  };
}

/**
 * `agent --service-session <ticket> --config <service.json>`: the helper in the user's
 * session. Returns the exit code once the session has ended.
 */
export async function runSessionHelper(
  configPath: string,
  ticketPath: string,
  agentVersion: string,
): Promise<number> {
  const config = await readServiceConfig(configPath);
  const write = fileLog(join(config.stateDir, SESSION_LOG));
  const log = (line: string) => write(`[session] ${line}`);
  console.log = console.error = (...args: unknown[]) =>
    write(args.map((a) => typeof a === "string" ? a : Deno.inspect(a)).join(" "));
  const ticket = JSON.parse(await Deno.readTextFile(ticketPath)) as {
    sessionId: string;
    token: string;
    technician: string;
  };
  await Deno.remove(ticketPath).catch(() => {});
  const found = openUserDesktop(log);
  const tools = await readToolGrants(configPath);
  const { agent, connection } = serviceSession({
    config,
    token: ticket.token,
    deviceId: await deviceId(config.stateDir),
    agentVersion,
    found,
    tools,
    halver: FrameHalver.open(),
    log,
  });
  log(`joining session ${ticket.sessionId} for ${ticket.technician}`);
  connection.start();
  const watch = setInterval(async () => {
    const reason = await Deno.readTextFile(`${ticketPath}.stop`).catch(() => null);
    if (reason !== null) connection.end(reason.slice(0, 200) || "the service stopped", true);
  }, 1_000);
  const reason = await connection.done;
  clearInterval(watch);
  agent.end(reason);
  found.desktop.close();
  log(`session ${ticket.sessionId} ended: ${reason}`);
  return 0;
}

/** The desktop this process is on (the user's), opened with the encoder's libraries. */
function openUserDesktop(log: (line: string) => void): ServiceDesktop {
  try {
    const desktop = openDesktop({});
    loadLibs();
    return { desktop, display: USER_DESKTOP };
  } catch (error) {
    const why = explainDesktopError(error, USER_DESKTOP);
    log(why);
    return {
      desktop: new NoDesktop(),
      display: null,
      why,
      said: problemSaid(desktopProblem(error, USER_DESKTOP)),
    };
  }
}

function u8(array: BigUint64Array | Uint32Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(array.buffer as ArrayBuffer);
}

function ptr(cell: BigUint64Array): Deno.PointerValue {
  return Deno.UnsafePointer.create(cell[0]);
}
