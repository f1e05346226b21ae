/**
 * `bench:files`' measuring tape for the processes under test: the wall time of a step, the
 * peak resident memory of each process during it, and the CPU time each used (user + system,
 * from /proc) — the CPU seconds per GB do not depend on how busy the shared machine is, the
 * MB/s do. With a trace folder, the resident memory of every process is written every 100 ms
 * (`rss.csv`: step, seconds into it, process, MiB), to see whether it stays flat or climbs.
 */
import { rssMiB, sleep } from "../bench_common.ts";

/** The CPU seconds (user + system) process `pid` has used so far; 0 once it is gone. */
export async function cpuSeconds(pid: number): Promise<number> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    // The command name (2nd field) may hold spaces: count fields after its closing ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 a second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** A process under test and the name it has in the trace. */
export interface Watched {
  name: string;
  pid: number;
}

export interface Probed<T> {
  result: T;
  seconds: number;
  /** Peak RSS per process, MiB. */
  peaks: number[];
  /** CPU seconds per process used during the step. */
  cpu: number[];
}

export class Probe {
  #lines: string[] = [];
  constructor(readonly traceDir: string | null) {}

  /** Runs `work` while sampling the processes (the bench itself too: it plays the browser). */
  async step<T>(name: string, watched: Watched[], work: () => Promise<T>): Promise<Probed<T>> {
    const pids = watched.map((w) => w.pid);
    const peaks = pids.map(() => 0);
    const cpuBefore = await Promise.all(pids.map(cpuSeconds));
    let on = true;
    const started = performance.now();
    const sampler = (async () => {
      let last = 0;
      while (on) {
        const now = performance.now();
        const rss = await Promise.all(pids.map(rssMiB));
        rss.forEach((mib, i) => peaks[i] = Math.max(peaks[i], mib));
        if (this.traceDir && now - last >= 100) {
          last = now;
          const at = ((now - started) / 1000).toFixed(2);
          rss.forEach((mib, i) => this.#lines.push(`${name},${at},${watched[i].name},${mib}`));
        }
        await sleep(50);
      }
    })();
    const result = await work();
    const seconds = (performance.now() - started) / 1000;
    on = false;
    await sampler;
    const cpuAfter = await Promise.all(pids.map(cpuSeconds));
    return { result, seconds, peaks, cpu: cpuAfter.map((after, i) => after - cpuBefore[i]) };
  }

  /** Writes the RSS samples (when tracing). */
  async save() {
    if (!this.traceDir) return;
    const csv = ["step,seconds,process,mib", ...this.#lines].join("\n") + "\n";
    await Deno.writeTextFile(`${this.traceDir}/rss.csv`, csv);
  }
}
