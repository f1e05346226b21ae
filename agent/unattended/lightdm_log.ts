/**
 * What LightDM's GTK greeter is asking for right now — a user name, or the password of a user
 * it has already chosen — read from LightDM's own log, so that the keys typed fit the screen.
 * A real greeter (agent/unattended/lightdm_test.ts) is not always in the state it starts in:
 * after a refused password it keeps the user name and waits in the password field; with its
 * user list shown (`greeter-hide-users=false`) it starts on the first user's password. Typing
 * "user name, Enter, password, Enter" there sends the user name as a password — a failed
 * attempt on that account — and the real password while the greeter is still busy refusing it.
 *
 * LightDM writes each step of the greeter's conversation to its log (`lightdm.log`, always,
 * not only with --debug): `Session pid=N: Running command …lightdm-gtk-greeter` when it starts
 * the greeter (N is the greeter's parent, LightDM's session child), then `Greeter start
 * authentication` (it asks a user name) or `Greeter start authentication for <user>` (it asks
 * that user's password) each time the greeter begins again. The last such line after the
 * greeter started is what it asks now. The log is found from the LightDM that started the
 * greeter: its `--log-dir`, else `log-directory` in its `--config` file or in the system's
 * configuration, else /var/log/lightdm. Root reads it (the service runs as root); where it
 * cannot be read the greeter's usual keys are typed, as before.
 */
import { namesIn, textOf } from "./display_finder.ts";

/**
 * What the greeter asks for; `listed` when it started on a user (its user list is shown);
 * `seen`, how many times it began asking (it grows with each user chosen in the list);
 * `prompted`, whether PAM's question has reached it since (`Prompt greeter with …`): until
 * then it may still clear the field that keys go into.
 */
export type GreeterAsk =
  | { asks: "name"; listed: boolean; seen: number; prompted: boolean }
  | {
    asks: "password";
    user: string;
    listed: boolean;
    seen: number;
    prompted: boolean;
    /** The user came from its name field (no list, or the list's "Other…"): it is still there. */
    nameField: boolean;
  };

const START = /Greeter start authentication(?: for (.+))?$/;

/**
 * What the greeter started by LightDM's session child `sessionPid` asks for now, from the text
 * of LightDM's log; null when the log does not show that greeter asking anything yet.
 */
export function greeterAskFromLog(log: string, sessionPid: number): GreeterAsk | null {
  const lines = log.split("\n");
  const started = lines.findLastIndex((line) =>
    line.includes(`Session pid=${sessionPid}: Running command `)
  );
  if (started < 0) return null;
  let first: RegExpExecArray | null = null;
  let last: RegExpExecArray | null = null;
  let seen = 0;
  let prompted = false;
  // The users asked about since the name field last asked (null: it never did).
  let sinceName: Set<string> | null = null;
  for (const line of lines.slice(started + 1)) {
    // Another greeter started after this one: the lines that follow are not this one's.
    if (/: Running command \S*greeter\b/.test(line)) break;
    if (line.includes("Prompt greeter with ")) prompted = true;
    const match = START.exec(line.trimEnd());
    if (!match) continue;
    first ??= match;
    last = match;
    seen++;
    prompted = false;
    if (match[1] === undefined) sinceName = new Set();
    else sinceName?.add(match[1]);
  }
  if (!first || !last) return null;
  const listed = first[1] !== undefined;
  if (last[1] === undefined) return { asks: "name", listed, seen, prompted };
  // A name typed in the field, refused, asked again: one user since the field asked.
  const nameField = !listed || (sinceName !== null && sinceName.size === 1);
  return { asks: "password", user: last[1], listed, seen, prompted, nameField };
}

/** The parent of process `pid` (from /proc/<pid>/stat), or null. */
async function _parent(root: string, pid: number): Promise<number | null> {
  const stat = await textOf(`${root}/proc/${pid}/stat`);
  if (!stat) return null;
  // "pid (comm) state ppid …": the name may hold spaces and parentheses; the last ")" ends it.
  const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  return Number.isInteger(ppid) && ppid > 0 ? ppid : null;
}

async function _argv(root: string, pid: number): Promise<string[]> {
  return ((await textOf(`${root}/proc/${pid}/cmdline`)) ?? "").split("\0").filter(Boolean);
}

/** An option's value from an argv: `--name=value`, `--name value`, or the short `-c value`. */
function _option(argv: readonly string[], long: string, short?: string): string | null {
  for (let i = 1; i < argv.length; i++) {
    if (argv[i].startsWith(`${long}=`)) return argv[i].slice(long.length + 1);
    if ((argv[i] === long || (short && argv[i] === short)) && i + 1 < argv.length) {
      return argv[i + 1];
    }
  }
  return null;
}

