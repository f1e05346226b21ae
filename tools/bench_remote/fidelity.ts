// Picture fidelity for `deno task bench:remote`: what the technician sees against what is on
// the customer's screen, frame for frame. Our own implementation, no library:
//
// - Reference: the harness grabs the X framebuffer itself (MIT-SHM, agent/platform/x11.ts)
//   every few ms and keeps the last REF_KEEP distinct frames by the frame counter of their
//   top stamp (code.js) — only frames whose two stamps agree (not caught mid-paint).
// - Viewer: the viewer page draws the element that shows the remote screen (the <video>
//   through one VideoFrame snapshot, or the canvas) at the screen's size — a picture sent at
//   half size is compared as the browser upscales it — reads its top stamp, and POSTs the
//   RGBA pixels to a loopback listener of the harness (decode.js `grab`).
// - Pairs: viewer frame N against reference frame N (same stamp). Motion: FIDELITY_SAMPLES
//   grabs while the workload runs. Still: the workload stops painting (`bench.freeze()`), and
//   the viewer is grabbed STILL_AT_MS after (0.5 s and 2 s) against the frozen screen —
//   whatever frame the viewer shows by then (a viewer still behind scores what it shows).
// - Metrics, over the frame minus the two stamps (every 16×16 block touching one is left out):
//   PSNR-Y (BT.601 studio-range luma, as libyuv converts), SSIM (luma, mean over 8×8 blocks,
//   C1 = (0.01·255)², C2 = (0.03·255)²), chroma PSNR (Cb and Cr averaged over 2×2 as 4:2:0
//   does, both planes together), and text PSNR: PSNR-Y over the 16×16 blocks of the reference
//   that look like text — a flat background (≥ 55 % of the pixels within ±8 of the block's
//   most common luma) with strokes (luma range ≥ 96).
import type { Page } from "playwright-core";
import "./code.js";
import { openX11Desktop } from "../../agent/platform/x11.ts";

export const FIDELITY_SAMPLES = 6;
export const STILL_AT_MS = [500, 2_000] as const;
const REF_KEEP = 32;
/** Reference frames are gathered this long before the first viewer grab (viewer latency). */
const REF_LEAD_MS = 1_000;
const GRAB_EVERY_MS = 6;

export interface Fidelity {
  psnrY: number;
  ssim: number;
  psnrChroma: number;
  /** NaN: no text blocks in these frames. */
  psnrText: number;
  /** The viewer's picture was smaller than the screen (sent at reduced size). */
  reduced: boolean;
}

export interface FidelityResult {
  /** Mean over the motion pairs (null: none could be paired). */
  motion: Fidelity | null;
  motionPairs: number;
  /** At each STILL_AT_MS after the workload stopped. */
  still: (Fidelity | null)[];
}

type Layout = { top: { x: number; y: number }; bottom: { x: number; y: number } };
const STAMP = 128;

/** The 8 stamp bytes at (x, y) of a 4-byte-per-pixel buffer (black/white: order is moot). */
function stampCounter(data: Uint8Array, stride: number, x: number, y: number): number | null {
  const C = (globalThis as unknown as { BenchCode: BenchCode }).BenchCode;
  const parsed = C.parse(C.readBytes(data.subarray(y * stride), stride / 4, x, 0));
  return parsed ? parsed.counter : null;
}
interface BenchCode {
  readBytes(data: Uint8Array, stridePx: number, x: number, y: number): Uint8Array;
  parse(bytes: Uint8Array): { counter: number; ts32: number } | null;
}

/** Grabs the X screen in the background, keeping recent distinct frames by stamp counter. */
export class ReferenceFrames {
  #desktop: ReturnType<typeof openX11Desktop>;
  #frames = new Map<number, Uint8Array>();
  #spare: Uint8Array[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  #layout: Layout = { top: { x: 32, y: 32 }, bottom: { x: 0, y: 0 } };
  readonly width: number;
  readonly height: number;

