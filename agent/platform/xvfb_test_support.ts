/**
 * Test support: a private Xvfb server and a way to run X client programs against it.
 * Used by the platform tests and by any test that needs a real X display (e.g. an agent
 * end-to-end test). Needs the Debian packages `xvfb` and `x11-utils`.
 */

/** A running Xvfb; `stop()` kills it and waits for it to exit. */
export interface Xvfb {
  /** e.g. ":93" */
  display: string;
  width: number;
  height: number;
  /** The Xvfb process (for its CPU). */
  pid: number;
  stop(): Promise<void>;
}

export interface StartXvfbOptions {
  width?: number;
  height?: number;
  /** Display numbers to try, in order (default 90–99); taken ones are skipped. */
  displays?: number[];
}

const READY_TIMEOUT_MS = 10_000;

/** Starts Xvfb (24-bit, MIT-SHM) on the first free display number and waits until it answers. */
export async function startXvfb(options: StartXvfbOptions = {}): Promise<Xvfb> {
  const width = options.width ?? 1280;
  const height = options.height ?? 720;
  const numbers = options.displays ?? [90, 91, 92, 93, 94, 95, 96, 97, 98, 99];
  const failures: string[] = [];
  for (const n of numbers) {
    if (await displayTaken(n)) continue;
    const started = await _tryDisplay(n, width, height);
    if (typeof started !== "string") return started;
    failures.push(`:${n}: ${started}`);
  }
  throw new Error(`No free display for Xvfb among :${numbers.join(", :")}\n${failures.join("\n")}`);
}

async function _tryDisplay(n: number, width: number, height: number): Promise<Xvfb | string> {
  const display = `:${n}`;
  const child = new Deno.Command("Xvfb", {
    args: [
      display,
      "-screen",
      "0",
      `${width}x${height}x24`,
      "+extension",
      "MIT-SHM",
      "-nolisten",
      "tcp",
      "-noreset",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let log = "";
  const logDone = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (chunk) => void (log += chunk) }),
  ).catch(() => {});
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  const stop = async () => {
    if (!exited) child.kill("SIGTERM");
    await status;
    await logDone;
  };
  if (await displayAnswers(display, READY_TIMEOUT_MS, () => exited)) {
    if (await displayOwnedBy(n, child.pid)) {
      return { display, width, height, pid: child.pid, stop };
    }
    await stop();
    return "taken by another X server as ours started";
  }
  await stop();
  return exited
    ? `Xvfb exited: ${log.trim().split("\n").slice(-3).join(" / ")}`
    : "not ready in time";
}

/**
 * Whether the X server answering on display `n` is process `pid` (its lock file names it).
 * Tests run in several processes at once (tools/run_tests.ts): two may pick the same free
 * display; the loser's server exits, but the display may answer first — the winner's.
 */
export async function displayOwnedBy(n: number, pid: number): Promise<boolean> {
  try {
    return Number((await Deno.readTextFile(`/tmp/.X${n}-lock`)).trim()) === pid;
  } catch {
    return false;
  }
}

/** Whether display `n` is in use (its lock file or socket exists). */
export async function displayTaken(n: number): Promise<boolean> {
  return await _exists(`/tmp/.X${n}-lock`) || await _exists(`/tmp/.X11-unix/X${n}`);
}

/** Polls `xdpyinfo` until the display answers (true), or `gone()` or `ms` passed (false). */
export async function displayAnswers(
  display: string,
  ms: number,
  gone: () => boolean,
): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!gone() && Date.now() < deadline) {
    const probe = await new Deno.Command("xdpyinfo", {
      args: ["-display", display],
      stdout: "null",
      stderr: "null",
    }).output();
    if (probe.success) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

async function _exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Runs an X client (xdotool, xclip, …) on `display`; its stdout, or throws with stderr. */
export async function runX(
  display: string,
  command: string,
  args: string[],
  options: { stdin?: string; env?: Record<string, string> } = {},
): Promise<string> {
  const child = new Deno.Command(command, {
    args,
    env: { DISPLAY: display, ...options.env },
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const out = await child.output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim();
    throw new Error(`${command} ${args.join(" ")} failed (${out.code}): ${err}`);
  }
  return text;
}
