// What the agent's loop costs while the screen and the pointer are still, part by part: the
// damage-driven loop of agent/screen.ts wakes every SLOW_MS (33 ms) to look at the pointer
// (DamageWatcher.wait timing out, then take() and cursor()) — what it still does where the watcher
// reports no pointer events (no libXi or XInput 2; with them it looks 4 times a second). Each
// mode runs for SECONDS on a private 1920×1080 Xvfb; CPU of this process (all threads) and of the
// Xvfb, % of one core.
//   deno run -A tools/bench_remote/agent_still_loop.ts [seconds=15] [mode,…]
// Modes: nothing (one long sleep: the process's own floor), sleep (a 33 ms timer loop),
// wait (poll(2) on the X connection for 33 ms), wait+take, wait+take+cursor.
import { openX11Desktop } from "../../agent/platform/x11.ts";

const SECONDS = Number(Deno.args[0] ?? 15);
const MODES = Deno.args[1]?.split(",") ??
  ["nothing", "sleep", "wait", "wait+take", "wait+take+cursor"];
const CLK_TCK = 100;

const display = [...Array(20).keys()].map((i) => 70 + i)
  .find((n) => !exists(`/tmp/.X11-unix/X${n}`) && !exists(`/tmp/.X${n}-lock`));
if (display === undefined) throw new Error("no free X display among :70–:89");
const xvfb = new Deno.Command("Xvfb", {
  args: [
    `:${display}`,
    "-screen",
    "0",
    "1920x1080x24",
    "+extension",
    "MIT-SHM",
    "-nolisten",
    "tcp",
  ],
  stdout: "null",
  stderr: "null",
}).spawn();
try {
  for (let i = 0; i < 50 && !exists(`/tmp/.X11-unix/X${display}`); i++) await sleep(100);
  const desktop = openX11Desktop(`:${display}`);
  const watcher = desktop.damage!()!;
  desktop.grab();
  await watcher.wait(100);
  watcher.take();
  for (const mode of MODES) {
    const [self0, x0, t0] = [cpuMs("self"), cpuMs(String(xvfb.pid)), performance.now()];
    let n = 0;
    while (performance.now() - t0 < SECONDS * 1000) {
      if (mode === "nothing") await sleep(SECONDS * 1000);
      else if (mode === "sleep") await sleep(33);
      else await watcher.wait(33);
      if (mode.includes("take")) watcher.take();
      if (mode.includes("cursor")) desktop.cursor();
      n++;
    }
    const s = (performance.now() - t0) / 1000;
    const pct = (ms: number) => (ms / s / 10).toFixed(2);
    console.log(
      `${mode.padEnd(17)} ${(n / s).toFixed(1).padStart(4)} wake-ups/s: this process ${
        pct(cpuMs("self") - self0)
      } %, Xvfb ${pct(cpuMs(String(xvfb.pid)) - x0)} %`,
    );
  }
  watcher.close();
} finally {
  xvfb.kill();
  await xvfb.status;
}

function cpuMs(pid: string): number {
  const fields = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 1000 / CLK_TCK;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
