// Over 400 lines on purpose: the benchmark driver (workloads, noVNC, product, base checkout, report) — its parts are in tools/bench_remote/.
// Longer than most files: the harness (display, workloads, measurement, tables) in one place.
// `deno task bench:remote [--only vnc[,name…]] [--seconds 8] [--warmup 2]
//     [--workloads idle,typing,scrolling,video,scrolling60,pointer] [--screenshots DIR] [--cdp-network] [--base DIR]`
//
// Remote-view benchmark. Starts Xvfb (1920x1080x24) on a free display, shows
// tools/bench_remote/workload.html full-screen in a visible Chromium on it, and for each
// contender (tools/bench_remote/contenders.ts; the first is the baseline) and each workload
// measures in the contender's viewer page — a headless Chromium — how the painted frames
// arrive: glass-to-glass latency (viewer's presentation time minus the Date.now() painted
// into the frame; same clock), distinct frames per second presented, torn frames, bytes/s
// received and the CPU of the contender's processes. Prints a table per contender and,
// with two or more, a side-by-side with ratios (other / baseline); writes
// data/bench_remote.json (processes' output: data/bench_remote_logs/). See
// tools/bench_remote/README.md, and contender.ts for the contender interface.
//
// Picture fidelity (tools/bench_remote/fidelity.ts, its header says how): after each
// workload's timing window, the viewer's frames against the X framebuffer at the same stamp
// while it moves, then the still picture 0.5 s and 2 s after the workload stops — PSNR-Y,
// SSIM, chroma PSNR and text-block PSNR — and a table of the issue-14 targets side by side.
//
//   --no-fidelity      skip the fidelity measurement
//   --screenshots DIR  save the viewer page after each warm-up (to check what it shows)
//   --cdp-network      leave Playwright's network instrumentation on in the viewer (see
//                      viewer_browser.ts: it costs the machine ~60 % of a core with noVNC)
//   --base DIR         also measure the product checked out in DIR (e.g. a git worktree of the
//                      revision before a change) as "rescue-base", just before "rescue", in the
//                      same run: `--only rescue-base,rescue` gives ratios new / base
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { CHROMIUM_FLAGS } from "../tests/support/browser.ts";
import type { BenchEnv, Contender, RunningContender } from "./bench_remote/contender.ts";
import { contenders as allContenders } from "./bench_remote/contenders.ts";
import { launchViewerBrowser } from "./bench_remote/viewer_browser.ts";
import {
  type FidelityResult,
  FrameInbox,
  measureFidelity,
  ReferenceFrames,
} from "./bench_remote/fidelity.ts";
import { fidelityTable, targetsTable } from "./bench_remote/targets.ts";
import {
  childrenOf,
  claimLogDir,
  clockTicksPerSecond,
  cpuTicks,
  killAllSpawned,
  machineTicks,
  setLogDir,
  sleep,
  spawn,
  type Spawned,
  which,
} from "./bench_remote/proc.ts";
import {
  PARK_X,
  POINTER_Y,
  pointerLatencies,
  PointerMover,
  type PointerSeen,
} from "./bench_remote/pointer.ts";

const WIDTH = 1920;
const HEIGHT = 1080;
const WORKLOADS = ["idle", "typing", "scrolling", "video", "scrolling60", "pointer"] as const;
type Workload = typeof WORKLOADS[number];
/** Run unless --workloads names others: `pointer` (pointer.ts) only when asked for. */
const DEFAULT_WORKLOADS: Workload[] = ["idle", "typing", "scrolling", "video", "scrolling60"];
const NOMINAL_HZ: Record<Workload, number> = {
  idle: 0,
  typing: 10,
  scrolling: 30,
  video: 30,
  scrolling60: 60,
  pointer: 60,
};
const CHROMIUM = "/usr/bin/chromium";
/** What Playwright adds for a headless launch that matters here (the viewer is ours). */
const VIEWER_ARGS = [
  "--disable-background-timer-throttling",
  "--disable-backgrounding-occluded-windows",
  "--disable-renderer-backgrounding",
  "--mute-audio",
  "--hide-scrollbars",
];
const HERE = new URL("./bench_remote/", import.meta.url);
const OUT = new URL("../data/bench_remote.json", import.meta.url);