  constructor(display: string) {
    this.#desktop = openX11Desktop(display);
    this.width = this.#desktop.width;
    this.height = this.#desktop.height;
  }

  start(layout: Layout) {
    this.#layout = layout;
    this.#timer ??= setInterval(() => this.grab(), GRAB_EVERY_MS);
  }

  stop() {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One grab now; returns the counter (null: torn or unreadable). */
  grab(): number | null {
    const frame = this.#desktop.grab();
    const { top, bottom } = this.#layout;
    const a = stampCounter(frame.data, frame.stride, top.x, top.y);
    const b = stampCounter(frame.data, frame.stride, bottom.x, bottom.y);
    if (a === null || a !== b) return null;
    if (!this.#frames.has(a)) {
      const copy = this.#spare.pop() ?? new Uint8Array(this.width * this.height * 4);
      for (let y = 0; y < this.height; y++) {
        copy.set(
          frame.data.subarray(y * frame.stride, y * frame.stride + this.width * 4),
          y * this.width * 4,
        );
      }
      this.#frames.set(a, copy);
      if (this.#frames.size > REF_KEEP) {
        const oldest = this.#frames.keys().next().value!;
        this.#spare.push(this.#frames.get(oldest)!);
        this.#frames.delete(oldest);
      }
    }
    return a;
  }

  /** BGRX (stride width × 4) of frame `counter`, if still kept. */
  get(counter: number): Uint8Array | undefined {
    return this.#frames.get(counter);
  }

  close() {
    this.stop();
    this.#desktop.close();
  }
}

interface ViewerFrame {
  counter: number;
  rgba: Uint8Array;
  reduced: boolean;
}

/** A loopback listener the viewer page POSTs its frames to. */
export class FrameInbox {
  #server: Deno.HttpServer;
  #waiting = new Map<string, (f: ViewerFrame) => void>();
  #next = 0;
  readonly url: Promise<string>;

  constructor() {
    let resolveUrl!: (url: string) => void;
    this.url = new Promise((r) => resolveUrl = r);
    this.#server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      onListen: ({ port }) => resolveUrl(`http://127.0.0.1:${port}/frame`),
    }, async (request) => {
      const url = new URL(request.url);
      const rgba = new Uint8Array(await request.arrayBuffer());
      const counter = Number(url.searchParams.get("counter"));
      this.#waiting.get(url.searchParams.get("id") ?? "")?.({
        counter,
        rgba,
        reduced: url.searchParams.get("reduced") === "1",
      });
      return new Response("ok", { headers: { "access-control-allow-origin": "*" } });
    });
  }

  /** An id for the next POST and the frame it brings (null: none within the timeout). */
  expect(timeoutMs = 5_000): { id: string; frame: Promise<ViewerFrame | null> } {
    const id = String(++this.#next);
    const frame = new Promise<ViewerFrame | null>((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        resolve(null);
      }, timeoutMs);
      this.#waiting.set(id, (f) => {
        clearTimeout(timer);
        this.#waiting.delete(id);
        resolve(f);
      });
    });
    return { id, frame };
  }

  async close() {
    await this.#server.shutdown();
  }
}

/** Which 16×16 blocks count (not touching a stamp). */
function blockMask(width: number, height: number, layout: Layout): Uint8Array {
  const cols = width >> 4, rows = height >> 4;
  const mask = new Uint8Array(cols * rows).fill(1);
  for (const s of [layout.top, layout.bottom]) {
    for (let by = s.y >> 4; by <= (s.y + STAMP - 1) >> 4 && by < rows; by++) {
      for (let bx = s.x >> 4; bx <= (s.x + STAMP - 1) >> 4 && bx < cols; bx++) {
        mask[by * cols + bx] = 0;
      }
    }
  }
  return mask;
}

