/**
 * Which desktop a support app started over SSH shares (LAN connect: `--find-display`,
 * lan_push_ssh.ts). It runs as the SSH user in a session with no DISPLAY, so it looks for the
 * graphical session that user may open: a process of theirs whose environment names a local
 * DISPLAY (and XAUTHORITY, else ~/.Xauthority) — what a desktop session hands every program
 * in it — or an X server of theirs with a readable `-auth` file (`startx`, a user's Xvfb).
 * Root may open any: it prefers the display of the seat's active graphical session (loginctl,
 * else `who`), then a person's desktop over another X server. A display served by Xwayland
 * only is a Wayland desktop, which X capture cannot show: that is said, as is finding none.
 * The `/proc` and `/tmp/.X11-unix` it reads sit under `root` (fixture trees in tests).
 *
 * /proc is read through `grep` (three runs, whatever the number of processes): the portable
 * app runs without `--allow-all`, and Deno refuses any read under /proc without it; `grep -s`
 * also skips, silently, the processes of others the user may not read.
 */
import { findXServers, type XServer } from "./display_finder.ts";

/** A process as /proc shows it: its real uid, argv and environment (when readable). */
export interface ProcessInfo {
  pid: number;
  uid: number | null;
  argv: string[];
  env: Map<string, string>;
}

/** Why no desktop was found for the user (protocol `NO_DESKTOP_REASONS`). */
export type UserDisplayMiss = "noUserDisplay" | "waylandOnly";

export type UserDisplayChoice =
  | { ok: true; display: string; authority: string | null; how: string }
  | { ok: false; reason: UserDisplayMiss; why: string };

/** A display the user could open, and how it was found. */
interface Candidate {
  display: string;
  authority: string | null;
  uid: number;
  server: XServer;
  /** From a desktop program's environment (a person's session) or the X server's `-auth`. */
  from: "session" | "server";
}

/** The real uid in a `/proc/PID/status` text, or null. */
export function uidOfStatus(status: string): number | null {
  const match = /^Uid:\s+(\d+)/m.exec(status);
  return match ? Number(match[1]) : null;
}

/** `/proc/PID/environ` (NUL-separated) as a map. */
export function parseEnviron(raw: string): Map<string, string> {
  const env = new Map<string, string>();
  for (const entry of raw.split("\0")) {
    const at = entry.indexOf("=");
    if (at > 0) env.set(entry.slice(0, at), entry.slice(at + 1));
  }
  return env;
}

/** A local display (`:0`, `:0.0`, `unix:0`) as `:N`; null for a remote or forwarded one. */
export function localDisplay(value: string | undefined): string | null {
  const match = /^(?:unix)?:(\d+)(?:\.\d+)?$/.exec(value ?? "");
  return match ? `:${match[1]}` : null;
}

/** The displays of the seat's active graphical sessions: `loginctl show-session` output. */
export function parseLoginctlSession(text: string): string | null {
  const props = new Map(
    text.split("\n").map((line) => line.split("=", 2) as [string, string]).filter((p) => p[1]),
  );
  if (props.get("Active") !== "yes") return null;
  if (props.get("Type") !== "x11" && props.get("Type") !== "wayland") return null;
  return localDisplay(props.get("Display"));
}

/** The displays `who` lists (`alice :0 … (:0)`, `alice tty7 … (:0)`). */
export function parseWho(text: string): string[] {
  const displays: string[] = [];
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    const host = /\(([^)]*)\)\s*$/.exec(line)?.[1];
    const display = localDisplay(fields[1]) ?? localDisplay(host);
    if (display && !displays.includes(display)) displays.push(display);
  }
  return displays;
}

async function _output(cmd: string, args: string[]): Promise<string> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "null" }).output();
    return out.success ? new TextDecoder().decode(out.stdout) : "";
  } catch {
    return ""; // not installed here
  }
}

/** The seat's graphical displays, active first: systemd-logind where it runs, else utmp. */
export async function seatDisplays(): Promise<string[]> {
  const ids = (await _output("loginctl", ["list-sessions", "--no-legend"])).split("\n")
    .map((line) => line.trim().split(/\s+/)[0]).filter((id) => /^[A-Za-z0-9_-]+$/.test(id));
  const displays: string[] = [];
  for (const id of ids) {
    const display = parseLoginctlSession(
      await _output("loginctl", [
        "show-session",
        id,
        "-p",
        "Active",
        "-p",
        "Type",
        "-p",
        "Display",
      ]),
    );
    if (display && !displays.includes(display)) displays.push(display);
  }
  return displays.length > 0 ? displays : parseWho(await _output("who", []));
}

/**
 * `grep -H` output (`-z`: records end in NUL) of `…/proc/<pid>/<file>:<record>` lines, as the
 * records of each pid and file, in order.
 */
export function parseGrepRecords(
  output: string,
  separator: "\0" | "\n",
): Map<number, Map<string, string[]>> {
  const out = new Map<number, Map<string, string[]>>();
  for (const record of output.split(separator)) {
    const match = /\/proc\/(\d+)\/(cmdline|environ|status):([^]*)$/.exec(record);
    if (!match) continue;
    const pid = Number(match[1]);
    const files = out.get(pid) ?? new Map<string, string[]>();
    out.set(pid, files);
    files.set(match[2], [...files.get(match[2]) ?? [], match[3]]);
  }
  return out;
}