// ---- command line -------------------------------------------------------------------------
function parseArgs(argv: string[]) {
  const opts = {
    only: [] as string[],
    seconds: 8,
    warmup: 2,
    workloads: [...DEFAULT_WORKLOADS],
    cdpNetwork: false,
    screenshots: undefined as string | undefined,
    base: undefined as string | undefined,
    fidelity: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    const value = () => inline ?? argv[++i] ?? "";
    if (flag === "--only") opts.only.push(...value().split(",").filter(Boolean));
    else if (flag === "--seconds") opts.seconds = Number(value());
    else if (flag === "--warmup") opts.warmup = Number(value());
    else if (flag === "--cdp-network") opts.cdpNetwork = true;
    else if (flag === "--no-fidelity") opts.fidelity = false;
    else if (flag === "--screenshots") opts.screenshots = value();
    else if (flag === "--base") opts.base = value();
    else if (flag === "--workloads") {
      opts.workloads = value().split(",").filter(Boolean) as Workload[];
    } else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (!(opts.seconds > 0) || !(opts.warmup >= 0)) throw new Error("bad --seconds/--warmup");
  for (const w of opts.workloads) {
    if (!WORKLOADS.includes(w)) throw new Error(`unknown workload ${w} (${WORKLOADS})`);
  }
  return opts;
}

// ---- results ------------------------------------------------------------------------------
interface Sample {
  counter: number;
  paintedAt: number;
  presentedAt: number;
  latency: number;
  torn: boolean;
  skipped: number;
  /** <video> only: Chromium's estimate of when the frame reaches the glass. */
  expectedDisplayAt?: number;
}
interface DecoderResult {
  mode: string;
  samples: Sample[];
  presentations: number;
  torn: number;
  undecodable: number;
  polls: number;
  /** <video>: stamps read from the frame's luma (decode.js pollLuma) instead of drawn. */
  lumaReads?: number;
  elementPresentedFrames: number | null;
  startedAt: number;
  stoppedAt: number;
}
interface WorkloadResult {
  workload: Workload;
  seconds: number;
  nominalHz: number;
  /** Frames per second the workload page actually painted during the window. */
  sourceFps: number;
  /** Distinct frames presented by the viewer. */
  frames: number;
  fps: number;
  latencyMs: { p50: number; p95: number; p99: number; mean: number; max: number } | null;
  /** <video> only: p50 of expected display time − painted time (the glass estimate). */
  displayLatencyP50Ms: number | null;
  /** Presented images whose top and bottom stamps disagree or do not decode. */
  tornPresentations: number;
  presentations: number;
  /** Distinct frames whose first presented image was torn. */
  tornFrames: number;
  undecodable: number;
  /** Painted frames the viewer never showed (counter gaps). */
  skippedFrames: number;
  bytes: number;
  mbPerS: number;
  /** CPU of the contender's processes, % of one core. */
  cpuPct: number;
  /** The same by part when the contender names them (product: server, agent), % of one core. */
  cpuPctByPart?: Record<string, number>;
  /** CPU of the whole headless viewer browser (all its processes), % of one core. */
  viewerCpuPct: number;
  /** For context: the workload Chromium and Xvfb. */
  workloadCpuPct: number;
  xvfbCpuPct: number;
  /**
   * CPU used by processes that are not this benchmark's (other jobs on the machine), % of
   * one core: high values mean the figures were taken on a loaded machine.
   */
  foreignCpuPct: number;
  /** The stamps could be read from the viewer after warm-up. */
  stampVisible: boolean;
  decoderMode: string;
  /** <video> sources: frames the element presented (decoded or not), per second. */
  elementFps: number | null;
  /**
   * The reader's own figures, per second: rendering steps it ran in (video-frame callbacks or
   * rAFs) and, for a <video> read from its luma, stamps read — where a shown frame went unread.
   */
  readerPolls: number;
  readerLumaReads: number | null;
  rawSamples: Sample[];
  /** The pointer workload: moves made, places shown and matched to a move, reader's offset. */
  pointer?: { moves: number; shown: number; offset: number } | null;
  /** What the viewer's quality menu said Automatic used at the end (product only). */
  autoQuality?: string | null;
  /** Picture fidelity (fidelity.ts), when measured. */
  fidelity?: FidelityResult | null;
}
interface ContenderResult {
  name: string;
  error?: string;
  startMs?: number;
  workloads: WorkloadResult[];
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100 * sorted.length) - 1))];
}

