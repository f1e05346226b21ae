/**
 * Which X display the service shares, and with which X authority — the way `x11vnc -auth
 * guess` / `-display WAIT:cmd=FINDDISPLAY` find them. A service started at boot runs before
 * anyone signs in, with no DISPLAY and no XAUTHORITY of a user's session: the screen there is
 * the display manager's login screen (LightDM, SDDM, GDM on Xorg), drawn by an X server the
 * display manager started with `-auth <file>`, a cookie only root (and the greeter) can read.
 * So the service looks at the X servers that run — their sockets in /tmp/.X11-unix, the lock
 * files naming their process, and each server's command line in /proc — and takes the cookie
 * file from the chosen server's own `-auth` argument. Where there is no X server (a Wayland
 * login screen: GDM on Wayland draws it without X; Xwayland serves X programs only, not the
 * greeter), it says so plainly instead of sharing nothing silently.
 */

/** An X server found running on this computer. */
export interface XServer {
  /** ":0" */
  display: string;
  /** Its process, when /proc or its lock file names it (0 when unknown). */
  pid: number;
  /** "Xorg", "Xvfb", "Xwayland", … ("" when only the socket was found). */
  program: string;
  /** The X authority (cookie) file from its `-auth` argument, if it has one. */
  authority: string | null;
}

/**
 * Why the service has no display, as its hello's `noDesktop` says it: no X server at all, or
 * only Xwayland (the screen is Wayland's, a login screen or a desktop).
 */
export type NoDisplayReason = "noDisplay" | "waylandScreen";

/** Where the service's display comes from, or why there is none. */
export type DisplayChoice =
  | { ok: true; display: string; authority: string | null; server: XServer | null }
  | { ok: false; reason: NoDisplayReason; why: string };

const X_PROGRAMS = new Set([
  "X",
  "Xorg",
  "Xorg.bin",
  "Xvfb",
  "Xwayland",
  "Xephyr",
  "Xvnc",
  "Xtigervnc",
  "Xdummy",
]);

/**
 * Reads an X server's command line (its argv): the program, the display when it names one
 * (`:0`; a server started with `-displayfd` names none — its lock file does), and the
 * `-auth` file. Null when it is not an X server.
 */
export function parseXServerCommand(
  argv: readonly string[],
): { program: string; display: string | null; authority: string | null } | null {
  const program = (argv[0] ?? "").split("/").pop() ?? "";
  if (!X_PROGRAMS.has(program)) return null;
  let display: string | null = null;
  let authority: string | null = null;
  for (let i = 1; i < argv.length; i++) {
    if (argv[i] === "-auth" && i + 1 < argv.length) authority = argv[++i];
    else if (display === null && /^:\d+$/.test(argv[i])) display = argv[i];
  }
  return { program, display, authority };
}

/** A running process as far as X servers go: its id and its command line (argv). */
export interface ProcessArgv {
  pid: number;
  argv: readonly string[];
}

/**
 * The X servers running here, lowest display first: the sockets in `root`/tmp/.X11-unix say
 * which displays exist, their lock files which process serves each, and the command lines of
 * `processes` which program that is and its `-auth` file. Without `processes`, the command
 * lines are read from `root`/proc directly (the service runs with every permission); the
 * support app pushed over SSH reads them through `grep` and passes them
 * (user_display.ts `readProcesses`). `socketsOnly`: a server whose display has no socket here
 * is left out (the pushed app connects through the socket); otherwise it counts too (a
 * service with a private /tmp sees no sockets, only the servers' command lines). `root` is for
 * tests ("/" otherwise).
 */
export async function findXServers(
  options: { root?: string; processes?: readonly ProcessArgv[]; socketsOnly?: boolean } = {},
): Promise<XServer[]> {
  const root = (options.root ?? "/").replace(/\/$/, "");
  const byDisplay = new Map<string, XServer>();
  const lockOwner = new Map<number, string>();
  for (const name of await namesIn(`${root}/tmp/.X11-unix`)) {
    const match = /^X(\d+)$/.exec(name);
    if (!match) continue;
    const display = `:${match[1]}`;
    const pid = Number((await textOf(`${root}/tmp/.X${match[1]}-lock`))?.trim());
    const known = Number.isInteger(pid) && pid > 0 ? pid : 0;
    if (known) lockOwner.set(known, display);
    byDisplay.set(display, { display, pid: known, program: "", authority: null });
  }
  for (const process of options.processes ?? await readCommandLines(root)) {
    const parsed = parseXServerCommand(process.argv);
    if (!parsed) continue;
    const display = parsed.display ?? lockOwner.get(process.pid);
    // A server whose display cannot be told (no argument, no lock file) cannot be chosen.
    if (!display || (options.socketsOnly && !byDisplay.has(display))) continue;
    byDisplay.set(display, {
      display,
      pid: process.pid,
      program: parsed.program,
      authority: parsed.authority,
    });
  }
  return [...byDisplay.values()].sort((a, b) => _number(a.display) - _number(b.display));
}