/** Y, Cb, Cr (BT.601 studio range) of pixel i; `bgr`: reference order, else RGBA. */
function ycc(d: Uint8Array, i: number, bgr: boolean): [number, number, number] {
  const r = d[i + (bgr ? 2 : 0)], g = d[i + 1], b = d[i + (bgr ? 0 : 2)];
  return [
    ((66 * r + 129 * g + 25 * b + 128) >> 8) + 16,
    ((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128,
    ((112 * r - 94 * g - 18 * b + 128) >> 8) + 128,
  ];
}

const psnr = (sse: number, n: number) =>
  n === 0 ? NaN : sse === 0 ? 99 : 10 * Math.log10(65025 * n / sse);

/** Compares a viewer frame (RGBA) with the reference (BGRX), both width × height. */
export function compare(
  ref: Uint8Array,
  view: Uint8Array,
  width: number,
  height: number,
  layout: Layout,
  reduced = false,
): Fidelity {
  const cols = width >> 4, rows = height >> 4;
  const mask = blockMask(width, height, layout);
  let sseY = 0, nY = 0, sseC = 0, nC = 0, sseT = 0, nT = 0, ssimSum = 0, ssimN = 0;
  const ry = new Uint8Array(256), vy = new Uint8Array(256);
  const hist = new Uint16Array(256);
  for (let by = 0; by < rows; by++) {
    for (let bx = 0; bx < cols; bx++) {
      if (!mask[by * cols + bx]) continue;
      let sse = 0, lo = 255, hi = 0;
      hist.fill(0);
      for (let y = 0; y < 16; y++) {
        for (let x = 0; x < 16; x += 2) {
          // A 2×2 step in chroma: pixels (x, y) and (x + 1, y); y even rows add the pair below.
          const i = ((by * 16 + y) * width + bx * 16 + x) * 4;
          const a0 = ycc(ref, i, true), a1 = ycc(ref, i + 4, true);
          const b0 = ycc(view, i, false), b1 = ycc(view, i + 4, false);
          const k = y * 16 + x;
          ry[k] = a0[0], ry[k + 1] = a1[0], vy[k] = b0[0], vy[k + 1] = b1[0];
          sse += (a0[0] - b0[0]) ** 2 + (a1[0] - b1[0]) ** 2;
          for (const v of [a0[0], a1[0]]) {
            hist[v]++;
            if (v < lo) lo = v;
            if (v > hi) hi = v;
          }
          if ((y & 1) === 0) {
            const j = i + width * 4;
            const a2 = ycc(ref, j, true), a3 = ycc(ref, j + 4, true);
            const b2 = ycc(view, j, false), b3 = ycc(view, j + 4, false);
            for (const c of [1, 2]) {
              const ra = (a0[c] + a1[c] + a2[c] + a3[c]) / 4;
              const va = (b0[c] + b1[c] + b2[c] + b3[c]) / 4;
              sseC += (ra - va) ** 2;
              nC++;
            }
          }
        }
      }
      sseY += sse;
      nY += 256;
      // Text: a flat background with strokes.
      let mode = 0;
      for (let v = 1; v < 256; v++) if (hist[v] > hist[mode]) mode = v;
      let flat = 0;
      for (let v = Math.max(0, mode - 8); v <= Math.min(255, mode + 8); v++) flat += hist[v];
      if (hi - lo >= 96 && flat >= 0.55 * 256) {
        sseT += sse;
        nT += 256;
      }
      // SSIM over the four 8×8 quarters.
      for (const [ox, oy] of [[0, 0], [8, 0], [0, 8], [8, 8]]) {
        let ma = 0, mb = 0;
        for (let y = 0; y < 8; y++) {
          for (let x = 0; x < 8; x++) {
            ma += ry[(oy + y) * 16 + ox + x], mb += vy[(oy + y) * 16 + ox + x];
          }
        }
        ma /= 64, mb /= 64;
        let va = 0, vb = 0, cov = 0;
        for (let y = 0; y < 8; y++) {
          for (let x = 0; x < 8; x++) {
            const da = ry[(oy + y) * 16 + ox + x] - ma, db = vy[(oy + y) * 16 + ox + x] - mb;
            va += da * da, vb += db * db, cov += da * db;
          }
        }
        va /= 63, vb /= 63, cov /= 63;
        const c1 = (0.01 * 255) ** 2, c2 = (0.03 * 255) ** 2;
        ssimSum += ((2 * ma * mb + c1) * (2 * cov + c2)) /
          ((ma * ma + mb * mb + c1) * (va + vb + c2));
        ssimN++;
      }
    }
  }
  return {
    psnrY: psnr(sseY, nY),
    ssim: ssimSum / ssimN,
    psnrChroma: psnr(sseC, nC),
    psnrText: psnr(sseT, nT),
    reduced,
  };
}

function mean(list: Fidelity[]): Fidelity | null {
  if (!list.length) return null;
  const avg = (f: (x: Fidelity) => number) => {
    const v = list.map(f).filter(Number.isFinite);
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
  };
  return {
    psnrY: avg((x) => x.psnrY),
    ssim: avg((x) => x.ssim),
    psnrChroma: avg((x) => x.psnrChroma),
    psnrText: avg((x) => x.psnrText),
    reduced: list.some((x) => x.reduced),
  };
}

/**
 * Measures one workload's fidelity on a running contender: motion pairs while it runs, then
 * the still picture after `freeze()`. The workload keeps running on return only if it was idle.
 */
export async function measureFidelity(
  o: {
    viewer: Page;
    workload: Page;
    reference: ReferenceFrames;
    inbox: FrameInbox;
    source: string;
    layout: Layout;
    moving: boolean;
  },
): Promise<FidelityResult> {
  const { reference, inbox, layout } = o;
  const screen = { width: reference.width, height: reference.height };
  const url = await inbox.url;
  const problems = new Set<string>();
  const grab = async () => {
    const { id, frame } = inbox.expect();
    const sent = await o.viewer.evaluate(
      (a) =>
        (globalThis as unknown as { __benchDecoder: { grab(a: unknown): Promise<unknown> } })
          .__benchDecoder.grab(a),
      { source: o.source, top: layout.top, screen, url: `${url}?id=${id}` },
    ) as { counter: number | null; why?: string };
    if (sent.counter === null) {
      problems.add(sent.why ?? "the viewer's stamp did not read");
      return null;
    }
    return await frame;
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const motion: Fidelity[] = [];
  reference.start(layout);
  try {
    if (o.moving) {
      await sleep(REF_LEAD_MS);
      const pairs: { ref: Uint8Array; view: Uint8Array; reduced: boolean }[] = [];
      for (let i = 0; i < FIDELITY_SAMPLES; i++) {
        await sleep(250);
        const got = await grab();
        const ref = got && reference.get(got.counter);
        // Copied now: the reference ring reuses its buffers.
        if (got && ref) pairs.push({ ref: ref.slice(), view: got.rgba, reduced: got.reduced });
        else if (got) problems.add(`viewer frame ${got.counter} not among the captured`);
      }
      for (const p of pairs) {
        motion.push(compare(p.ref, p.view, screen.width, screen.height, layout, p.reduced));
      }
    }
    await o.workload.evaluate(() =>
      (globalThis as unknown as { bench: { freeze(): void } }).bench.freeze()
    );
    const frozenAt = performance.now();
    await sleep(60);
    const still: (Fidelity | null)[] = [];
    for (const at of STILL_AT_MS) {
      await sleep(Math.max(0, at - (performance.now() - frozenAt)));
      const got = await grab();
      const counter = reference.grab();
      const ref = counter === null ? undefined : reference.get(counter);
      // What the technician sees against what is on the screen now, whichever frame it is.
      if (got && got.counter !== counter) {
        problems.add(`still +${at} ms: viewer shows frame ${got.counter}, the screen ${counter}`);
      }
      still.push(
        got && ref
          ? compare(ref, got.rgba, screen.width, screen.height, layout, got.reduced)
          : null,
      );
    }
    if (problems.size) console.error(`  fidelity: ${[...problems].join("; ")}`);
    return { motion: mean(motion), motionPairs: motion.length, still };
  } finally {
    reference.stop();
  }
}
