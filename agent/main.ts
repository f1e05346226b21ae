/**
 * The customer agent: `deno task agent -- --pin 123456 --server https://host` (or
 * `--link https://host/s/<token>`). It joins the session, opens its own window (a page it
 * serves itself on loopback, consent_page.ts) where the customer answers the technician's
 * questions, shares the screen and takes input only as the customer allows there, and
 * reconnects by itself until the session ends. In its terminal, `c` + Enter takes control
 * back, `v` stops sharing the screen, `q` ends the session.
 */
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import type { Capability, VideoCodec } from "../protocol/mod.ts";
import { Agent } from "./agent.ts";
import { startDesktop } from "./desktop_start.ts";
import { printStats } from "./stats_line.ts";
import { AgentConnection } from "./connection.ts";
import { ConsentPage, writeLauncher } from "./consent_page.ts";
import { deviceId, osLanguage, osName, stateDir } from "./identity.ts";
import { FrameHalver } from "./media/scale.ts";
import { Vp8Encoder } from "./media/vp8.ts";
import { H264Encoder } from "./media/h264.ts";
import { defaultOpHandlers } from "./ops/registry.ts";
import { rebootOsFor } from "./reboot/os.ts";
import { finishResume } from "./reboot/resume.ts";
import { joinRefusal } from "./join_refusal.ts";
import { verifyOsCredentials } from "./unattended/os_login.ts";
import { checkLinkOrigin, explainNetworkError, insecureWarning } from "./server_address.ts";
import { agentStrings, fill, stringsLanguage } from "./strings.ts";

export const AGENT_VERSION = "0.6.0";

const { values } = parseArgs({
  // `deno task agent -- --pin …` passes the "--" along: skip it.
  args: Deno.args[0] === "--" ? Deno.args.slice(1) : Deno.args,
  options: {
    server: { type: "string" },
    pin: { type: "string" },
    link: { type: "string" },
    /** The portable package's `rescue.json`: `{server, link}` (modules/agent_packages). */
    config: { type: "string" },
    "state-dir": { type: "string" },
    display: { type: "string" },
    /** Started over SSH (LAN connect): share the desktop of the user it runs as, if any. */
    "find-display": { type: "boolean", default: false },
    "no-open": { type: "boolean", default: false },
    stats: { type: "boolean", default: false },
    /** Only these of the codecs it can encode (`vp8`, `h264`; comma-separated): measurements. */
    codecs: { type: "string" },
    help: { type: "boolean", default: false },
    /** Unattended access: run as the service (`--config` = its service.json). */
    service: { type: "boolean", default: false },
    /** The customer's local command: `--unattended status|revoke --config service.json`. */
    unattended: { type: "string" },
    /** The Windows service's helper in the user's session (agent/unattended/windows_session.ts). */
    "service-session": { type: "string" },
  },
});

const log = (message: string) => console.error(`[agent] ${message}`);
// The customer's language, for everything the app prints and shows (agent/locales/).
const language = osLanguage();
const strings = agentStrings(language);

// Unattended access (agent/unattended/): the service the unit runs, and the customer's command.
if (values["service-session"] !== undefined && values.config) {
  const { runSessionHelper } = await import("./unattended/windows_session.ts");
  Deno.exit(await runSessionHelper(values.config, values["service-session"], AGENT_VERSION));
}
if (values.service || values.unattended !== undefined) {
  if (!values.config) {
    console.error("--service and --unattended need --config <service.json>");
    Deno.exit(2);
  }
  const code = values.service
    ? Deno.build.os === "windows"
      ? await (await import("./unattended/windows_service_main.ts")).runWindowsService(
        values.config,
        AGENT_VERSION,
      )
      : await (await import("./unattended/service_main.ts")).runService(
        values.config,
        AGENT_VERSION,
      )
    : await (await import("./unattended/command.ts")).runUnattendedCommand(
      values.unattended!,
      values.config,
    ).catch((error) => {
      console.error(String(error?.message ?? error));
      return 1;
    });
  Deno.exit(code);
}

