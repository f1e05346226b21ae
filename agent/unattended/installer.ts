/**
 * Installing the agent to run without the customer: one interface (`ServiceInstaller`) per
 * OS. Linux: a systemd unit that starts at boot and runs `agent --service --config <file>`,
 * written under a root directory given to it (`/` on a real install; tests pass a temporary
 * root and run the unit's ExecStart themselves), and the customer's own `remote-support` command
 * (local_command.ts). The unit says in its own comments what it
 * shows before login: the X11 login screen, found by display_finder.ts (signing in on it is
 * not done, see os_login.ts). Windows: a Windows service (windows_installer.ts, which ports.ts
 * picks on Windows). macOS (a launchd job) is not built yet: its installer says so through the
 * same interface and installs nothing.
 */
import type { ApprovalTool } from "../../protocol/unattended_request.ts";
import { fileURLToPath } from "node:url";
import { AGENT_V8_FLAGS } from "../v8_flags.ts";
import { LINUX_COMMAND_PATH, linuxCommandScript } from "./local_command.ts";
import { settleApp } from "./settle.ts";

export const SERVICE_NAME = "rescue-agent";
/**
 * The service's exit when there is nothing for it to do here — unattended access was never set
 * up, or was removed (sysexits' EX_CONFIG): the unit neither restarts it nor calls it failed.
 */
export const EXIT_NOT_SET_UP = 78;
export const SERVICE_CONFIG_FILE = "service.json";

/** What the service reads at start (`--config`): where the server and its own files are. */
export interface ServiceConfig {
  server: string;
  /** The agent's config folder: device id and device key. */
  stateDir: string;
  /** The X display to share, when the OS has one (Linux). */
  display?: string;
  /**
   * What the customer's approval allows with nobody present (tool_grants.ts); absent: all of
   * `APPROVAL_TOOLS`. The customer may narrow it here too.
   */
  tools?: ApprovalTool[];
  /**
   * How this agent is started (`agentCommand`), kept by the Windows service to start its
   * helper in the signed-in user's session the same way (windows_session.ts).
   */
  command?: string[];
}

export interface ServiceSpec extends Omit<ServiceConfig, "command"> {
  /** How to start this agent: the program and its first arguments (see `agentCommand`). */
  command: string[];
  /**
   * Whom the service trusts for the server's certificate, as the installing app did (its
   * launcher's DENO_CERT — the package's ca.pem of a private CA — and DENO_TLS_CA_STORE).
   */
  trust?: { DENO_CERT?: string; DENO_TLS_CA_STORE?: string };
}

/** The certificate trust this agent runs with (`ServiceSpec.trust`), from its environment. */
export function trustEnvironment(
  get: (name: string) => string | undefined = (name) => Deno.env.get(name),
): NonNullable<ServiceSpec["trust"]> {
  const trust: NonNullable<ServiceSpec["trust"]> = {};
  for (const name of ["DENO_CERT", "DENO_TLS_CA_STORE"] as const) {
    const value = get(name);
    if (value) trust[name] = value;
  }
  return trust;
}

export interface ServiceInstaller {
  readonly os: "linux" | "windows" | "darwin";
  /** Whether this installer can install here; if not, `unavailable` says why. */
  readonly available: boolean;
  readonly unavailable: string | null;
  /** Writes the service config and the service; returns the service file's path. */
  install(spec: ServiceSpec): Promise<string>;
  /** Removes the service file (the config folder stays: it has the customer's device id). */
  uninstall(): Promise<void>;
}

/**
 * How this very agent is started: the compiled binary, or Deno with its entry point — the
 * script Deno runs (the package's agent.js, or agent/main.ts), else this checkout's main.ts
 * (tests). A file path in the OS's own form (`C:\…` on Windows).
 */
export function agentCommand(): string[] {
  const exec = Deno.execPath();
  if (!/(^|[\\/])deno(\.exe)?$/.test(exec)) return [exec];
  const main = /[\\/](agent\.js|main\.ts)$/.test(Deno.mainModule)
    ? new URL(Deno.mainModule)
    : new URL("../main.ts", import.meta.url);
  return [exec, "run", "--allow-all", AGENT_V8_FLAGS, fileURLToPath(main)];
}

