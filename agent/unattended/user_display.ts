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
 */
import { findXServers, namesIn, textOf, type XServer } from "./display_finder.ts";

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
  const servers = new Map((await findXServers({ root })).map((s) => [s.display, s]));
  const uidOf = async (pid: number | string) =>
    uidOfStatus(await textOf(`${root}/proc/${pid}/status`) ?? "");
  const path = (file: string) => `${root}${file}`;
  const candidates: Candidate[] = [];
  for (const name of await namesIn(`${root}/proc`)) {
    if (!/^\d+$/.test(name)) continue;
    const owner = await uidOf(name);
    if (owner === null || (uid !== 0 && owner !== uid)) continue;
    const raw = await textOf(`${root}/proc/${name}/environ`);
    if (!raw) continue;
    const env = parseEnviron(raw);
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
    if (!server.pid || !server.authority) continue;
    const owner = await uidOf(server.pid);
    if (owner === null || (uid !== 0 && owner !== uid)) continue;
    if (!await _readable(path(server.authority))) continue;
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
    why: `no X11 desktop of uid ${uid} runs here (${servers.size} X server(s) found, none ` +
      "of this user's or with an X authority it may read)",
  };
}