// A portable package carries its server and session in rescue.json; the launcher passes it.
// The link must be on that server: a config whose link points elsewhere is refused.
if (values.config && !values.pin && !values.link) {
  const config = await Deno.readTextFile(values.config).then((text) => JSON.parse(text))
    .catch(() => null) as { server?: unknown; link?: unknown; callingCard?: unknown } | null;
  // A calling card (SPEC C6): no session yet; its window asks for a PIN or the channel's form.
  if (config?.callingCard === true && typeof config.server === "string") {
    const { openCardWindow, readCard } = await import("./calling_card/window.ts");
    const dir = dirname(values.config);
    const card = await readCard(dir);
    if (!card) {
      console.error(fill(strings.errors.notCallingCard, { path: dir }));
      Deno.exit(2);
    }
    const window = openCardWindow({
      dir,
      card,
      server: config.server,
      strings: strings.callingCard,
      language,
    });
    console.log(`CARD ${window.url}`);
    if (!values["no-open"]) {
      const opener = await writeLauncher(values["state-dir"] ?? dir, window.url).catch(() => null);
      if (opener) openInBrowser(opener.href);
    }
    const chosen = await window.chosen;
    if ("pin" in chosen) values.pin = chosen.pin;
    else values.link = chosen.link; // the session its channel form made (checked below)
    values.server = config.server;
    await window.close();
  }
}
if (values.config && !values.pin && !values.link) {
  const config = await Deno.readTextFile(values.config).then((text) => JSON.parse(text))
    .catch(() => null) as { server?: unknown; link?: unknown } | null;
  if (typeof config?.server !== "string" || typeof config.link !== "string") {
    console.error(fill(strings.errors.notConfiguration, { path: values.config }));
    Deno.exit(2);
  }
  values.server = config.server;
  values.link = config.link;
}

// A downloaded binary carries its session in its name (rescue-agent-<token>[.exe]) and the
// server's address in the build (agent/build_config.json, see tools/build_agent.ts).
if (!values.pin && !values.link) {
  const own = /rescue-agent-([A-Za-z0-9_-]{8,64})(?:\.exe)?$/.exec(Deno.execPath())?.[1];
  const built = await Deno.readTextFile(new URL("./build_config.json", import.meta.url))
    .then((text) => JSON.parse(text) as { server?: string }).catch(() => null);
  if (own && built?.server) values.link = new URL(`/s/${own}`, built.server).href;
}

if (values.help || (!values.pin && !values.link)) {
  console.log(
    "usage: agent --pin 123456 --server http://host:8080 | --link http://host:8080/s/<token>\n" +
      "       [--no-open] [--state-dir DIR] [--display :0 | --find-display] [--stats]\n" +
      "       [--codecs vp8,h264]\n" +
      "       agent --service --config service.json | --unattended status|revoke --config service.json",
  );
  Deno.exit(values.help ? 0 : 2);
}

function fail(message: string): never {
  console.error(message);
  Deno.exit(1);
}

// The server the agent was pointed at: everything it trusts is on this origin.
let pointedAt: URL;
try {
  pointedAt = new URL(values.server ?? values.link!);
  // The server's origin is what the agent trusts, whatever path it was given with.
  pointedAt = new URL(pointedAt.origin);
} catch {
  fail(fill(strings.errors.notAddress, { address: String(values.server ?? values.link) }));
}
if (pointedAt.protocol !== "https:" && pointedAt.protocol !== "http:") {
  fail(fill(strings.errors.notHttp, { address: pointedAt.href }));
}
const insecure = insecureWarning(pointedAt, strings);
if (insecure) console.error(`\n!!! ${insecure}\n`);

/** fetch, with a failure explained (which server, and a refused certificate's cause). */
async function fetchServer(url: URL, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    throw new Error(explainNetworkError(error, pointedAt, strings));
  }
}