// ---- environment --------------------------------------------------------------------------
const cleanups: (() => Promise<unknown>)[] = [];
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) {
      await Promise.race([fn().catch(() => {}), sleep(10_000)]);
    }
    await killAllSpawned();
  })();
  return cleaning;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Xvfb on the first display number that is free and actually starts. */
async function startXvfb(): Promise<{ display: string; proc: Spawned }> {
  for (let n = 90; n < 200; n++) {
    if (await exists(`/tmp/.X${n}-lock`) || await exists(`/tmp/.X11-unix/X${n}`)) continue;
    const display = `:${n}`;
    const proc = await spawn(`xvfb${n}`, "Xvfb", [
      display,
      "-screen",
      "0",
      `${WIDTH}x${HEIGHT}x24`,
      "-nolisten",
      "tcp",
      "-noreset",
    ]);
    let exited = false;
    proc.child.status.then(() => exited = true);
    const deadline = performance.now() + 10_000;
    while (!exited && performance.now() < deadline) {
      if (await exists(`/tmp/.X11-unix/X${n}`)) {
        const check = await new Deno.Command("xdpyinfo", {
          args: ["-display", display],
          stdout: "null",
          stderr: "null",
        }).output().catch(() => ({ success: true }));
        if (check.success) return { display, proc };
      }
      await sleep(50);
    }
    await proc.kill();
  }
  throw new Error("no free X display between :90 and :199");
}

/** Runs `launch` and returns what it returned plus the one new child process of ours. */
async function withNewChild<T>(launch: () => Promise<T>): Promise<[T, number | undefined]> {
  const before = new Set(childrenOf(Deno.pid));
  const value = await launch();
  const fresh = childrenOf(Deno.pid).filter((p) => !before.has(p));
  return [value, fresh.length === 1 ? fresh[0] : undefined];
}

async function startWorkloadBrowser(display: string) {
  const userDataDir = await Deno.makeTempDir({ prefix: "bench-remote-workload-" });
  cleanups.push(() => Deno.remove(userDataDir, { recursive: true }));
  const [context, pid] = await withNewChild(() =>
    chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: false,
      viewport: null,
      env: { ...Deno.env.toObject(), DISPLAY: display },
      // No "controlled by automated software" bar; --test-type: no bar warning about
      // --no-sandbox. Either would push the page down.
      ignoreDefaultArgs: ["--enable-automation"],
      // Our SIGINT/SIGTERM handler cleans up everything; Playwright's would exit first.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      args: [
        ...CHROMIUM_FLAGS,
        "--test-type",
        "--kiosk",
        "--window-position=0,0",
        // Without a window manager, Chromium shrinks a window of exactly the screen's size
        // by one pixel (1919x1079); one pixel more than the screen makes it cover it all.
        `--window-size=${WIDTH + 1},${HEIGHT + 1}`,
      ],
    })
  );
  cleanups.push(() => context.close());
  const page = context.pages()[0] ?? await context.newPage();
  await page.goto(new URL("workload.html", HERE).href);
  const geometry = await page.evaluate(() => ({
    x: screenX,
    y: screenY,
    w: innerWidth,
    h: innerHeight,
    sw: screen.width,
    sh: screen.height,
  }));
  if (geometry.x !== 0 || geometry.y !== 0 || geometry.w < WIDTH || geometry.h < HEIGHT) {
    throw new Error(`workload window does not cover the screen: ${JSON.stringify(geometry)}`);
  }
  return { context, page, pid };
}

// ---- measuring ----------------------------------------------------------------------------
type Layout = { top: { x: number; y: number }; bottom: { x: number; y: number } };
type SourceStatus = { counter: number; painted: number; now: number };

