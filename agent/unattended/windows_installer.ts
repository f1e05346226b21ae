/**
 * The Windows side of `ServiceInstaller` (installer.ts): the agent registered with the Service
 * Control Manager (advapi32 `CreateServiceW`: its own process, started automatically at boot,
 * as LocalSystem; restarted 5 s after a failure, as systemd's `Restart=always` does) and
 * started at once. Its files — service.json, the device key, the sealing key, the customer's
 * encrypted credentials, its log — live in `%ProgramData%\RemoteSupport`, whose access list is
 * replaced by one that lets only SYSTEM and the Administrators in (`secureFolder`): a customer's
 * other accounts cannot read the device key. Installing needs an administrator: without one
 * the Service Control Manager refuses (error 5) and `available` is false with the reason.
 * The folder also gets the customer's own command (`remote-support.cmd`, local_command.ts) and a
 * copy of the app the service runs (settle.ts: the customer may delete the download).
 * Installed again while it runs (a newer app approved), the service is stopped and started, so
 * it runs the new copy at once. Uninstall stops the service and deletes it and that command;
 * the folder stays (the device's identity), as on Linux.
 */
import { join } from "node:path";
import { commandLine } from "../reboot/windows.ts";
import { WINDOWS_COMMAND_FILE, windowsCommandScript } from "./local_command.ts";
import { pruneApps, settleApp } from "./settle.ts";
import {
  SERVICE_CONFIG_FILE,
  SERVICE_NAME,
  type ServiceConfig,
  type ServiceInstaller,
  type ServiceSpec,
} from "./installer.ts";
import { pointerIn, readWide, serviceWin32, wide, win32Error } from "./windows_ffi.ts";

export const SERVICE_DISPLAY_NAME = "Remote support agent (unattended access)";
export const SERVICE_DESCRIPTION =
  "Lets the technicians the customer approved connect to this computer with nobody present, " +
  "within the times the customer allowed. Remove it with Remote support's Revoke, or here.";
/** Only SYSTEM and the Administrators, inherited by everything inside, nothing from above. */
export const FOLDER_SDDL = "D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)";

const SC_MANAGER_CONNECT = 0x0001;
const SC_MANAGER_CREATE_SERVICE = 0x0002;
const SERVICE_ALL_ACCESS = 0xF01FF;
const SERVICE_WIN32_OWN_PROCESS = 0x10;
const SERVICE_AUTO_START = 2;
const SERVICE_ERROR_NORMAL = 1;
const SERVICE_NO_CHANGE = 0xFFFFFFFF;
const SERVICE_CONFIG_DESCRIPTION = 1;
const SERVICE_CONFIG_FAILURE_ACTIONS = 2;
const SC_ACTION_RESTART = 1;
const SERVICE_CONTROL_STOP = 1;
const ERROR_SERVICE_EXISTS = 1073;
const ERROR_SERVICE_DOES_NOT_EXIST = 1060;
const ERROR_SERVICE_ALREADY_RUNNING = 1056;
const ERROR_SERVICE_NOT_ACTIVE = 1062;
const SERVICE_STOPPED = 1;
/** How long a running service may take to stop when a reinstall restarts it. */
const STOP_WAIT_MS = 30_000;
const SE_FILE_OBJECT = 1;
const DACL_SECURITY_INFORMATION = 0x4;
const PROTECTED_DACL_SECURITY_INFORMATION = 0x80000000;
const SDDL_REVISION_1 = 1;
const REG_MULTI_SZ = 7;
/** HKEY_LOCAL_MACHINE, sign-extended as Windows' headers define it. */
const HKLM = 0xFFFFFFFF80000002n;

/** The service's folder: `%ProgramData%\RemoteSupport`. */
export function windowsServiceDir(
  get: (name: string) => string | undefined = (name) => Deno.env.get(name),
): string {
  return `${(get("ProgramData") || get("ALLUSERSPROFILE") || "C:\\ProgramData")}\\RemoteSupport`;
}

/** The command line the Service Control Manager runs (its `binPath`). */
export function serviceCommandLine(command: readonly string[], configPath: string): string {
  return commandLine([...command, "--service", "--config", configPath]);
}