async function resolveLink(): Promise<URL> {
  if (values.link) {
    const link = new URL(values.link);
    const same = checkLinkOrigin(link, pointedAt, strings);
    if (!same.ok) throw new Error(same.message);
    // Reach the server once first, so a bad certificate is named before anything else.
    const probe = await fetchServer(new URL("/healthz", pointedAt));
    await probe.body?.cancel();
    return new URL(values.link);
  }
  if (!values.server) throw new Error("--pin needs --server");
  {
    const response = await fetchServer(new URL("/agent/join", pointedAt), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ pin: values.pin }),
    });
    const body = await response.json().catch(() => ({}));
    if (response.ok && typeof body.link === "string") {
      const link = new URL(body.link);
      const same = checkLinkOrigin(link, pointedAt, strings);
      if (!same.ok) throw new Error(same.message);
      return link;
    }
    throw new Error(joinRefusal(response.status, body, strings));
  }
}

function openInBrowser(url: string) {
  const command = Deno.build.os === "windows"
    ? ["cmd", "/c", "start", "", url]
    : Deno.build.os === "darwin"
    ? ["open", url]
    : ["xdg-open", url];
  try {
    new Deno.Command(command[0], { args: command.slice(1), stdout: "null", stderr: "null" })
      .spawn();
  } catch {
    // No opener: the address printed above is the way.
  }
}

const link = await resolveLink().catch((error) => {
  console.error(String(error.message ?? error));
  Deno.exit(1);
});
const token = /\/s\/([A-Za-z0-9_-]{8,64})$/.exec(link.pathname)?.[1];
if (!token) {
  console.error(strings.errors.notSessionLink);
  Deno.exit(1);
}

const server = new URL(link.origin);
// A system whose desktop cannot be shared (no backend yet, a missing library, no X display,
// no desktop of the user it runs as) still joins: chat, files and system information work;
// view and control are not offered, and the customer and the technician are told why.
const { desktop, noDesktop, noDesktopShown, noDesktopSaid } = await startDesktop({
  display: values.display,
  findDisplay: values["find-display"],
  strings,
  log,
});
let connection: AgentConnection | null = null;
const halver = FrameHalver.open();
let asked = new Set<string>();
/** The terminal said the technician draws on the screen (said again when it starts again). */
let drawingSaid = false;
/** The terminal's line for an open question (the window has the buttons). */
function terminalQuestion(capability: Capability): string {
  if (capability === "control") return strings.terminal.askControl;
  if (capability === "view") return strings.terminal.askView;
  const key = `ask${capability[0].toUpperCase()}${capability.slice(1)}`;
  const page = strings.page as Record<string, string>;
  return `${page[key] ?? capability} ${strings.terminal.answerInWindow}`;
}
const dir = stateDir(values["state-dir"]);
const codecs: VideoCodec[] = (H264Encoder.available() ? ["vp8", "h264"] as const : ["vp8"] as const)
  .filter((codec) => !values.codecs || values.codecs.split(",").includes(codec));
