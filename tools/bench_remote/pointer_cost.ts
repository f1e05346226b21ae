// What a moving pointer over a still screen costs the agent, with the pointer drawn into the
// frames against sent apart as `cursor` messages (issue 14, agent/cursor_sender.ts), in one run.
//   deno run -A tools/bench_remote/pointer_cost.ts [seconds=20] [rounds=2]
// A private 1920×1080 Xvfb shows a desktop with two terminals full of text; the agent's capture
// loop (agent/screen.ts's ScreenSender, X11 damage and pointer events, the agent's encoder —
// H.264 where OpenH264 loads, else VP8 — at Automatic's Normal, with its refinement) runs in this
// process; another process moves the pointer by XTest as a hand does: 1 s of movement at 60 Hz
// (eased from one spot to another, across the terminals and the desktop, so the shape changes
// too), 0.5 s still, again. Each round runs both modes for seconds / rounds, the same moves
// (a fixed seed), after a settled second in the mode (its switch's frame and refinement are not
// counted); the keyboard focus stays on one terminal (see below). Printed per mode: frames (of
// them keep-alives, refinements, keyframes), bytes (frames + cursor messages), cursor messages,
// and this process's CPU (all threads, /proc/self/stat) — the mover's is not.
import { FrameHalver } from "../../agent/media/scale.ts";
import { H264Encoder } from "../../agent/media/h264.ts";
import { Vp8Encoder } from "../../agent/media/vp8.ts";
import { openX11Desktop } from "../../agent/platform/x11.ts";
import { ScreenSender } from "../../agent/screen.ts";
import { startXvfb } from "../../agent/platform/xvfb_test_support.ts";
import { processCpuMs, sleep, XVFB_DISPLAYS } from "./proc.ts";

const MOVE_MS = 1_000, PAUSE_MS = 500, HZ = 60;

if (Deno.args[0] === "--mover") {
  await move(Deno.args[1], Number(Deno.args[2]), Number(Deno.args[3]));
  Deno.exit(0);
}

const SECONDS = Number(Deno.args[0] ?? 20);
const ROUNDS = Number(Deno.args[1] ?? 2);
const xvfb = await startXvfb({ width: 1920, height: 1080, displays: XVFB_DISPLAYS });
const name = xvfb.display;
const children: Deno.ChildProcess[] = [];
try {
  await x("xsetroot", ["-solid", "#2e3440"]);
  for (const [geometry, dir] of [["150x62+0+0", "/usr/lib"], ["110x40+960+300", "/usr/share"]]) {
    children.push(
      new Deno.Command("xterm", {
        args: [
          "-geometry",
          geometry,
          "-fa",
          "DejaVu Sans Mono",
          "-fs",
          "10",
          "-e",
          "sh",
          "-c",
          `ls -la ${dir} | head -200; exec sleep 100000`,
        ],
        env: { DISPLAY: name },
        stdout: "null",
        stderr: "null",
      }).spawn(),
    );
  }
  await sleep(1_500);
  // Focus on the first terminal, as a window manager's click-to-focus keeps it: without one it
  // follows the pointer, and each terminal's text cursor would turn solid and hollow as the
  // pointer crosses it — damage and a refinement in both modes, not the pointer's own cost.
  const found = await new Deno.Command("xdotool", {
    args: ["search", "--class", "xterm"],
    env: { DISPLAY: name },
    stdout: "piped",
  }).output();
  const terminal = new TextDecoder().decode(found.stdout).split("\n")[0];
  if (terminal) await x("xdotool", ["windowfocus", "--sync", terminal]);
  const desktop = openX11Desktop(name);
  const codec = H264Encoder.available() ? "h264" : "vp8";
  const halver = FrameHalver.open();
  const sender = new ScreenSender({
    desktop,
    encoder: (width, height, screen, codec) =>
      codec === "h264"
        ? new H264Encoder({ width, height, fps: 30, preset: "normal", bitrateBasis: screen })
        : new Vp8Encoder({ width, height, fps: 30, preset: "normal", bitrateBasis: screen }),
    downscale: halver ? (frame) => halver.halve(frame) : undefined,
  }, {
    link: () => ({ send: () => {}, sendMedia: () => {}, buffered: () => 0 }),
    allowed: () => true,
  });
  sender.setPreset("normal", true);
  sender.setCodec(codec);
  sender.resume();
  await sleep(1_000);
  const modes = ["drawn", "separate"] as const;
  const totals = Object.fromEntries(modes.map((m) => [m, zero()])) as Record<string, Counts>;
  const phaseMs = SECONDS * 1000 / ROUNDS;
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of modes) {
      sender.setCursorMode(mode === "separate");
      await sleep(1_000); // the switch's frame and its refinement
      const before = counts(sender);
      const mover = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", import.meta.filename!, "--mover", name, String(phaseMs), String(round)],
        stdout: "null",
      }).spawn();
      await mover.status;
      await sleep(PAUSE_MS); // the last move's refinement
      const after = counts(sender);
      const phase = minus(after, before);
      for (const k of Object.keys(phase) as (keyof Counts)[]) totals[mode][k] += phase[k];
      console.log(`round ${round + 1} ${mode.padEnd(8)} ${line(phase)}`);
    }
  }
  const load = Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  console.log(`${codec}, 1920×1080, ${SECONDS} s of the pattern per mode (load ${load}):`);
  for (const mode of modes) console.log(`${mode.padEnd(8)} ${line(totals[mode])}`);
  sender.stop();
  desktop.close();
} finally {
  for (const child of children.reverse()) {
    try {
      child.kill();
    } catch { /* gone */ }
    await child.status;
  }
  await xvfb.stop();
}