/** The service's Environment value: NUL-separated `NAME=value` strings, ended by two NULs. */
export function environmentBlock(env: Record<string, string>): Uint8Array<ArrayBuffer> {
  const text = Object.entries(env).map(([name, value]) => `${name}=${value}\0`).join("") + "\0";
  return wide(text).subarray(0, text.length * 2) as Uint8Array<ArrayBuffer>;
}

/** Replaces `path`'s access list with `sddl`'s (protected: nothing inherited from above). */
export function secureFolder(path: string, sddl = FOLDER_SDDL): void {
  const { advapi, kernel } = serviceWin32();
  const descriptor = new BigUint64Array(1);
  if (
    !advapi.ConvertStringSecurityDescriptorToSecurityDescriptorW(
      wide(sddl),
      SDDL_REVISION_1,
      new Uint8Array(descriptor.buffer),
      null,
    )
  ) {
    throw new Error(
      win32Error("ConvertStringSecurityDescriptorToSecurityDescriptorW", kernel.GetLastError()),
    );
  }
  try {
    const present = new Uint32Array(1), defaulted = new Uint32Array(1);
    const dacl = new BigUint64Array(1);
    advapi.GetSecurityDescriptorDacl(
      pointerIn(descriptor),
      new Uint8Array(present.buffer),
      new Uint8Array(dacl.buffer),
      new Uint8Array(defaulted.buffer),
    );
    const error = advapi.SetNamedSecurityInfoW(
      wide(path),
      SE_FILE_OBJECT,
      (DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION) >>> 0,
      null,
      null,
      pointerIn(dacl),
      null,
    );
    if (error !== 0) throw new Error(win32Error(`SetNamedSecurityInfoW(${path})`, error));
  } finally {
    kernel.LocalFree(pointerIn(descriptor));
  }
}

/** `path`'s access list as SDDL (what `secureFolder` set, read back). */
export function folderSddl(path: string): string {
  const { advapi, kernel } = serviceWin32();
  const descriptor = new BigUint64Array(1);
  const error = advapi.GetNamedSecurityInfoW(
    wide(path),
    SE_FILE_OBJECT,
    DACL_SECURITY_INFORMATION,
    null,
    null,
    null,
    null,
    new Uint8Array(descriptor.buffer),
  );
  if (error !== 0) throw new Error(win32Error(`GetNamedSecurityInfoW(${path})`, error));
  const text = new BigUint64Array(1);
  try {
    if (
      !advapi.ConvertSecurityDescriptorToStringSecurityDescriptorW(
        pointerIn(descriptor),
        SDDL_REVISION_1,
        DACL_SECURITY_INFORMATION,
        new Uint8Array(text.buffer),
        null,
      )
    ) {
      throw new Error(
        win32Error("ConvertSecurityDescriptorToStringSecurityDescriptorW", kernel.GetLastError()),
      );
    }
    return readWide(pointerIn(text) as Deno.PointerObject);
  } finally {
    kernel.LocalFree(pointerIn(text));
    kernel.LocalFree(pointerIn(descriptor));
  }
}

/** Whether this process may create services (an elevated administrator); if not, why. */
export function serviceManagerAccess(): string | null {
  const { advapi, kernel } = serviceWin32();
  const scm = advapi.OpenSCManagerW(null, null, SC_MANAGER_CONNECT | SC_MANAGER_CREATE_SERVICE);
  if (!scm) return win32Error("OpenSCManagerW", kernel.GetLastError());
  advapi.CloseServiceHandle(scm);
  return null;
}

export class WindowsServiceInstaller implements ServiceInstaller {
  readonly os = "windows";
  #probed: string | null | undefined;

  constructor(readonly dir: string = windowsServiceDir()) {}

  /** Asked of the Service Control Manager once: may this process create services? */
  get unavailable(): string | null {
    if (this.#probed === undefined) {
      try {
        this.#probed = serviceManagerAccess();
      } catch (error) {
        this.#probed = error instanceof Error ? error.message : String(error);
      }
    }
    return this.#probed;
  }

  get available(): boolean {
    return this.unavailable === null;
  }

  /** The folder made (if need be) and locked to SYSTEM and the Administrators. */
  async prepareFolder(): Promise<void> {
    await Deno.mkdir(this.dir, { recursive: true });
    secureFolder(this.dir);
  }

