// Process and port helpers shared by the harness and the contenders: spawning with logs
// to files, killing process trees, free loopback ports, and CPU time from /proc.

/** Every process started through `spawn`, so the harness can kill leftovers on any exit. */
const started = new Set<Deno.ChildProcess>();

/** Directory the spawned processes' output goes to (set by the harness; temp by default). */
let logDir: string | undefined;
export function setLogDir(dir: string) {
  logDir = dir;
}
export async function getLogDir(): Promise<string> {
  logDir ??= await Deno.makeTempDir({ prefix: "bench-remote-" });
  return logDir;
}

/**
 * The harness's log directory for this run, emptied: `dir`, unless another run in the same
 * checkout still uses it (its pid in `<dir>.pid`), then a fresh temporary one. Sharing it, each
 * run removed the other's logs, and a contender that finds its agent by the `PAGE` line of
 * `rescue-agent.log` opened the other run's customer page (its viewer never got a picture).
 */
export async function claimLogDir(
  dir: string,
): Promise<{ dir: string; release: () => Promise<void> }> {
  const pidFile = `${dir.replace(/\/+$/, "")}.pid`;
  const mine = String(Deno.pid);
  await Deno.mkdir(pidFile.slice(0, pidFile.lastIndexOf("/")) || ".", { recursive: true });
  const take = (createNew: boolean) => Deno.writeTextFile(pidFile, mine, { createNew });
  try {
    await take(true);
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    const holder = (await Deno.readTextFile(pidFile).catch(() => "")).trim();
    const alive = /^\d+$/.test(holder) && holder !== mine &&
      await Deno.stat(`/proc/${holder}`).then(() => true, () => false);
    if (alive) {
      const own = await Deno.makeTempDir({ prefix: "bench-remote-logs-" });
      return { dir: `${own}/`, release: () => Promise.resolve() };
    }
    await take(false); // left by a run that is gone
  }
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(dir, { recursive: true });
  const release = async () => {
    const holder = await Deno.readTextFile(pidFile).catch(() => "");
    if (holder.trim() === mine) await Deno.remove(pidFile).catch(() => {});
  };
  return { dir, release };
}

export interface Spawned {
  pid: number;
  child: Deno.ChildProcess;
  /** Path of the file holding its stdout and stderr. */
  log: string;
  /** SIGTERM to it and its descendants, SIGKILL after `graceMs`; resolves when it exited. */
  kill(graceMs?: number): Promise<void>;
}

/** Starts `cmd args…`, its stdout and stderr appended to `<logDir>/<name>.log`. */
export async function spawn(
  name: string,
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<Spawned> {
  const log = `${await getLogDir()}/${name}.log`;
  const file = await Deno.open(log, { create: true, append: true });
  const child = new Deno.Command(cmd, {
    args,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  started.add(child);
  const enc = new TextEncoder();
  const sink = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) await file.write(chunk).catch(() => 0);
  };
  const drained = Promise.all([sink(child.stdout), sink(child.stderr)]).catch(() => {});
  await file.write(enc.encode(`# ${cmd} ${args.join(" ")}\n`));
  child.status.then(() => started.delete(child));
  return {
    pid: child.pid,
    child,
    log,
    async kill(graceMs = 2000) {
      await killTree(child.pid, graceMs);
      await child.status;
      await drained;
      file.close();
    },
  };
}

/** Kills every process still running that `spawn` started (and their descendants). */
export async function killAllSpawned(): Promise<void> {
  await Promise.all([...started].map(async (child) => {
    await killTree(child.pid, 1500);
    await child.status;
  }));
}

interface ProcStat {
  pid: number;
  ppid: number;
  state: string;
  /** utime + stime + cutime + cstime, in clock ticks. */
  ticks: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // comm (field 2) may hold spaces and parentheses: fields after the last ')'.
    const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
    const n = (i: number) => Number(rest[i]);
    return { pid, ppid: n(1), state: rest[0], ticks: n(11) + n(12) + n(13) + n(14) };
  } catch {
    return undefined; // gone
  }
}