interface Counts {
  frames: number;
  keepalives: number;
  refinements: number;
  keyframes: number;
  frameBytes: number;
  cursors: number;
  cursorBytes: number;
  cpuMs: number;
  wallMs: number;
}

function zero(): Counts {
  return {
    frames: 0,
    keepalives: 0,
    refinements: 0,
    keyframes: 0,
    frameBytes: 0,
    cursors: 0,
    cursorBytes: 0,
    cpuMs: 0,
    wallMs: 0,
  };
}

function counts(s: ScreenSender): Counts {
  return {
    frames: s.framesSent,
    keepalives: s.keepalives,
    refinements: s.refinements,
    keyframes: s.timing.keyframes,
    frameBytes: s.bytesSent,
    cursors: s.cursor.sent,
    cursorBytes: s.cursor.bytes,
    cpuMs: processCpuMs("self"),
    wallMs: performance.now(),
  };
}

function minus(a: Counts, b: Counts): Counts {
  const out = zero();
  for (const k of Object.keys(out) as (keyof Counts)[]) out[k] = a[k] - b[k];
  return out;
}

function line(c: Counts): string {
  const kb = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  return `frames ${c.frames} (keep-alives ${c.keepalives}, refinements ${c.refinements}, ` +
    `keyframes ${c.keyframes}), ` +
    `bytes ${kb(c.frameBytes + c.cursorBytes)} (frames ${kb(c.frameBytes)}, ${c.cursors} cursor ` +
    `messages ${kb(c.cursorBytes)}), CPU ${c.cpuMs.toFixed(0)} ms ` +
    `(${(c.cpuMs / c.wallMs * 100).toFixed(1)} % of a core)`;
}

/** The mover: eased sweeps between seeded random spots at HZ, a pause after each. */
async function move(display: string, ms: number, seed: number) {
  const desktop = openX11Desktop(display);
  let state = 0x9e3779b9 ^ seed;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  let from = { x: 400, y: 300 };
  const t0 = performance.now();
  while (performance.now() - t0 < ms - MOVE_MS - PAUSE_MS) {
    const to = { x: Math.round(100 + random() * 1720), y: Math.round(100 + random() * 880) };
    const start = performance.now();
    for (let i = 1; i <= HZ * MOVE_MS / 1000; i++) {
      const t = i / (HZ * MOVE_MS / 1000);
      const e = t * t * (3 - 2 * t); // smoothstep: a hand speeds up and slows down
      desktop.pointer(
        Math.round(from.x + (to.x - from.x) * e),
        Math.round(from.y + (to.y - from.y) * e),
      );
      await sleep(Math.max(0, start + i * 1000 / HZ - performance.now()));
    }
    from = to;
    await sleep(PAUSE_MS);
  }
  desktop.close();
}

async function x(command: string, args: string[]) {
  await new Deno.Command(command, { args, env: { DISPLAY: name }, stdout: "null" }).output();
}
