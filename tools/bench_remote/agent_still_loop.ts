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
import { startXvfb } from "../../agent/platform/xvfb_test_support.ts";
import { processCpuMs, sleep, XVFB_DISPLAYS } from "./proc.ts";

const SECONDS = Number(Deno.args[0] ?? 15);
const MODES = Deno.args[1]?.split(",") ??
  ["nothing", "sleep", "wait", "wait+take", "wait+take+cursor"];

const xvfb = await startXvfb({ width: 1920, height: 1080, displays: XVFB_DISPLAYS });
try {
  const desktop = openX11Desktop(xvfb.display);
  const watcher = desktop.damage!()!;
  desktop.grab();
  await watcher.wait(100);
  watcher.take();
  for (const mode of MODES) {
    const [self0, x0, t0] = [processCpuMs("self"), processCpuMs(xvfb.pid), performance.now()];
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
        pct(processCpuMs("self") - self0)
      } %, Xvfb ${pct(processCpuMs(xvfb.pid) - x0)} %`,
    );
  }
  watcher.close();
} finally {
  await xvfb.stop();
}
