/**
 * The process list from /proc: each process's stat, status and command line, CPU share
 * measured over a short interval (two readings of its ticks), user by name.
 */
import type { ProcessRow } from "../../../protocol/system.ts";
import { readText } from "../run.ts";
import { parseCmdline, parseProcStat, parseProcStatus, type ProcStat } from "./proc.ts";

/** USER_HZ: the kernel reports process times in 1/100 s on every Linux ABI. */
const TICKS_PER_SECOND = 100;

interface Reading {
  stat: ProcStat;
  at: number;
}

async function _pids(root: string): Promise<number[]> {
  const pids: number[] = [];
  for await (const entry of Deno.readDir(root)) {
    if (/^\d+$/.test(entry.name)) pids.push(Number(entry.name));
  }
  return pids;
}

async function _readStats(root: string, pids: number[]): Promise<Map<number, Reading>> {
  const out = new Map<number, Reading>();
  await Promise.all(pids.map(async (pid) => {
    const text = await readText(`${root}/${pid}/stat`);
    const stat = text ? parseProcStat(text) : undefined;
    if (stat) out.set(pid, { stat, at: performance.now() });
  }));
  return out;
}

export interface ProcessListOptions {
  /** /proc, or a fixture tree in tests. */
  root?: string;
  sampleMs?: number;
  bootTimeMs?: number;
  userNames?: Map<number, string>;
}

/** Every process, busiest first. */
export async function listProcesses(options: ProcessListOptions = {}): Promise<ProcessRow[]> {
  const root = options.root ?? "/proc";
  const pids = await _pids(root);
  const first = await _readStats(root, pids);
  await new Promise((r) => setTimeout(r, options.sampleMs ?? 300));
  const second = await _readStats(root, [...first.keys()]);
  const rows: ProcessRow[] = [];
  await Promise.all([...second.values()].map(async ({ stat, at }) => {
    const before = first.get(stat.pid)!;
    const seconds = (at - before.at) / 1000;
    const used = (stat.ticks - before.stat.ticks) / TICKS_PER_SECOND;
    const [status, cmdline] = await Promise.all([
      readText(`${root}/${stat.pid}/status`),
      readText(`${root}/${stat.pid}/cmdline`),
    ]);
    if (status === undefined) return; // ended meanwhile
    const { uid, rssBytes } = parseProcStatus(status);
    const started = options.bootTimeMs === undefined
      ? null
      : new Date(options.bootTimeMs + (stat.startTicks / TICKS_PER_SECOND) * 1000).toISOString();
    rows.push({
      pid: stat.pid,
      ppid: stat.ppid,
      user: uid === undefined ? "" : (options.userNames?.get(uid) ?? String(uid)).slice(0, 64),
      name: stat.name.slice(0, 64),
      command: (cmdline ? parseCmdline(cmdline) : `[${stat.name}]`).slice(0, 1000),
      state: stat.state.slice(0, 2),
      cpuPercent: seconds > 0 ? Math.round(Math.max(0, used / seconds) * 1000) / 10 : 0,
      cpuSeconds: stat.ticks / TICKS_PER_SECOND,
      memoryBytes: rssBytes,
      threads: Math.max(0, stat.threads || 0),
      startedAt: started,
    });
  }));
  return rows.sort((a, b) => b.cpuPercent - a.cpuPercent || b.cpuSeconds - a.cpuSeconds);
}

/** One process as it is now (its name and start, to tell it from a later one with its PID). */
export async function readProcess(
  pid: number,
  root = "/proc",
): Promise<ProcStat | undefined> {
  const text = await readText(`${root}/${pid}/stat`);
  return text ? parseProcStat(text) : undefined;
}
