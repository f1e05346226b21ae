/**
 * The calling thread's CPU time in milliseconds (Linux: clock_gettime with
 * CLOCK_THREAD_CPUTIME_ID through libc), or null where it cannot be read. Motion mode
 * (screen.ts) judges what a frame costs the encoder by it: on a busy machine the wall time of
 * an encode also counts the time other processes held the CPU, which halving the picture
 * would not give back.
 */
const CLOCK_THREAD_CPUTIME_ID = 3;

let clock: (() => number) | null | undefined;

export function threadCpuClock(): (() => number) | null {
  if (clock !== undefined) return clock;
  clock = null;
  if (Deno.build.os !== "linux") return clock;
  try {
    const libc = Deno.dlopen("libc.so.6", {
      clock_gettime: { parameters: ["i32", "buffer"], result: "i32" },
    });
    const spec = new BigInt64Array(2);
    const read = () => {
      if (libc.symbols.clock_gettime(CLOCK_THREAD_CPUTIME_ID, spec) !== 0) return NaN;
      return Number(spec[0]) * 1000 + Number(spec[1]) / 1e6;
    };
    if (Number.isFinite(read())) clock = read;
  } catch {
    // no libc to call: wall time only
  }
  return clock;
}

const CLOCK_PROCESS_CPUTIME_ID = 2;

let clocks: { thread: () => number; process: () => number } | undefined;

/**
 * The calling thread's and the whole process's CPU time (ms), for work done on other threads
 * (an encoder coding on Deno's blocking pool: process − calling thread over the call). Where
 * they cannot be read both are wall time, and the difference is zero.
 */
export function cpuClocks(): { thread: () => number; process: () => number } {
  if (clocks) return clocks;
  const wall = () => performance.now();
  clocks = { thread: wall, process: wall };
  const thread = threadCpuClock();
  if (!thread) return clocks;
  try {
    const libc = Deno.dlopen("libc.so.6", {
      clock_gettime: { parameters: ["i32", "buffer"], result: "i32" },
    });
    const spec = new BigInt64Array(2);
    const process = () => {
      if (libc.symbols.clock_gettime(CLOCK_PROCESS_CPUTIME_ID, spec) !== 0) return NaN;
      return Number(spec[0]) * 1000 + Number(spec[1]) / 1e6;
    };
    if (Number.isFinite(process())) clocks = { thread, process };
  } catch {
    // wall time only
  }
  return clocks;
}