async function measureWorkload(
  workload: Workload,
  running: RunningContender,
  workloadPage: Page,
  pids: { viewer?: number; workload?: number; xvfb: number },
  opts: {
    seconds: number;
    warmup: number;
    screenshots?: string;
    contender: string;
    display: string;
  },
): Promise<WorkloadResult> {
  // The pointer moves over the still page (pointer.ts).
  const moving = workload === "pointer" ? new PointerMover(opts.display) : null;
  if (moving) cleanups.push(() => Promise.resolve(moving.close()));
  moving?.park(PARK_X);
  const layout = await workloadPage.evaluate(
    (w) =>
      (globalThis as unknown as { bench: { setWorkload(w: string): Layout } }).bench
        .setWorkload(w),
    workload,
  );
  await sleep(opts.warmup * 1000);
  if (opts.screenshots) {
    await Deno.mkdir(opts.screenshots, { recursive: true });
    await running.page.screenshot({
      path: `${opts.screenshots}/${opts.contender}-${workload}.png`,
    });
  }
  const source = running.source;
  // Can the decoder read the stamps at all? (A few tries: one read may catch a torn image.)
  let stampVisible = false;
  for (let i = 0; i < 10 && !stampVisible && !moving; i++) {
    const peek = await running.page.evaluate(
      (o) =>
        (globalThis as unknown as { __benchDecoder: { peek(o: unknown): { top: unknown } } })
          .__benchDecoder.peek(o),
      { source, ...layout, screen: { width: WIDTH, height: HEIGHT } },
    );
    stampVisible = peek.top !== null;
    if (!stampVisible) await sleep(100);
  }
  const status = () =>
    workloadPage.evaluate(() =>
      (globalThis as unknown as { bench: { status(): SourceStatus } }).bench.status()
    );
  const tick = clockTicksPerSecond();
  const parts = running.pidsByPart?.() ?? {};
  const cpu = () => ({
    contender: cpuTicks(running.pids()),
    parts: Object.fromEntries(Object.entries(parts).map(([name, p]) => [name, cpuTicks(p)])),
    viewer: pids.viewer ? cpuTicks([pids.viewer]) : 0,
    workload: pids.workload ? cpuTicks([pids.workload]) : 0,
    xvfb: cpuTicks([pids.xvfb]),
    ours: cpuTicks([Deno.pid]), // the harness and everything it started
    machine: machineTicks().busy,
  });

  const s0 = await status();
  const bytes0 = await running.bytesReceived();
  const cpu0 = cpu();
  const t0 = performance.now();
  let decoded: DecoderResult;
  let pointer: ReturnType<typeof pointerLatencies> & { moves: number; offset: number } | null =
    null;
  if (moving) {
    const window = await pointerWindow(running, moving, opts.seconds);
    decoded = window.decoded;
    pointer = window.pointer;
    stampVisible = pointer.offset !== null;
  } else {
    await running.page.evaluate(
      (o) =>
        (globalThis as unknown as { __benchDecoder: { start(o: unknown): unknown } })
          .__benchDecoder.start(o),
      { source, ...layout, screen: { width: WIDTH, height: HEIGHT } },
    );
    await sleep(opts.seconds * 1000);
    decoded = await running.page.evaluate(() =>
      (globalThis as unknown as { __benchDecoder: { stop(): unknown } }).__benchDecoder.stop()
    ) as DecoderResult;
  }
  moving?.close();
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = cpu();
  const bytes1 = await running.bytesReceived();
  const s1 = await status();

  const pct = (a: number, b: number) => Math.max(0, b - a) / tick / seconds * 100;
  const latencies = (pointer ? pointer.latencies : decoded.samples.map((s) => s.latency))
    .sort((a, b) => a - b);
  const frames = pointer ? pointer.shown : decoded.samples.length;
  const display = decoded.samples.filter((s) => s.expectedDisplayAt !== undefined)
    .map((s) => s.expectedDisplayAt! - s.paintedAt).sort((a, b) => a - b);
  return {
    workload,
    seconds,
    nominalHz: NOMINAL_HZ[workload],
    sourceFps: pointer
      ? pointer.moves / seconds
      : (s1.painted - s0.painted) / ((s1.now - s0.now) / 1000),
    frames,
    fps: frames / ((decoded.stoppedAt - decoded.startedAt) / 1000),
    latencyMs: frames
      ? {
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        mean: latencies.reduce((a, b) => a + b, 0) / frames,
        max: latencies[frames - 1],
      }
      : null,
    displayLatencyP50Ms: display.length ? percentile(display, 50) : null,
    tornPresentations: decoded.torn,
    presentations: decoded.presentations,
    tornFrames: decoded.samples.filter((s) => s.torn).length,
    undecodable: decoded.undecodable,
    skippedFrames: decoded.samples.reduce((a, s) => a + s.skipped, 0),
    bytes: bytes1 - bytes0,
    mbPerS: (bytes1 - bytes0) / seconds / 1e6,
    cpuPct: pct(cpu0.contender, cpu1.contender),
    cpuPctByPart: Object.keys(parts).length
      ? Object.fromEntries(
        Object.keys(parts).map((name) => [name, pct(cpu0.parts[name], cpu1.parts[name])]),
      )
      : undefined,
    viewerCpuPct: pct(cpu0.viewer, cpu1.viewer),
    workloadCpuPct: pct(cpu0.workload, cpu1.workload),
    xvfbCpuPct: pct(cpu0.xvfb, cpu1.xvfb),
    foreignCpuPct: Math.max(
      0,
      pct(cpu0.machine, cpu1.machine) - pct(cpu0.ours, cpu1.ours),
    ),
    stampVisible,
    decoderMode: decoded.mode,
    elementFps: decoded.elementPresentedFrames === null
      ? null
      : decoded.elementPresentedFrames / seconds,
    readerPolls: decoded.polls / seconds,
    readerLumaReads: decoded.lumaReads === undefined ? null : decoded.lumaReads / seconds,
    rawSamples: decoded.samples,
    pointer: pointer && { moves: pointer.moves, shown: pointer.shown, offset: pointer.offset },
  };
}