function allStats(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const s = readStat(Number(entry.name));
    if (s) out.push(s);
  }
  return out;
}

/** Live direct children of `pid`. */
export function childrenOf(pid: number): number[] {
  return allStats().filter((s) => s.ppid === pid && s.state !== "Z").map((s) => s.pid);
}

/** `roots` and all their live descendants. */
export function processTree(roots: number[]): number[] {
  const stats = allStats();
  const children = new Map<number, number[]>();
  for (const s of stats) {
    const list = children.get(s.ppid) ?? [];
    list.push(s.pid);
    children.set(s.ppid, list);
  }
  const alive = new Set(stats.map((s) => s.pid));
  const out: number[] = [];
  const queue = roots.filter((p) => alive.has(p));
  const seen = new Set<number>();
  while (queue.length) {
    const pid = queue.shift()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/**
 * CPU time in clock ticks used so far by `roots` and their descendants: utime + stime of
 * each, plus cutime + cstime (children that already exited and were reaped by one of
 * them). The difference of two readings is the CPU used in between.
 */
export function cpuTicks(roots: number[]): number {
  let sum = 0;
  for (const pid of processTree(roots)) sum += readStat(pid)?.ticks ?? 0;
  return sum;
}

/** Displays the one-process tools here start their own Xvfb on (:70–:89; bench:remote's is :90+). */
export const XVFB_DISPLAYS = [...Array(20).keys()].map((i) => 70 + i);

/** CPU time (ms) `pid` ("self": this process) has used so far, all its threads: utime + stime. */
export function processCpuMs(pid: number | "self"): number {
  const fields = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 1000 / clockTicksPerSecond();
}

let clkTck: number | undefined;
/** `getconf CLK_TCK` (100 on Linux). */
export function clockTicksPerSecond(): number {
  if (clkTck === undefined) {
    try {
      const out = new Deno.Command("getconf", { args: ["CLK_TCK"], stdout: "piped" }).outputSync();
      clkTck = Number(new TextDecoder().decode(out.stdout).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

function alive(pid: number): boolean {
  const s = readStat(pid);
  return s !== undefined && s.state !== "Z";
}

/** SIGTERM to `pid` and its descendants (deepest first); SIGKILL to survivors after grace. */
export async function killTree(pid: number, graceMs = 2000): Promise<void> {
  const tree = processTree([pid]).reverse();
  for (const p of tree) {
    try {
      Deno.kill(p, "SIGTERM");
    } catch {
      // already gone
    }
  }
  const deadline = performance.now() + graceMs;
  while (tree.some(alive) && performance.now() < deadline) await sleep(50);
  for (const p of tree.filter(alive)) {
    try {
      Deno.kill(p, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export { freePort } from "../bench_common.ts";

/** Resolves once something accepts TCP connections on 127.0.0.1:`port`. */
export async function waitForPort(port: number, timeoutMs = 15_000, what = "port"): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      return;
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`${what}: nothing listening on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

/** First executable found among `candidates` (absolute paths or names on PATH). */
export function which(...candidates: string[]): string | undefined {
  const path = (Deno.env.get("PATH") ?? "").split(":");
  for (const c of candidates) {
    const options = c.startsWith("/") ? [c] : path.map((d) => `${d}/${c}`);
    for (const p of options) {
      try {
        const info = Deno.statSync(p);
        if (info.isFile && (info.mode ?? 0) & 0o111) return p;
      } catch {
        // not there
      }
    }
  }
  return undefined;
}

/** Busy and total CPU time of the whole machine so far, in clock ticks (all cores). */
export function machineTicks(): { busy: number; total: number } {
  const line = Deno.readTextFileSync("/proc/stat").split("\n")[0];
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number); // user … steal
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: total - v[3] - v[4], total }; // minus idle and iowait
}