/** `log-directory` in the [LightDM] section of a configuration file's text, or null. */
export function logDirectoryIn(config: string): string | null {
  let section = "";
  let found: string | null = null;
  for (const raw of config.split("\n")) {
    const line = raw.trim();
    const header = /^\[(.+)\]$/.exec(line);
    if (header) section = header[1];
    else if (section === "LightDM") {
      const match = /^log-directory\s*=\s*(.+)$/.exec(line);
      if (match) found = match[1].trim();
    }
  }
  return found;
}

/** The configuration LightDM reads without --config, in its order (the last setting wins). */
async function _systemConfig(root: string): Promise<string[]> {
  const files: string[] = [];
  for (const dir of ["/usr/share/lightdm/lightdm.conf.d", "/etc/lightdm/lightdm.conf.d"]) {
    const names = (await namesIn(`${root}${dir}`)).filter((n) => n.endsWith(".conf")).sort();
    files.push(...names.map((name) => `${root}${dir}/${name}`));
  }
  return [...files, `${root}/etc/lightdm/lightdm.conf`];
}

/**
 * What the LightDM GTK greeter process `greeterPid` asks for, from the log of the LightDM that
 * started it (`root` is for tests: a folder holding a fake `proc` and `etc`); null when that
 * cannot be told — not started by LightDM, its log unreadable, nothing asked yet.
 */
export async function readGreeterAsk(
  greeterPid: number,
  options: { root?: string } = {},
): Promise<GreeterAsk | null> {
  const root = (options.root ?? "/").replace(/\/$/, "");
  const sessionPid = await _parent(root, greeterPid);
  const daemonPid = sessionPid && await _parent(root, sessionPid);
  if (!sessionPid || !daemonPid) return null;
  const argv = await _argv(root, daemonPid);
  if ((argv[0] ?? "").split("/").pop() !== "lightdm") return null;
  let dir = _option(argv, "--log-dir");
  const config = _option(argv, "--config", "-c");
  if (!dir) {
    for (const file of config ? [`${root}${config}`] : await _systemConfig(root)) {
      dir = logDirectoryIn((await textOf(file)) ?? "") ?? dir;
    }
  }
  const log = await textOf(`${root}${dir ?? "/var/log/lightdm"}/lightdm.log`);
  return log === null ? null : greeterAskFromLog(log, sessionPid);
}

const UP = 0xff52;
const DOWN = 0xff54;

/**
 * With its user list shown on another user, moves the LightDM GTK greeter's choice to `user`:
 * in its password field Up and Down choose the previous and next user of the list (and it
 * begins asking that user's password, a new line in the log). Up until the top (no new line
 * within `waitMs`), then Down until the bottom, stopping at `user` — or at "Other…" (it asks a
 * user name: the name is typed there). Only arrow keys: nothing of the credentials is typed
 * here. Returns what the greeter asks at the end.
 */
export async function chooseListedUser(
  desktop: { key(keysym: number, down: boolean): void },
  greeterPid: number,
  user: string,
  options: { root?: string; waitMs?: number } = {},
): Promise<GreeterAsk | null> {
  let ask = await readGreeterAsk(greeterPid, options);
  for (const key of [UP, DOWN]) {
    for (let moves = 0; ask && moves < 200; moves++) {
      if (ask.asks === "name" || ask.user === user) return ask;
      desktop.key(key, true);
      desktop.key(key, false);
      const before: GreeterAsk = ask;
      const until = Date.now() + (options.waitMs ?? 1500);
      let now = await readGreeterAsk(greeterPid, options);
      while ((now?.seen ?? 0) <= before.seen && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        now = await readGreeterAsk(greeterPid, options);
      }
      if (!now || now.seen <= before.seen) break; // the end of the list this way
      ask = now;
    }
  }
  return ask;
}

/**
 * Waits (at most `ms`) until the greeter asks a question it was not asking at `after` (its
 * `seen`), and PAM's prompt has reached it: where the keys typed next belong. Returns what
 * it asks then, or the last thing read.
 */
export async function waitForPrompt(
  greeterPid: number,
  after: number,
  options: { root?: string; ms?: number } = {},
): Promise<GreeterAsk | null> {
  const until = Date.now() + (options.ms ?? 5000);
  for (;;) {
    const ask = await readGreeterAsk(greeterPid, options);
    if ((ask && ask.seen > after && ask.prompted) || Date.now() >= until) return ask;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