async function _grep(args: string[]): Promise<string> {
  // A glob that matches nothing stays as it is; grep -s says nothing of it.
  const out = await new Deno.Command("sh", {
    args: ["-c", `grep ${args.join(" ")}`],
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(out.stdout);
}

/** The processes under `root`/proc: uid, argv, environment (empty where not readable). */
export async function readProcesses(root: string): Promise<ProcessInfo[]> {
  const proc = `'${root.replaceAll("'", `'\\''`)}'/proc/[0-9]*`;
  const uids = parseGrepRecords(await _grep(["-H", "-s", "'^Uid:'", `${proc}/status`]), "\n");
  const lines = parseGrepRecords(
    await _grep(["-a", "-z", "-H", "-s", "''", `${proc}/cmdline`, `${proc}/environ`]),
    "\0",
  );
  const pids = new Set([...uids.keys(), ...lines.keys()]);
  return [...pids].sort((a, b) => a - b).map((pid) => {
    const files = lines.get(pid);
    return {
      pid,
      uid: uidOfStatus(uids.get(pid)?.get("status")?.[0] ?? ""),
      argv: (files?.get("cmdline") ?? []).filter((arg) => arg !== ""),
      env: parseEnviron((files?.get("environ") ?? []).join("\0")),
    };
  });
}

async function _readable(path: string): Promise<boolean> {
  try {
    (await Deno.open(path, { read: true })).close();
    return true;
  } catch {
    return false;
  }
}

/**
 * The display the user `uid` may open (root: any), its X authority and how it was found — or
 * why there is none, in words for the session's log. `seat`: the displays of the seat's
 * active graphical sessions (`seatDisplays()`), preferred when root chooses.
 */
export async function findUserDisplay(
  options: { uid: number; root?: string; seat?: readonly string[] },
): Promise<UserDisplayChoice> {
  const root = (options.root ?? "/").replace(/\/$/, "");
  const { uid } = options;
  const processes = await readProcesses(root);
  // Only displays with a socket here: the app connects through it.
  const servers = new Map(
    (await findXServers({ root, processes, socketsOnly: true })).map((s) => [s.display, s]),
  );
  const uidOf = (pid: number) => processes.find((p) => p.pid === pid)?.uid ?? null;
  const path = (file: string) => `${root}${file}`;
  const candidates: Candidate[] = [];
  /** Why each X server was passed over, for the words when none is left. */
  const passed: string[] = [];
  for (const { uid: owner, env } of processes) {
    if (owner === null || (uid !== 0 && owner !== uid)) continue;
    const display = localDisplay(env.get("DISPLAY"));
    const server = display ? servers.get(display) : undefined;
    if (!display || !server) continue;
    const home = env.get("HOME");
    const authority = env.get("XAUTHORITY") ??
      (home && await _readable(path(`${home}/.Xauthority`)) ? `${home}/.Xauthority` : null);
    if (authority && !await _readable(path(authority))) continue;
    if (candidates.some((c) => c.display === display && c.authority === authority)) continue;
    candidates.push({ display, authority, uid: owner, server, from: "session" });
  }
  for (const server of servers.values()) {
    const owner = server.pid ? uidOf(server.pid) : null;
    const what = `${server.display} ${server.program || "(socket only)"}`;
    if (owner === null || (uid !== 0 && owner !== uid)) {
      passed.push(`${what}: ${owner === null ? "owner unknown" : `another user's (uid ${owner})`}`);
      continue;
    }
    if (!server.authority) {
      passed.push(`${what}: no -auth`);
      continue;
    }
    if (!await _readable(path(server.authority))) {
      passed.push(`${what}: its X authority ${server.authority} cannot be read`);
      continue;
    }
    candidates.push({
      display: server.display,
      authority: server.authority,
      uid: owner,
      server,
      from: "server",
    });
  }
  const usable = candidates.filter((c) => c.server.program !== "Xwayland");
  const seat = options.seat ?? [];
  const rank = (c: Candidate) =>
    (seat.includes(c.display) ? 0 : 4) + (c.from === "session" ? 0 : 2) +
    (c.uid !== 0 ? 0 : 1);
  usable.sort((a, b) =>
    rank(a) - rank(b) || Number(a.display.slice(1)) - Number(b.display.slice(1))
  );
  const best = usable[0];
  if (best) {
    const program = best.server.program || "an X server";
    return {
      ok: true,
      display: best.display,
      authority: best.authority,
      how: best.from === "session"
        ? `the desktop session of uid ${best.uid} on ${best.display} (${program})`
        : `${program} of uid ${best.uid} on ${best.display}, its -auth file`,
    };
  }
  if (candidates.length > 0) {
    return {
      ok: false,
      reason: "waylandOnly",
      why: `the desktop of uid ${uid} is a Wayland session (only Xwayland on ` +
        `${[...new Set(candidates.map((c) => c.display))].join(", ")}), which cannot be captured`,
    };
  }
  return {
    ok: false,
    reason: "noUserDisplay",
    why: `no X11 desktop of uid ${uid} runs here` +
      (passed.length > 0 ? ` (${passed.join("; ")})` : " (no X server runs)"),
  };
}