if (codecs.length === 0) {
  console.error(`--codecs ${values.codecs}: none of them can be encoded here (vp8, h264)`);
  Deno.exit(2);
}
const agent: Agent = new Agent({
  desktop,
  log,
  os: osName(),
  noDesktop,
  noDesktopShown,
  ops: defaultOpHandlers({ os: osName(), serverUrl: server.origin, token, dataDir: dir, log }, {
    // The window is made below, before any operation can run.
    askCredentials: (detail, signal) => consentWindow.askCredentials(detail, signal),
  }),
  // H.264 where OpenH264 loads (issue 14: full size in motion), when every viewer decodes it.
  codecs,
  encoder: (width, height, screen, codec) =>
    codec === "h264"
      ? new H264Encoder({ width, height, fps: 30, preset: "normal", bitrateBasis: screen })
      : new Vp8Encoder({ width, height, fps: 30, preset: "normal", bitrateBasis: screen }),
  downscale: halver ? (frame) => halver.halve(frame) : undefined,
  onChange: () => {
    consentWindow?.changed();
    // Say in the terminal too when a new question opens (the window may be hidden).
    const state = agent.customerState;
    const now = new Set([
      ...state.questions.map((q) => q.capability as string),
      ...state.confirms.map((c) => c.id),
    ]);
    for (const question of state.questions) {
      if (asked.has(question.capability)) continue;
      console.log(terminalQuestion(question.capability));
    }
    for (const open of state.confirms) {
      if (!asked.has(open.id)) console.log(fill(strings.terminal.confirm, { detail: open.detail }));
    }
    asked = now;
    if (state.drawing && !drawingSaid) console.log(strings.page.drawing);
    drawingSaid = state.drawing;
  },
  onEnd: (reason) => {
    console.log(strings.terminal.ended);
    log(`session ended: ${reason}`);
  },
});
// The customer's window: the agent's own page on loopback, no code from the server.
const consentWindow: ConsentPage = new ConsentPage({
  agent,
  strings,
  lang: stringsLanguage(language),
  server: server.host,
  chatUrl: link.href,
  log,
  verifyCredentials: (given) => verifyOsCredentials(given, osName()),
  // Service mode (agent/unattended/service_mode.ts): the unit says so; the banner shows it.
  onDisconnect: () => connection?.end("the customer disconnected the technician", true),
});
if (Deno.env.get("RESCUE_SERVICE_MODE") === "1") {
  consentWindow.setConnected({ technician: null, mode: "service" });
}
console.log(`PAGE ${consentWindow.url}`);
console.log(fill(strings.terminal.window, { url: consentWindow.url }));
console.log(strings.terminal.nothingShared);
console.log(strings.terminal.keys);
const launcher = values["no-open"] ? null : await writeLauncher(dir, consentWindow.url)
  .catch(() => null);
if (launcher) openInBrowser(launcher.href);

connection = new AgentConnection({
  url: `${server.protocol === "https:" ? "wss:" : "ws:"}//${server.host}/agent/ws`,
  hello: {
    token,
    deviceId: await deviceId(dir),
    os: osName(),
    language: osLanguage(),
    agentVersion: AGENT_VERSION,
    screen: { width: desktop.width, height: desktop.height },
    keyboard: desktop.keyboardLayout(),
    codecs,
    separateCursor: agent.separateCursor,
    recordingNotice: true,
    recordingAsked: true,
    presentingNotice: true,
    whiteboard: agent.whiteboard.available,
    whiteboardUndo: agent.whiteboard.available,
    laserRecorded: agent.whiteboard.available,
    keyCodes: true,
    ...(noDesktopSaid && { noDesktop: noDesktopSaid }),
  },
  agent,
  log,
  onStatus: (status) => {
    console.log(`STATUS ${status}`);
    // Back after a restart, or the session is over: the autostart entry has done its job.
    if (status === "connected" || status === "ended") {
      finishResume(dir, token, rebootOsFor(osName())).then((resumed) => {
        if (resumed) console.log(strings.reboot.resumed);
      }).catch((error) => log(`resume clean-up failed: ${error}`));
    }
    if (status !== "ended") consentWindow.setStatus(status);
  },
});
connection.start();

// `--stats`: where the time goes, every 5 s (stats_line.ts).
if (values.stats) printStats(agent);

Deno.addSignalListener("SIGINT", () => connection?.end("the customer closed the app", true));
if (Deno.build.os !== "windows") {
  Deno.addSignalListener("SIGTERM", () => connection?.end("the app was stopped", true));
}

// The customer's own controls in the terminal (the page has the same ones).
(async () => {
  const decoder = new TextDecoder();
  try {
    for await (const chunk of Deno.stdin.readable) {
      for (const line of decoder.decode(chunk).split(/\r?\n/)) {
        const command = line.trim().toLowerCase();
        if (command === "c") agent.revoke("control");
        else if (command === "v") agent.revoke("view");
        else if (command === "q") connection?.end("the customer ended the session", true);
      }
    }
  } catch {
    // No terminal (started from a file manager): the page's buttons remain.
  }
})();

const reason = await connection.done;
// Over: nothing stays shared, the window says so (its waiting request answers at once), exit.
agent.end(reason);
desktop.close();
log(`done: ${reason}`);
await new Promise((resolve) => setTimeout(resolve, 1_500));
await consentWindow.close();
if (launcher) await Deno.remove(launcher).catch(() => {});
Deno.exit(0);
