/**
 * CPU-time clocks in milliseconds (Linux: clock_gettime through libc). Motion mode (screen.ts)
 * judges what a frame costs the encoder by them: on a busy machine the wall time of an encode
 * also counts the time other processes held the CPU, which halving the picture would not give
 * back.
 */
const CLOCK_PROCESS_CPUTIME_ID = 2;
const CLOCK_THREAD_CPUTIME_ID = 3;

let gettime: ((id: number) => number) | null | undefined;

/** clock_gettime(id) in ms (NaN on failure); null where libc's cannot be called. */
function libcClock(): ((id: number) => number) | null {
  if (gettime !== undefined) return gettime;
  gettime = null;
  if (Deno.build.os !== "linux") return gettime;
  try {
    const libc = Deno.dlopen("libc.so.6", {
      clock_gettime: { parameters: ["i32", "buffer"], result: "i32" },
    });
    const spec = new BigInt64Array(2);
    gettime = (id) => {
      if (libc.symbols.clock_gettime(id, spec) !== 0) return NaN;
      return Number(spec[0]) * 1000 + Number(spec[1]) / 1e6;
    };
  } catch {
    // no libc to call: wall time only
  }
  return gettime;
}

/** A reader of clock `id`, or null when it cannot be read. */
function cpuClock(id: number): (() => number) | null {
  const read = libcClock();
  return read && Number.isFinite(read(id)) ? () => read(id) : null;
}

let threadClock: (() => number) | null | undefined;

/** The calling thread's CPU time, or null where it cannot be read. */
export function threadCpuClock(): (() => number) | null {
  if (threadClock === undefined) threadClock = cpuClock(CLOCK_THREAD_CPUTIME_ID);
  return threadClock;
}

let clocks: { thread: () => number; process: () => number } | undefined;

/**
 * The calling thread's and the whole process's CPU time, for work done on other threads (an
 * encoder coding on Deno's blocking pool: process − calling thread over the call). Where they
 * cannot be read both are wall time, and the difference is zero.
 */
export function cpuClocks(): { thread: () => number; process: () => number } {
  if (clocks) return clocks;
  const thread = threadCpuClock(), process = cpuClock(CLOCK_PROCESS_CPUTIME_ID);
  const wall = () => performance.now();
  clocks = thread && process ? { thread, process } : { thread: wall, process: wall };
  return clocks;
}
