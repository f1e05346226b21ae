/**
 * `agent --service --config <file>`: the agent as a service (what the systemd unit runs).
 * It proves the device key on `/agent/device` and waits; when a technician connects from
 * Computers, it joins the new session like a support app does, with view, control and the
 * tools the approval carries already allowed (tool_grants.ts: the customer allowed them when
 * approving unattended access; their confirmations answered the same way) — and shows
 * that someone is connected: a log line, a desktop notification (notify-send, when there
 * is one), `unattended-active.json` in the config folder, which `--unattended status`
 * reads, and a banner in the service's own window (the agent's loopback page, consent_page.ts;
 * its address is printed as `WINDOW <url>` and kept 0600 in `unattended-window.url`, and
 * `--unattended status` shows it) with Disconnect and Revoke. The service opens no browser:
 * it runs as the system's service account, not in the customer's desktop session — so a
 * headless service has the marker file, the log and the notification, and the window only for
 * whoever opens its address. One session at a time.
 *
 * The login step (login_screen.ts): with credentials for the connection — kept by the customer
 * (credentials.ts) or typed by the technician at Connect (sealed to this device's sealing key,
 * sealing_key.ts, whichever server instance holds its socket) — and a login screen on the
 * shared X display, they are typed into its greeter; how it went goes to the log and, as a
 * code, to the session's log on the server. Never the credentials.
 */
import { AgentConnection } from "../connection.ts";
import { deviceId, osLanguage, osName } from "../identity.ts";
import { FrameHalver } from "../media/scale.ts";
import { loadLibs } from "../media/vpx_ffi.ts";
import { NoDesktop, openDesktop } from "../platform/mod.ts";
import { agentStrings, fill, stringsLanguage } from "../strings.ts";
import { ConsentPage } from "../consent_page.ts";
import { ACTIVE_FILE, revokeHere, WINDOW_FILE } from "./command.ts";
import { fileVault } from "./credentials.ts";
import { findServiceDesktop, type ServiceDesktop } from "./service_desktop.ts";
import { loadDeviceKey } from "./device_key.ts";
import { sealingKey } from "./sealing_key.ts";
import { signInAtLoginScreen, type SignInOptions } from "./login_screen.ts";
import { EXIT_NOT_SET_UP, readServiceConfig, type ServiceConfig } from "./installer.ts";
import { DeviceService, type JoinRequest } from "./service.ts";
import { serviceSession, wsUrl } from "./service_session.ts";
import { startSessionHelper } from "./windows_session.ts";
import { LanWorker } from "./lan_worker.ts";
import { sshPusher } from "./lan_push_ssh.ts";
import { readToolGrants } from "./tool_grants.ts";

/** The visible sign that someone is connected: log, notification, the active file. */
class Indicator {
  constructor(private config: ServiceConfig, private log: (line: string) => void) {}

  async on(join: JoinRequest) {
    const strings = agentStrings(osLanguage()).unattendedService;
    const text = fill(strings.connected, { technician: join.technician });
    console.log(`UNATTENDED CONNECTED ${join.sessionId} ${join.technician}`);
    this.log(text);
    await Deno.writeTextFile(
      `${this.config.stateDir}/${ACTIVE_FILE}`,
      JSON.stringify({
        sessionId: join.sessionId,
        technician: join.technician,
        since: new Date().toISOString(),
      }) + "\n",
      { mode: 0o644 },
    );
    this.#notify(strings.title, text);
  }

  async off(join: JoinRequest, reason: string) {
    const strings = agentStrings(osLanguage()).unattendedService;
    console.log(`UNATTENDED ENDED ${join.sessionId} ${reason}`);
    await Deno.remove(`${this.config.stateDir}/${ACTIVE_FILE}`).catch(() => {});
    this.#notify(strings.title, fill(strings.ended, { technician: join.technician }));
  }

  #notify(title: string, body: string) {
    if (Deno.build.os !== "linux") return;
    try {
      new Deno.Command("notify-send", {
        args: ["--app-name=Remote support", title, body],
        stdout: "null",
        stderr: "null",
      }).spawn().status.catch(() => {});
    } catch {
      // No notification daemon here: the log line and the status command remain.
    }
  }
}