/** One ExecStart word, quoted when it must be (systemd's own quoting rules). */
function _word(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `"${word.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

/** The systemd unit for `spec`. */
export function systemdUnit(spec: ServiceSpec, configPath: string): string {
  const exec = [...spec.command, "--service", "--config", configPath].map(_word).join(" ");
  return [
    "# Starts at boot, before anyone signs in, and waits for technicians (unattended access).",
    "# What it shows: the X display given at install (DISPLAY below) while it runs; else the",
    "# X server running now — before anyone signs in, the display manager's login screen — with",
    "# the X authority file named on that server's command line (-auth), which root can read.",
    "# A Wayland login screen has no X server to capture: the service's log says so.",
    "[Unit]",
    "Description=Remote support agent (unattended access)",
    "After=network-online.target",
    "Wants=network-online.target",
    "",
    "[Service]",
    "Type=simple",
    `ExecStart=${exec}`,
    ...(spec.display ? [`Environment=DISPLAY=${_word(spec.display)}`] : []),
    ...Object.entries(spec.trust ?? {}).map(([name, value]) =>
      `Environment=${name}=${_word(value)}`
    ),
    "Restart=always",
    "RestartSec=5",
    // Access removed or never set up: stopped for good, not restarted every 5 s to be refused.
    `RestartPreventExitStatus=${EXIT_NOT_SET_UP}`,
    `SuccessExitStatus=${EXIT_NOT_SET_UP}`,
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}

/** The ExecStart command of a unit as words (what systemd would run), for tests and status. */
export function unitCommand(unit: string): { argv: string[]; env: Record<string, string> } {
  const env: Record<string, string> = {};
  let exec = "";
  for (const line of unit.split("\n")) {
    if (line.startsWith("ExecStart=")) exec = line.slice("ExecStart=".length);
    const assignment = /^Environment=([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (assignment) env[assignment[1]] = _unquote(assignment[2]);
  }
  const argv: string[] = [];
  for (const match of exec.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) {
    argv.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, "$1") : match[2]);
  }
  return { argv, env };
}

function _unquote(text: string): string {
  return text.startsWith('"') ? text.slice(1, -1).replace(/\\(.)/g, "$1") : text;
}

/** Runs systemctl with `args` (throws with its stderr on failure). */
export type Systemctl = (args: string[]) => Promise<void>;

async function _systemctl(args: string[]): Promise<void> {
  const out = await new Deno.Command("systemctl", { args, stdout: "null", stderr: "piped" })
    .output();
  if (out.code !== 0) {
    throw new Error(`systemctl ${args.join(" ")}: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
}

export class SystemdInstaller implements ServiceInstaller {
  readonly os = "linux";
  readonly available = true;
  readonly unavailable = null;
  readonly #systemctl: Systemctl | null;

  /**
   * `root`: `/` on a customer's computer, where the unit is enabled and (re)started at once
   * (`systemctl daemon-reload`, `enable`, `restart`) and the app is copied to /opt (settle.ts); a
   * test's temporary root gets the files only, unless it passes `systemctl`.
   */
  constructor(readonly root: string = "/", options: { systemctl?: Systemctl } = {}) {
    this.#systemctl = options.systemctl ?? (root === "/" ? _systemctl : null);
  }

  /** Where the app the service runs is kept (settle.ts). */
  get appDir(): string {
    return `${this.root.replace(/\/$/, "")}/opt/${SERVICE_NAME}`;
  }

  get unitPath(): string {
    return `${this.root.replace(/\/$/, "")}/etc/systemd/system/${SERVICE_NAME}.service`;
  }