/** The command lines of the processes under `root`/proc, read directly (needs --allow-all). */
export async function readCommandLines(root: string): Promise<ProcessArgv[]> {
  const processes: ProcessArgv[] = [];
  for (const name of await namesIn(`${root}/proc`)) {
    if (!/^\d+$/.test(name)) continue;
    const raw = await textOf(`${root}/proc/${name}/cmdline`);
    if (!raw) continue;
    processes.push({ pid: Number(name), argv: raw.split("\0").filter((part) => part !== "") });
  }
  return processes;
}

/**
 * The display to share: the configured one when an X server runs there (with that server's
 * `-auth`); else the lowest display of a real X server — the configured one belongs to a
 * session that is gone, and what runs now is the login screen (Xwayland only serves X programs
 * inside a Wayland session, never its login screen); with no X server found at all, the
 * configured display as it is (one this scan cannot see). With nothing, why — in words for
 * the service's log and window.
 */
export function chooseDisplay(servers: readonly XServer[], configured?: string): DisplayChoice {
  const chosen = (server: XServer): DisplayChoice => ({
    ok: true,
    display: server.display,
    authority: server.authority,
    server,
  });
  const wanted = configured
    ? servers.find((s) => s.display === configured.replace(/\.\d+$/, ""))
    : undefined;
  if (wanted) return chosen(wanted);
  const real = servers.find((s) => s.program !== "Xwayland");
  if (real) return chosen(real);
  if (configured && servers.length === 0) {
    return { ok: true, display: configured, authority: null, server: null };
  }
  if (servers.length > 0) {
    return {
      ok: false,
      reason: "waylandScreen",
      why: `only Xwayland runs here (${servers.map((s) => s.display).join(", ")}): the ` +
        "screen is drawn by Wayland, which this service cannot capture (a Wayland login screen, " +
        "e.g. GDM on Wayland)",
    };
  }
  return {
    ok: false,
    reason: "noDisplay",
    why: "no X server runs on this computer (nothing in /tmp/.X11-unix): no login screen or " +
      "desktop to share — a Wayland login screen (e.g. GDM on Wayland) or none at all",
  };
}

/**
 * Finds the display and, when the service has no X authority of its own, takes the server's
 * `-auth` file as XAUTHORITY (what libX11 reads when it connects). Logs what it chose, or
 * plainly why there is nothing to share; returns the display, or null with the reason (a code
 * for the hello, and words).
 */
export async function attachToDisplay(
  configured: string | undefined,
  log: (line: string) => void,
  options: { root?: string } = {},
): Promise<
  { display: string; why: null } | { display: null; reason: NoDisplayReason; why: string }
> {
  const choice = chooseDisplay(await findXServers(options), configured);
  if (!choice.ok) {
    log(`no display to share: ${choice.why}`);
    return { display: null, reason: choice.reason, why: choice.why };
  }
  const own = Deno.env.get("XAUTHORITY");
  const what = choice.server?.program
    ? `${choice.server.program}, process ${choice.server.pid}`
    : choice.server
    ? "its socket"
    : "as configured, no X server seen";
  if (!own && choice.authority) {
    Deno.env.set("XAUTHORITY", choice.authority);
    log(
      `display ${choice.display} (${what}), X authority from its command line: ${choice.authority}`,
    );
  } else {
    log(
      `display ${choice.display} (${what}), X authority: ${
        own ?? "none (the server has no -auth; its own access rules apply)"
      }`,
    );
  }
  return { display: choice.display, why: null };
}

function _number(display: string): number {
  return Number(display.slice(1));
}

/** The names in `dir`; none when it is not there or not ours to read. */
export async function namesIn(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  } catch {
    // Not there, or not ours to read: nothing found here.
  }
  return names;
}

/** The text of `path`, or null when it cannot be read (gone, not ours). */
export async function textOf(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return null;
  }
}