/**
 * The pointer workload's window (pointer.ts): the reader's offset from the parked pointer, then
 * the sweeps while the viewer page records where it shows the pointer.
 */
async function pointerWindow(running: RunningContender, moving: PointerMover, seconds: number) {
  const options = {
    source: running.source,
    overlay: running.pointerOverlay ?? null,
    y: POINTER_Y,
    width: WIDTH,
  };
  type Reader = {
    peek(o: unknown): number | null;
    start(o: unknown): void;
    stop(): { seen: PointerSeen[]; polls: number; fromOverlay: number; fromPicture: number };
  };
  // Each callback runs in the page: the reader is looked up there.
  let offset: number | null = null;
  for (let i = 0; i < 20 && offset === null; i++) {
    const x = await running.page.evaluate(
      (o) => (globalThis as unknown as { __benchPointer: Reader }).__benchPointer.peek(o),
      options,
    );
    if (x !== null) offset = x - PARK_X;
    else await sleep(100);
  }
  const startedAt = performance.now();
  await running.page.evaluate(
    (o) => (globalThis as unknown as { __benchPointer: Reader }).__benchPointer.start(o),
    options,
  );
  const moves = await moving.run(seconds * 1000);
  await sleep(200); // the last moves' way to the viewer
  const read = await running.page.evaluate(() =>
    (globalThis as unknown as { __benchPointer: Reader }).__benchPointer.stop()
  );
  const matched = pointerLatencies(moves, read.seen, offset ?? 0);
  console.error(
    `  pointer: ${moves.length} moves, ${read.seen.length} places shown (${read.fromOverlay} from the island's pointer, ${read.fromPicture} from the picture), ${matched.shown} matched, offset ${offset}`,
  );
  const decoded: DecoderResult = {
    mode: read.fromOverlay > read.fromPicture ? "pointer element" : "picture",
    samples: [],
    presentations: read.seen.length,
    torn: 0,
    undecodable: 0,
    polls: read.polls,
    elementPresentedFrames: null,
    startedAt,
    stoppedAt: performance.now(),
  };
  return { decoded, pointer: { ...matched, moves: moves.length, offset: offset ?? NaN } };
}