/**
 * `signal`: a stop asked from outside (the Windows Service Control Manager's STOP or
 * SHUTDOWN, windows_service.ts), handled as SIGINT is: the session and the server left cleanly.
 */
export async function runService(
  configPath: string,
  agentVersion: string,
  options: { signal?: AbortSignal } = {},
): Promise<number> {
  const log = (line: string) => console.error(`[service] ${line}`);
  const config = await readServiceConfig(configPath);
  const key = await loadDeviceKey(config.stateDir);
  if (!key) {
    log(`no device key in ${config.stateDir}: unattended access was not set up here`);
    return EXIT_NOT_SET_UP;
  }
  const strings = agentStrings(osLanguage());
  // The display: the running X server (the login screen's, before anyone signs in) and its
  // X authority from its command line (display_finder.ts). Looked for again at a connection
  // while there is none: the login screen may have come up since. None: the hello says why
  // (service_desktop.ts), as a support app's does.
  const findDesktop = async (): Promise<ServiceDesktop> => {
    // Windows: the service has no desktop of its own; each session's helper opens the user's.
    if (Deno.build.os === "windows") return { desktop: new NoDesktop(), display: null };
    const result = await findServiceDesktop(config.display ?? Deno.env.get("DISPLAY"), {
      log,
      open: (display) => {
        const desktop = openDesktop({ display });
        loadLibs(); // the encoder's libraries, checked now rather than at the first frame
        return desktop;
      },
    });
    if (result.why) log(fill(strings.terminal.noDesktop, { why: result.why }));
    return result;
  };
  let found = await findDesktop();
  const halver = FrameHalver.open();
  const indicator = new Indicator(config, log);
  const id = await deviceId(config.stateDir);
  let current = null as Pick<AgentConnection, "end"> | null;
  let service = null as DeviceService | null;
  // The server hears a Disconnect only as the agent's `bye` on a welcomed link: one asked
  // while the link is still opening waits for the welcome (at most a few seconds).
  let welcomed = false;
  let leaveOnWelcome = false;
  const disconnect = () => {
    const reason = "the customer disconnected the technician";
    if (welcomed) return current?.end(reason, true);
    leaveOnWelcome = true;
    const connection = current;
    setTimeout(() => connection?.end(reason, true), 10_000);
  };
  const window = new ConsentPage({
    agent: null,
    strings,
    lang: stringsLanguage(osLanguage()),
    server: new URL(config.server).host,
    chatUrl: "",
    log,
    persistent: true,
    onDisconnect: () => disconnect(),
    onRevokeAccess: async () => {
      try {
        await revokeHere(config);
      } catch (error) {
        log(`revoke failed: ${error}`);
        return false;
      }
      current?.end("the customer revoked unattended access", true);
      service?.stop("removed");
      return true;
    },
  });
  console.log(`WINDOW ${window.url}`);
  await Deno.writeTextFile(`${config.stateDir}/${WINDOW_FILE}`, window.url + "\n", { mode: 0o600 });
  const tools = await readToolGrants(configPath);

  const join = async (request: JoinRequest) => {
    if (current) throw new Error("a session is running already");
    if (Deno.build.os === "windows") {
      // Windows: the desktop is in the signed-in user's session, not the service's (session 0):
      // a helper started there runs the session (windows_session.ts).
      const helper = await startSessionHelper({ config, configPath, request, log });
      current = helper;
      await indicator.on(request);
      window.setConnected({ technician: request.technician, mode: "unattended" });
      helper.done.then(async (reason) => {
        current = null;
        window.setConnected(null);
        await indicator.off(request, reason);
      });
      return;
    }
    if (found.why) found = await findDesktop();
    const { desktop, why: noDesktop } = found;
    const { agent, connection } = serviceSession({
      config,
      token: request.token,
      deviceId: id,
      agentVersion,
      found,
      tools,
      halver,
      log,
      onChange: () => window.changed(),
      onStatus: (status) => {
        welcomed = status === "connected";
        if (welcomed && leaveOnWelcome) {
          connection.end("the customer disconnected the technician", true);
        }
      },
    });
    welcomed = leaveOnWelcome = false;
    current = connection;
    await indicator.on(request);
    window.setAgent(agent);
    window.setConnected({ technician: request.technician, mode: "unattended" });
    connection.start();
    // The login step runs beside the session: the technician watches the greeter take it.
    const typed = request.credentialsProblem !== undefined
      ? { unreadable: request.credentialsProblem, sealed: true as const }
      : request.credentials ?? null;
    delete request.credentials;
    _loginStep(config, {
      display: noDesktop ? null : found.display,
      desktop: noDesktop ? null : desktop,
      credentials: typed,
      controlAllowed: tools.includes("control"),
      log,
      report: (code, greeter) => {
        console.log(`LOGIN SCREEN ${code}`);
        service?.reportSignIn({ sessionId: request.sessionId, code, ...(greeter && { greeter }) });
      },
    });
    connection.done.then(async (reason) => {
      agent.end(reason);
      current = null;
      window.setConnected(null);
      window.setAgent(null);
      await indicator.off(request, reason);
    });
  };

  const sealing = await sealingKey(config.stateDir).catch((error) => {
    log(`no sealing key: ${error instanceof Error ? error.message : error}`);
    return undefined;
  });
  // LAN connect (SPEC C9): only what the server asks on the device socket. The test-only
  // variable names the networks to scan instead of this computer's (e.g. 127.0.0.1/32).
  const lan = new LanWorker({
    log,
    testNetworks: Deno.env.get("RESCUE_LAN_TEST_NETWORKS")?.split(",").filter(Boolean),
    unseal: sealing ? (pushId, sealed) => sealing.open(pushId, sealed) : undefined,
    pushers: { ssh: sshPusher({ server: config.server, log }) },
  });
  service = new DeviceService({
    url: wsUrl(config.server, "/agent/device"),
    deviceId: id,
    os: osName(),
    name: Deno.hostname(),
    agentVersion,
    key,
    // Without one (its folder not writable) the service still runs; credentials typed at
    // Connect then reach it only from the instance holding its socket (the server says so).
    sealing,
    log,
    onJoin: join,
    onLan: (message, reply) => lan.handle(message, reply),
    onStatus: (status, detail) => console.log(`SERVICE ${status}${detail ? ` ${detail}` : ""}`),
  });
  service.start();
  const stop = () => {
    current?.end("the service was stopped", true);
    service.stop();
  };
  Deno.addSignalListener("SIGINT", stop);
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", stop);
  if (options.signal?.aborted) stop();
  options.signal?.addEventListener("abort", stop, { once: true });
  const how = await service.done;
  current?.end(how === "removed" ? "unattended access was removed" : "the service stopped", true);
  found.desktop.close();
  await Deno.remove(`${config.stateDir}/${WINDOW_FILE}`).catch(() => {});
  if (how === "removed") await fileVault(config.stateDir).clear();
  // The window says what happened a moment longer (a revoke from it waits for its answer).
  await new Promise((resolve) => setTimeout(resolve, 500));
  await window.close();
  if (how === "removed") {
    log(strings.unattendedService.removed);
    // Nothing to do any more: the unit does not restart on this code (it would only be refused
    // again); it stays until the customer removes it (`--unattended revoke` says how).
    return EXIT_NOT_SET_UP;
  }
  return 0;
}

/**
 * The OS login step of a connection: the credentials typed at Connect, else the customer's
 * kept ones (decrypted here), typed into the login screen where there is one
 * (login_screen.ts); where not, the log and the session's log say why and nothing is typed.
 */
async function _loginStep(config: ServiceConfig, options: SignInOptions) {
  let credentials = options.credentials;
  if (credentials === null) {
    try {
      credentials = await fileVault(config.stateDir).read(new Date());
    } catch (error) {
      credentials = { unreadable: error instanceof Error ? error.message : String(error) };
    }
  }
  await signInAtLoginScreen({ ...options, credentials }).catch((error) =>
    options.log(`login step failed: ${error instanceof Error ? error.name : "error"}`)
  );
}