  async install(given: ServiceSpec): Promise<string> {
    if (this.unavailable) throw new Error(this.unavailable);
    await this.prepareFolder();
    // The app runs from a copy in the service's folder, not from the customer's download.
    const app = await settleApp(given.command, this.dir, given.trust);
    const spec = { ...given, command: app.command, trust: app.trust };
    const configPath = join(this.dir, SERVICE_CONFIG_FILE);
    const config: ServiceConfig = {
      server: spec.server,
      stateDir: this.dir,
      command: spec.command,
      ...(spec.tools ? { tools: spec.tools } : {}),
    };
    await Deno.writeTextFile(configPath, JSON.stringify(config, null, 2) + "\n");
    // The customer's own command, which the consent question named (local_command.ts).
    await Deno.writeTextFile(
      join(this.dir, WINDOWS_COMMAND_FILE),
      windowsCommandScript(spec.command, configPath, spec.trust),
    );
    const { advapi, kernel } = serviceWin32();
    const scm = advapi.OpenSCManagerW(null, null, SC_MANAGER_CONNECT | SC_MANAGER_CREATE_SERVICE);
    if (!scm) throw new Error(win32Error("OpenSCManagerW", kernel.GetLastError()));
    try {
      const binPath = wide(serviceCommandLine(spec.command, configPath));
      let service = advapi.CreateServiceW(
        scm,
        wide(SERVICE_NAME),
        wide(SERVICE_DISPLAY_NAME),
        SERVICE_ALL_ACCESS,
        SERVICE_WIN32_OWN_PROCESS,
        SERVICE_AUTO_START,
        SERVICE_ERROR_NORMAL,
        binPath,
        null,
        null,
        null,
        null, // LocalSystem
        null,
      );
      const existed = !service;
      if (!service) {
        const error = kernel.GetLastError();
        if (error !== ERROR_SERVICE_EXISTS) throw new Error(win32Error("CreateServiceW", error));
        // Installed before (a new approval): the same service, its command brought up to date.
        service = advapi.OpenServiceW(scm, wide(SERVICE_NAME), SERVICE_ALL_ACCESS);
        if (!service) throw new Error(win32Error("OpenServiceW", kernel.GetLastError()));
        if (
          !advapi.ChangeServiceConfigW(
            service,
            SERVICE_WIN32_OWN_PROCESS,
            SERVICE_AUTO_START,
            SERVICE_NO_CHANGE,
            binPath,
            null,
            null,
            null,
            null,
            null,
            wide(SERVICE_DISPLAY_NAME),
          )
        ) {
          const error = kernel.GetLastError();
          advapi.CloseServiceHandle(service);
          throw new Error(win32Error("ChangeServiceConfigW", error));
        }
      }
      try {
        this.#describe(service);
        this.#environment(spec.trust ?? {});
        // Installed before and running (a newer app approved, another server): it reads its
        // command, config and trust only when it starts, so it is stopped and started again —
        // as systemctl restart does on Linux.
        if (existed) await this.#stopped(service);
        if (!advapi.StartServiceW(service, 0, null)) {
          const error = kernel.GetLastError();
          if (error !== ERROR_SERVICE_ALREADY_RUNNING) {
            // A service that cannot start is not left behind to fail at every boot.
            advapi.DeleteService(service);
            throw new Error(win32Error("StartServiceW", error));
          }
        }
      } finally {
        advapi.CloseServiceHandle(service);
      }
    } finally {
      advapi.CloseServiceHandle(scm);
    }
    // The copy the service ran before is no longer held open now (settle.ts).
    if (app.dir) await pruneApps(this.dir, app.dir);
    return `${SERVICE_NAME} (Windows service; ${configPath})`;
  }