async function runContender(
  contender: Contender,
  viewer: Browser,
  viewerPid: number | undefined,
  workloadPage: Page,
  ids: { display: string; workloadPid?: number; xvfbPid: number },
  opts: { seconds: number; warmup: number; workloads: Workload[]; screenshots?: string },
  decoderScript: string,
  fidelity?: { reference: ReferenceFrames; inbox: FrameInbox },
): Promise<ContenderResult> {
  const result: ContenderResult = { name: contender.name, workloads: [] };
  let context: BrowserContext | undefined;
  let running: RunningContender | undefined;
  const stop = async () => {
    await running?.stop().catch((e) => console.error(`${contender.name}: stop failed: ${e}`));
    running = undefined;
    await context?.close().catch(() => {});
    context = undefined;
  };
  cleanups.push(stop);
  try {
    // Show the idle screen while the contender connects.
    await workloadPage.evaluate(() =>
      (globalThis as unknown as { bench: { setWorkload(w: string): unknown } }).bench
        .setWorkload("idle")
    );
    // bypassCSP: the fidelity grab POSTs frames to the harness on another loopback port.
    context = await viewer.newContext({
      viewport: { width: WIDTH, height: HEIGHT + 120 },
      bypassCSP: true,
    });
    context.setDefaultTimeout(30_000);
    const env: BenchEnv = { display: ids.display, width: WIDTH, height: HEIGHT, browser: context };
    const t0 = performance.now();
    running = await contender.start(env);
    result.startMs = Math.round(performance.now() - t0);
    await running.page.evaluate(decoderScript);
    for (const workload of opts.workloads) {
      const r = await measureWorkload(workload, running, workloadPage, {
        viewer: viewerPid,
        workload: ids.workloadPid,
        xvfb: ids.xvfbPid,
      }, { ...opts, contender: contender.name, display: ids.display });
      result.workloads.push(r);
      r.autoQuality = await running.page.evaluate(() =>
        document.querySelector(".rv-quality-auto")?.textContent ?? null
      ).catch(() => null);
      if (fidelity && workload !== "pointer") {
        r.fidelity = await measureFidelity({
          viewer: running.page,
          workload: workloadPage,
          ...fidelity,
          source: running.source,
          layout: await workloadPage.evaluate(
            (w) =>
              (globalThis as unknown as { bench: { setWorkload(w: string): Layout } }).bench
                .setWorkload(w),
            workload,
          ),
          moving: workload !== "idle",
        }).catch((e) => {
          console.error(`  ${contender.name} ${workload}: fidelity failed: ${e}`);
          return null;
        });
      }
      console.error(
        `  ${contender.name} ${workload}: ${r.fps.toFixed(1)} fps, p50 ${
          r.latencyMs ? r.latencyMs.p50.toFixed(0) : "–"
        } ms, ${r.mbPerS.toFixed(2)} MB/s, cpu ${r.cpuPct.toFixed(0)} %` +
          (r.cpuPctByPart
            ? ` (${
              Object.entries(r.cpuPctByPart).map(([n, v]) => `${n} ${v.toFixed(1)} %`).join(", ")
            })`
            : "") +
          (r.stampVisible ? "" : "  (stamps NOT readable in the viewer!)"),
      );
    }
  } catch (error) {
    result.error = error instanceof Error ? error.stack ?? error.message : String(error);
    console.error(`${contender.name} failed: ${result.error}`);
  } finally {
    await stop();
  }
  return result;
}

// ---- reporting ----------------------------------------------------------------------------
const f0 = (n: number) => Number.isFinite(n) ? n.toFixed(0) : "–";
const f1 = (n: number) => Number.isFinite(n) ? n.toFixed(1) : "–";
const f2 = (n: number) => Number.isFinite(n) ? n.toFixed(2) : "–";

function contenderTable(c: ContenderResult): string {
  const lines = [
    `### ${c.name}${c.error ? " — FAILED: " + c.error.split("\n")[0] : ""}`,
    "",
    "| workload | fps (of) | shown fps | src fps | p50 ms | p95 ms | p99 ms | p50 ms to display | torn | MB/s | CPU % | viewer CPU % | other jobs CPU % |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of c.workloads) {
    const l = r.latencyMs;
    const torn = r.presentations
      ? `${r.tornPresentations} (${f0(r.tornPresentations / r.presentations * 100)} %)`
      : "0";
    lines.push(
      `| ${r.workload}${r.stampVisible ? "" : " (stamps unreadable!)"} | ${f1(r.fps)}${
        r.nominalHz ? ` of ${r.nominalHz}` : ""
      } | ${r.elementFps === null ? "–" : f1(r.elementFps)} | ${f1(r.sourceFps)} | ${
        l ? f0(l.p50) : "–"
      } | ${l ? f0(l.p95) : "–"} | ${l ? f0(l.p99) : "–"} | ${
        r.displayLatencyP50Ms === null ? "–" : f0(r.displayLatencyP50Ms)
      } | ${torn} | ${f2(r.mbPerS)} | ${f0(r.cpuPct)} | ${f0(r.viewerCpuPct)} | ${
        f0(r.foreignCpuPct)
      } |`,
    );
  }
  return lines.join("\n");
}