  async install(given: ServiceSpec): Promise<string> {
    // The app runs from a copy of its own, not from the customer's download (settle.ts).
    await Deno.mkdir(this.appDir, { recursive: true });
    const app = await settleApp(given.command, this.appDir, given.trust);
    const spec = { ...given, command: app.command, trust: app.trust };
    const configPath = `${spec.stateDir}/${SERVICE_CONFIG_FILE}`;
    const config: ServiceConfig = {
      server: spec.server,
      stateDir: spec.stateDir,
      ...(spec.display ? { display: spec.display } : {}),
      ...(spec.tools ? { tools: spec.tools } : {}),
    };
    await Deno.mkdir(spec.stateDir, { recursive: true });
    await Deno.writeTextFile(configPath, JSON.stringify(config, null, 2) + "\n", { mode: 0o600 });
    await Deno.mkdir(this.unitPath.replace(/\/[^/]+$/, ""), { recursive: true });
    await Deno.writeTextFile(this.unitPath, systemdUnit(spec, configPath), { mode: 0o644 });
    // The customer's own command, which the consent question named (local_command.ts).
    await Deno.mkdir(this.commandPath.replace(/\/[^/]+$/, ""), { recursive: true });
    await Deno.writeTextFile(
      this.commandPath,
      linuxCommandScript(spec.command, configPath, spec.trust),
      { mode: 0o755 },
    );
    await Deno.chmod(this.commandPath, 0o755);
    // Started now and at every boot: until then the computer would not be reachable. Restarted,
    // not just started: a service already running (an earlier approval) runs the new copy now.
    if (this.#systemctl) {
      await this.#systemctl(["daemon-reload"]);
      await this.#systemctl(["enable", `${SERVICE_NAME}.service`]);
      await this.#systemctl(["restart", `${SERVICE_NAME}.service`]);
    }
    return this.unitPath;
  }

  /** The customer's `remote-support` command (local_command.ts). */
  get commandPath(): string {
    return `${this.root.replace(/\/$/, "")}${LINUX_COMMAND_PATH}`;
  }

  async uninstall(): Promise<void> {
    if (this.#systemctl) {
      await this.#systemctl(["disable", "--now", `${SERVICE_NAME}.service`]).catch(() => {});
    }
    for (const path of [this.unitPath, this.commandPath]) {
      await Deno.remove(path).catch((error) => {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      });
    }
    await Deno.remove(this.appDir, { recursive: true }).catch(() => {});
    if (this.#systemctl) await this.#systemctl(["daemon-reload"]).catch(() => {});
  }
}

/**
 * An OS without an installer here, saying so: macOS's launchd job; and Windows when a test asks
 * for a root (the real one, windows_installer.ts, writes to the Service Control Manager).
 */
export class NotYetInstaller implements ServiceInstaller {
  readonly available = false;
  readonly unavailable: string;

  constructor(readonly os: "windows" | "darwin") {
    this.unavailable = os === "windows"
      ? "Running as a Windows service is not available yet"
      : "Running as a macOS launchd job is not available yet";
  }

  install(): Promise<string> {
    return Promise.reject(new Error(this.unavailable));
  }

  uninstall(): Promise<void> {
    return Promise.reject(new Error(this.unavailable));
  }
}

export function installerFor(
  os: "linux" | "windows" | "darwin",
  root = "/",
): ServiceInstaller {
  return os === "linux" ? new SystemdInstaller(root) : new NotYetInstaller(os);
}

/** Reads a service config (`--config`), refusing one that lacks what the service needs. */
export async function readServiceConfig(path: string): Promise<ServiceConfig> {
  const raw = JSON.parse(await Deno.readTextFile(path)) as Partial<ServiceConfig>;
  if (typeof raw.server !== "string" || typeof raw.stateDir !== "string") {
    throw new Error(`Not a service configuration: ${path}`);
  }
  const server = new URL(raw.server);
  if (server.protocol !== "https:" && server.protocol !== "http:") {
    throw new Error(`Not an http(s) server in ${path}`);
  }
  return {
    server: server.origin,
    stateDir: raw.stateDir,
    ...(typeof raw.display === "string" ? { display: raw.display } : {}),
    ...(Array.isArray(raw.command) && raw.command.every((word) => typeof word === "string")
      ? { command: raw.command }
      : {}),
  };
}
