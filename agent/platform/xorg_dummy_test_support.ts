/**
 * Test support: a private Xorg server on the `dummy` video driver with several screens
 * (monitors) side by side — real RandR outputs (DUMMY0, DUMMY1, …), as `xrandr
 * --listmonitors` shows on a desk with two monitors. Xvfb has one output and ignores
 * `xrandr --setmonitor`, so multi-monitor tests need this. Needs the Debian packages
 * `xserver-xorg-core`, `xserver-xorg-video-dummy` and `x11-xserver-utils` (xrandr); runs as
 * root, as CI does.
 */
import {
  displayAnswers,
  displayOwnedBy,
  displayTaken,
  runX,
  type Xvfb,
} from "./xvfb_test_support.ts";

const READY_TIMEOUT_MS = 15_000;

/**
 * Starts Xorg with `screens` (width × height each, left to right, the first primary) on the
 * first free display among 80–89 and waits until RandR lists them all.
 */
export async function startXorgDummy(
  screens: { width: number; height: number }[],
): Promise<Xvfb> {
  const width = screens.reduce((sum, s) => sum + s.width, 0);
  const height = Math.max(...screens.map((s) => s.height));
  const dir = await Deno.makeTempDir({ prefix: "xorg-dummy-" });
  const config = `${dir}/xorg.conf`;
  await Deno.writeTextFile(config, conf(width, height));
  for (let n = 80; n < 90; n++) {
    if (await displayTaken(n)) continue;
    const display = `:${n}`;
    const child = new Deno.Command("Xorg", {
      args: [
        display,
        "-config",
        config,
        "-configdir",
        `${dir}/none`,
        "-logfile",
        `${dir}/xorg.log`,
        "-noreset",
        "-nolisten",
        "tcp",
        "-novtswitch",
        "-sharevts",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    let exited = false;
    const status = child.status.then((s) => (exited = true, s));
    const stopServer = async () => {
      if (!exited) child.kill("SIGTERM");
      await status;
    };
    const stop = async () => {
      await stopServer();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    };
    const answers = await displayAnswers(display, READY_TIMEOUT_MS, () => exited);
    if (answers && await displayOwnedBy(n, child.pid)) {
      try {
        await layOut(display, screens, width, height);
        return { display, width, height, pid: child.pid, stop };
      } catch (error) {
        await stop();
        throw error;
      }
    }
    const timedOut = !answers && !exited;
    await stopServer(); // the next display reuses the config in `dir`
    if (timedOut) {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      throw new Error(`Xorg ${display} did not answer in time`);
    }
  }
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  throw new Error("No free display for Xorg among :80–:89");
}

/** One output per screen, at its place, each with a mode of its size. */
async function layOut(
  display: string,
  screens: { width: number; height: number }[],
  width: number,
  height: number,
) {
  await runX(display, "xrandr", ["--fb", `${width}x${height}`]);
  let x = 0;
  const made = new Set<string>();
  for (const [i, s] of screens.entries()) {
    const output = `DUMMY${i}`;
    // A mode of exactly this size (the dummy driver lists only a few): 60 Hz, simple timings.
    const mode = `test_${s.width}x${s.height}`;
    if (!made.has(mode)) {
      const [ht, vt] = [s.width + 160, s.height + 30];
      const clock = (ht * vt * 60 / 1e6).toFixed(2);
      await runX(display, "xrandr", [
        "--newmode",
        mode,
        clock,
        ...[s.width, s.width + 48, s.width + 80, ht].map(String),
        ...[s.height, s.height + 3, s.height + 8, vt].map(String),
      ]);
      made.add(mode);
    }
    await runX(display, "xrandr", ["--addmode", output, mode]);
    await runX(display, "xrandr", [
      "--output",
      output,
      "--mode",
      mode,
      "--pos",
      `${x}x0`,
      ...(i === 0 ? ["--primary"] : []),
    ]);
    x += s.width;
  }
  const listed = await runX(display, "xrandr", ["--listmonitors"]);
  if (!listed.startsWith(`Monitors: ${screens.length}`)) {
    throw new Error(`xrandr did not lay out ${screens.length} screens:\n${listed}`);
  }
}

function conf(width: number, height: number): string {
  return `Section "Device"
  Identifier "dummy"
  Driver "dummy"
  VideoRam ${Math.ceil((width * height * 4 * 2) / 1024) + 16384}
EndSection
Section "Monitor"
  Identifier "monitor"
  HorizSync 5.0-1000.0
  VertRefresh 5.0-200.0
EndSection
Section "Screen"
  Identifier "screen"
  Device "dummy"
  Monitor "monitor"
  DefaultDepth 24
  SubSection "Display"
    Depth 24
    Virtual ${width} ${height}
  EndSubSection
EndSection
Section "ServerFlags"
  Option "AutoAddDevices" "false"
  Option "DontVTSwitch" "true"
EndSection
`;
}