function comparisonTable(base: ContenderResult, other: ContenderResult): string {
  const lines = [
    `### ${other.name} vs ${base.name} (ratio = ${other.name} / ${base.name}; lower is better except fps)`,
    "",
    `| workload | metric | ${base.name} | ${other.name} | ratio |`,
    "|---|---|---:|---:|---:|",
  ];
  const metrics: [string, (r: WorkloadResult) => number, (n: number) => string][] = [
    ["latency p50 ms", (r) => r.latencyMs?.p50 ?? NaN, f0],
    ["latency p95 ms", (r) => r.latencyMs?.p95 ?? NaN, f0],
    ["latency p99 ms", (r) => r.latencyMs?.p99 ?? NaN, f0],
    ["latency p50 ms to expected display (<video>)", (r) => r.displayLatencyP50Ms ?? NaN, f0],
    ["fps", (r) => r.fps, f1],
    ["shown fps (<video> element)", (r) => r.elementFps ?? NaN, f1],
    ["torn frames", (r) => r.tornPresentations, f0],
    ["MB/s", (r) => r.mbPerS, f2],
    ["CPU %", (r) => r.cpuPct, f0],
    ["viewer CPU %", (r) => r.viewerCpuPct, f0],
  ];
  for (const b of base.workloads) {
    const o = other.workloads.find((r) => r.workload === b.workload);
    if (!o) continue;
    for (const [label, get, fmt] of metrics) {
      if (b.workload === "idle" && label.startsWith("latency")) continue;
      const bv = get(b);
      const ov = get(o);
      const ratio = bv > 0 && Number.isFinite(ov) ? (ov / bv).toFixed(2) + "×" : "–";
      const of = label === "fps" && b.nominalHz ? ` of ${b.nominalHz}` : "";
      lines.push(`| ${b.workload} | ${label} | ${fmt(bv)}${of} | ${fmt(ov)}${of} | ${ratio} |`);
    }
  }
  return lines.join("\n");
}

/**
 * The product in another checkout, measured by that tree's own contender (its UI may differ
 * from this one's), with its process logs apart: the contender finds its agent by its log.
 */
async function baseContender(dir: string, logDir: string): Promise<Contender> {
  const here = new URL(`file://${await Deno.realPath(dir)}/tools/bench_remote/`);
  const proc = await import(new URL("proc.ts", here).href);
  proc.setLogDir(`${logDir}base/`);
  await Deno.mkdir(`${logDir}base/`, { recursive: true });
  cleanups.push(() => proc.killAllSpawned());
  const { rescueContender } = await import(new URL("rescue.ts", here).href);
  return { name: "rescue-base", start: (env) => rescueContender.start(env) };
}