  /**
   * Stops `service` if it runs and waits until the Service Control Manager says STOPPED (a
   * service stops its session helper and leaves the server first; STOP_WAIT_MS at most).
   */
  async #stopped(service: Deno.PointerValue): Promise<void> {
    const { advapi, kernel } = serviceWin32();
    if (!advapi.ControlService(service, SERVICE_CONTROL_STOP, new Uint8Array(28))) {
      const error = kernel.GetLastError();
      if (error === ERROR_SERVICE_NOT_ACTIVE) return;
      throw new Error(win32Error("ControlService", error));
    }
    const status = new Uint8Array(28);
    const view = new DataView(status.buffer);
    for (const until = Date.now() + STOP_WAIT_MS; Date.now() < until;) {
      if (!advapi.QueryServiceStatus(service, status)) {
        throw new Error(win32Error("QueryServiceStatus", kernel.GetLastError()));
      }
      // SERVICE_STATUS: dwServiceType, then dwCurrentState.
      if (view.getUint32(4, true) === SERVICE_STOPPED) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(
      `the running service did not stop within ${STOP_WAIT_MS / 1000} s to take the new version`,
    );
  }

  async uninstall(): Promise<void> {
    const { advapi, kernel } = serviceWin32();
    const scm = advapi.OpenSCManagerW(null, null, SC_MANAGER_CONNECT);
    if (!scm) throw new Error(win32Error("OpenSCManagerW", kernel.GetLastError()));
    try {
      const service = advapi.OpenServiceW(scm, wide(SERVICE_NAME), SERVICE_ALL_ACCESS);
      if (!service) {
        const error = kernel.GetLastError();
        if (error === ERROR_SERVICE_DOES_NOT_EXIST) return;
        throw new Error(win32Error("OpenServiceW", error));
      }
      try {
        if (!advapi.ControlService(service, SERVICE_CONTROL_STOP, new Uint8Array(28))) {
          const error = kernel.GetLastError();
          if (error !== ERROR_SERVICE_NOT_ACTIVE) {
            throw new Error(win32Error("ControlService", error));
          }
        }
        if (!advapi.DeleteService(service)) {
          throw new Error(win32Error("DeleteService", kernel.GetLastError()));
        }
      } finally {
        advapi.CloseServiceHandle(service);
      }
    } finally {
      advapi.CloseServiceHandle(scm);
    }
    await Deno.remove(join(this.dir, WINDOWS_COMMAND_FILE)).catch(() => {});
    // The app's copies (settle.ts); one still held open a moment after the stop stays.
    await pruneApps(this.dir, null);
  }

  /** Its description, and a restart 5 s after each failure (the count reset after a day). */
  #describe(service: Deno.PointerValue) {
    const { advapi, kernel } = serviceWin32();
    const text = wide(SERVICE_DESCRIPTION);
    const description = new BigUint64Array([
      BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(text))),
    ]);
    if (
      !advapi.ChangeServiceConfig2W(
        service,
        SERVICE_CONFIG_DESCRIPTION,
        new Uint8Array(description.buffer),
      )
    ) {
      throw new Error(win32Error("ChangeServiceConfig2W(description)", kernel.GetLastError()));
    }
    const actions = new Uint32Array([SC_ACTION_RESTART, 5_000, SC_ACTION_RESTART, 5_000]);
    const failure = new ArrayBuffer(40);
    const view = new DataView(failure);
    view.setUint32(0, 86_400, true); // dwResetPeriod (s)
    view.setUint32(24, 2, true); // cActions
    view.setBigUint64(
      32,
      BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(actions))),
      true,
    );
    if (
      !advapi.ChangeServiceConfig2W(
        service,
        SERVICE_CONFIG_FAILURE_ACTIONS,
        new Uint8Array(failure),
      )
    ) {
      throw new Error(win32Error("ChangeServiceConfig2W(failure actions)", kernel.GetLastError()));
    }
  }

  /** The service's environment: the installing app's certificate trust, no update check. */
  #environment(trust: NonNullable<ServiceSpec["trust"]>) {
    const { advapi } = serviceWin32();
    const block = environmentBlock({ DENO_NO_UPDATE_CHECK: "1", ...trust });
    const error = advapi.RegSetKeyValueW(
      Deno.UnsafePointer.create(HKLM),
      wide(`SYSTEM\\CurrentControlSet\\Services\\${SERVICE_NAME}`),
      wide("Environment"),
      REG_MULTI_SZ,
      block,
      block.byteLength,
    );
    if (error !== 0) throw new Error(win32Error("RegSetKeyValueW(Environment)", error));
  }
}