// ---- main ---------------------------------------------------------------------------------
async function main() {
  const began = performance.now();
  const opts = parseArgs(Deno.args);
  const names = allContenders.map((c) => c.name).concat(opts.base ? ["rescue-base"] : []);
  if (opts.only.length && !opts.only.some((name) => names.includes(name))) {
    throw new Error(`no contender named ${opts.only} (have: ${names})`);
  }
  for (const tool of ["Xvfb", "xdpyinfo", CHROMIUM]) {
    if (!which(tool)) throw new Error(`${tool} not found`);
  }
  // Output of every process started (Xvfb, contenders' servers, the viewer browser).
  const logs = await claimLogDir(new URL("../data/bench_remote_logs/", import.meta.url).pathname);
  cleanups.push(logs.release);
  const logDir = logs.dir;
  setLogDir(logDir);
  console.error(`logs: ${logDir}`);
  const available = [...allContenders];
  if (opts.base) {
    const at = available.findIndex((c) => c.name === "rescue");
    available.splice(at < 0 ? available.length : at, 0, await baseContender(opts.base, logDir));
  }
  const chosen = opts.only.length ? available.filter((c) => opts.only.includes(c.name)) : available;

  const xvfb = await startXvfb();
  cleanups.push(() => xvfb.proc.kill());
  console.error(`Xvfb ${xvfb.display} ${WIDTH}x${HEIGHT}x24`);
  const workload = await startWorkloadBrowser(xvfb.display);
  const photoMs = await workload.page.evaluate(() =>
    (globalThis as unknown as { bench: { status(): { photoMs: number } } }).bench.status().photoMs
  );
  console.error(`workload page up (photo generated in ${photoMs} ms)`);

  const viewerBrowser = await launchViewerBrowser(
    CHROMIUM,
    [...CHROMIUM_FLAGS, ...VIEWER_ARGS],
    !opts.cdpNetwork,
  );
  cleanups.push(() => viewerBrowser.close());
  const viewer = viewerBrowser.browser;
  const viewerPid = viewerBrowser.pid;

  const decoderScript = (await Promise.all(
    ["code.js", "decode.js", "pointer_reader.js"].map((f) => Deno.readTextFile(new URL(f, HERE))),
  )).join("\n");

  let fidelity: { reference: ReferenceFrames; inbox: FrameInbox } | undefined;
  if (opts.fidelity) {
    const reference = new ReferenceFrames(xvfb.display);
    const inbox = new FrameInbox();
    cleanups.push(async () => {
      reference.close();
      await inbox.close();
    });
    fidelity = { reference, inbox };
  }
  const results: ContenderResult[] = [];
  for (const contender of chosen) {
    console.error(`contender ${contender.name}`);
    results.push(
      await runContender(
        contender,
        viewer,
        viewerPid,
        workload.page,
        { display: xvfb.display, workloadPid: workload.pid, xvfbPid: xvfb.proc.pid },
        opts,
        decoderScript,
        fidelity,
      ),
    );
  }

  const out: string[] = [
    `\n## bench:remote — ${WIDTH}x${HEIGHT} Xvfb, ${opts.warmup} s warm-up + ${opts.seconds} s per workload\n`,
  ];
  for (const r of results) out.push(contenderTable(r), "");
  if (opts.fidelity) {
    for (const r of results) out.push(fidelityTable(r), "");
    out.push(targetsTable(results), "");
  }
  const [base, ...others] = results;
  for (const o of others) out.push(comparisonTable(base, o), "");
  if (!others.length) {
    out.push("(one contender: no side-by-side; add one in tools/bench_remote/contenders.ts)\n");
  }
  out.push(
    "fps: distinct frames presented by the viewer per second (of: the rate the workload paints; " +
      "shown fps: frames a <video> element displayed, whether or not the decoder could read " +
      "them — a busy viewer page skips video-frame callbacks, so for <video> fps is a lower " +
      "bound; src fps: what the workload actually painted). Latency: Date.now() in the viewer's " +
      "rendering step (rAF for a canvas, the video-frame callback for a <video>) that first " +
      "shows the frame − Date.now() painted into it; both reach the glass about a frame later. " +
      "p50 ms to display: the same to Chromium's expected display time (<video> only). torn: presented images whose top and bottom stamps disagree. " +
      "MB/s: bytes received by the viewer. CPU: the contender's processes and their children, " +
      "% of one core; viewer CPU: the whole headless viewer browser; other jobs CPU: the rest " +
      "of the machine's busy time (not this benchmark) — figures taken while it is high are " +
      "not comparable.",
  );
  const loaded = results.flatMap((r) => r.workloads).filter((w) => w.foreignCpuPct > 25);
  if (loaded.length) {
    out.push(
      `\nWARNING: other jobs used > 25 % of a core during ${loaded.length} measurement(s); ` +
        "re-run on a quiet machine before trusting the numbers.",
    );
  }
  console.log(out.join("\n"));

  const cpuModel = /model name\s*:\s*(.*)/.exec(await Deno.readTextFile("/proc/cpuinfo"))?.[1];
  await Deno.mkdir(new URL(".", OUT), { recursive: true });
  await Deno.writeTextFile(
    OUT,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        machine: { cpus: navigator.hardwareConcurrency, cpuModel },
        screen: { width: WIDTH, height: HEIGHT, depth: 24 },
        options: opts,
        totalSeconds: (performance.now() - began) / 1000,
        contenders: results,
      },
      null,
      1,
    ) + "\n",
  );
  console.log(
    `\nwrote ${OUT.pathname}; total ${((performance.now() - began) / 1000).toFixed(0)} s`,
  );
  return results.some((r) => r.error) ? 1 : 0;
}

const onSignal = () => {
  console.error("interrupted: cleaning up");
  cleanup().finally(() => Deno.exit(130));
};
Deno.addSignalListener("SIGINT", onSignal);
Deno.addSignalListener("SIGTERM", onSignal);
// A hung browser call must not leave Xvfb and friends behind.
const watchdog = setTimeout(() => {
  console.error("bench:remote: watchdog fired after 15 min, cleaning up");
  cleanup().finally(() => Deno.exit(2));
}, 15 * 60_000);

let code = 1;
try {
  code = await main();
} catch (error) {
  console.error(error);
} finally {
  await cleanup();
  clearTimeout(watchdog);
}
Deno.exit(code);
