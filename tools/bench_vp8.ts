// `deno run -A tools/bench_vp8.ts [--frames 45] [--rounds 3] [--kbps 1500] [--only name,…]`
//
// VP8 real-time settings at 1920×1080 on this machine (issue 14, "motion at half size"): for
// each candidate setting (cpu-used, threads, static threshold, screen-content mode, and the
// agent's half-size motion mode for comparison) it encodes two synthetic full-screen motion
// workloads the way the agent does (BGRX frames, the whole frame dirty, capture times 33 ms
// apart, starting from a refined still as the agent does) and reports per inter frame: encode time (BGRX→I420 included) median and p90, bytes,
// and the decoded picture's PSNR-Y and chroma PSNR against the source (libvpx's decoder;
// half-size frames are compared after scaling back up, as the viewer shows them).
//
//   scrolling  a page of dark glyph strokes on white, 19 px lines, scrolled 8 px a frame
//   video      a photo-like picture with fine grain, panned and zoomed every frame (libyuv
//              bilinear crop-and-scale from a larger source), so every pixel changes
//
// Settings run interleaved, round by round, so the machine's load (shared: others' builds and
// tests) falls on all of them alike; each figure is over all rounds. Figures are comparative:
// on a loaded 2-core machine absolute times vary by ±50 % between runs.
import { Vp8Encoder } from "../agent/media/vp8.ts";
import { Vp8Decoder } from "../agent/media/vp8_decoder_test_support.ts";
import { openFirst } from "../agent/media/vpx_ffi.ts";

export const W = 1920, H = 1080, STRIDE = W * 4;

interface Setting {
  name: string;
  cpuUsed?: number;
  threads?: number;
  staticThreshold?: number;
  screenContentMode?: 0 | 1;
  half?: boolean;
}

const SETTINGS: Setting[] = [
  { name: "current (-6, 1 thr, st 100, sc 1)" },
  { name: "half size (motion mode)", half: true },
  { name: "cpu -4", cpuUsed: -4 },
  { name: "cpu -8", cpuUsed: -8 },
  { name: "cpu -10", cpuUsed: -10 },
  { name: "cpu -12", cpuUsed: -12 },
  { name: "cpu -16", cpuUsed: -16 },
  { name: "2 threads", threads: 2 },
  { name: "2 threads cpu -8", threads: 2, cpuUsed: -8 },
  { name: "static threshold 0", staticThreshold: 0 },
  { name: "static threshold 1000", staticThreshold: 1000 },
  { name: "screen content 0", screenContentMode: 0 },
];

const SCALE = {
  // (src, src_stride, src_w, src_h, dst, dst_stride, dst_w, dst_h, filtering)
  ARGBScale: {
    parameters: ["buffer", "i32", "i32", "i32", "buffer", "i32", "i32", "i32", "i32"],
    result: "i32",
  },
} as const;
const yuv = openFirst(["libyuv.so.0", "libyuv.so"], SCALE).symbols;
export const BILINEAR = 2, BOX = 3;

export function scale(
  src: Uint8Array,
  srcStride: number,
  sw: number,
  sh: number,
  dst: Uint8Array,
  dw: number,
  dh: number,
  filter = BILINEAR,
) {
  const rc = yuv.ARGBScale(src, srcStride, sw, sh, dst, dw * 4, dw, dh, filter);
  if (rc !== 0) throw new Error(`ARGBScale ${rc}`);
}

/** murmur3's finaliser: every output bit depends on every input bit. */
function hash(n: number): number {
  let h = n | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A tall page: glyph-like strokes (8×12 cells, 19 px lines, some colour) on white. */
function page(rows: number): Uint8Array {
  const f = new Uint8Array(STRIDE * rows).fill(0xff);
  for (let y = 0; y < rows; y++) {
    const line = Math.floor(y / 19), inLine = y % 19;
    if (inLine < 3 || inLine >= 15) continue;
    const indent = 64 + (hash(line) % 6) * 32, end = indent + 400 + (hash(line * 7) % 1300);
    for (let x = indent; x < Math.min(end, W - 8); x++) {
      const glyph = x >> 3, col = x & 7;
      if (col === 7 || hash(line * 131 + glyph) % 7 === 0) continue;
      if (hash(line * 7919 + glyph * 104729 + inLine * 31 + col) % 5 < 2) {
        const o = y * STRIDE + x * 4, kind = hash(line + glyph * 3) % 4;
        f[o] = kind === 1 ? 0xa0 : 0x20;
        f[o + 1] = kind === 2 ? 0x70 : 0x20;
        f[o + 2] = kind === 3 ? 0xb0 : 0x20;
      }
    }
  }
  return f;
}

const PW = 2600, PH = 1500;
/** A photo-like picture with grain, larger than the screen (the video's source). */
function photo(): Uint8Array {
  const f = new Uint8Array(PW * PH * 4);
  for (let y = 0; y < PH; y++) {
    for (let x = 0; x < PW; x++) {
      const sky = y < PH * 0.4 + 80 * Math.sin(x / 210);
      const v = 50 * Math.sin(x / 97) * Math.cos(y / 61) + 25 * Math.sin((x + 2 * y) / 17) +
        12 * Math.sin(x / 5.3) * Math.sin(y / 4.1);
      const grain = (hash(x * 4099 + y * 7) & 31) - 16;
      const o = (y * PW + x) * 4;
      if (sky) {
        f[o] = 220 + v / 5 + grain / 2;
        f[o + 1] = 170 + v / 3 + grain / 2;
        f[o + 2] = 110 + v / 3 + grain / 2;
      } else {
        f[o] = 40 + v / 2 + grain;
        f[o + 1] = 120 + v + grain;
        f[o + 2] = 70 + v + grain;
      }
    }
  }
  return f;
}

export interface Workload {
  name: string;
  frame(i: number): { data: Uint8Array; stride: number };
}

export function workloads(frames: number): Workload[] {
  const tall = page(H + frames * 8 + 8);
  const src = photo();
  const out = new Uint8Array(STRIDE * H);
  return [
    {
      name: "scrolling",
      frame: (i) => ({ data: tall.subarray(i * 8 * STRIDE), stride: STRIDE }),
    },
    {
      name: "video",
      frame(i) {
        const t = i / 30;
        const sw = Math.round(W * (1.06 + 0.2 * (0.5 + 0.5 * Math.sin(t * 0.9))));
        const sh = Math.round(sw * H / W);
        const sx = Math.round((PW - sw) * (0.5 + 0.5 * Math.sin(t * 0.55)));
        const sy = Math.round((PH - sh) * (0.5 + 0.5 * Math.cos(t * 0.7)));
        scale(src.subarray((sy * PW + sx) * 4), PW * 4, sw, sh, out, W, H);
        return { data: out, stride: STRIDE };
      },
    },
  ];
}

/** BT.601 studio-range Y, U, V of a BGRX frame (libyuv's ARGBToI420, chroma 2×2 averaged). */
export function planes(f: { data: Uint8Array; stride: number }) {
  const y = new Uint8Array(W * H), cw = W >> 1, ch = H >> 1;
  const u = new Uint8Array(cw * ch), v = new Uint8Array(cw * ch);
  const d = f.data, s = f.stride;
  for (let r = 0; r < H; r++) {
    for (let c = 0; c < W; c++) {
      const o = r * s + c * 4, b = d[o], g = d[o + 1], R = d[o + 2];
      y[r * W + c] = ((66 * R + 129 * g + 25 * b + 128) >> 8) + 16;
    }
  }
  for (let r = 0; r < ch; r++) {
    for (let c = 0; c < cw; c++) {
      let b = 0, g = 0, R = 0;
      for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
        const o = (2 * r + dy) * s + (2 * c + dx) * 4;
        b += d[o], g += d[o + 1], R += d[o + 2];
      }
      b /= 4, g /= 4, R /= 4;
      u[r * cw + c] = ((-38 * R - 74 * g + 112 * b + 128) >> 8) + 128;
      v[r * cw + c] = ((112 * R - 94 * g - 18 * b + 128) >> 8) + 128;
    }
  }
  return { y, u, v };
}

export function mse(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return sum / a.length;
}
export const db = (m: number) => m === 0 ? 99 : 10 * Math.log10(255 * 255 / m);

/** A plane of a half-size picture brought back to full size (nearest: what a 2× blit does). */
export function upscale(p: Uint8Array, w: number, h: number, tw: number, th: number): Uint8Array {
  const out = new Uint8Array(tw * th);
  for (let r = 0; r < th; r++) {
    const sr = Math.min(h - 1, Math.floor(r * h / th));
    for (let c = 0; c < tw; c++) {
      out[r * tw + c] = p[sr * w + Math.min(w - 1, Math.floor(c * w / tw))];
    }
  }
  return out;
}

interface Sample {
  ms: number[];
  bytes: number[];
  psnrY: number[];
  psnrC: number[];
}

function runOnce(s: Setting, wl: Workload, frames: number, kbps: number, into: Sample) {
  const w = s.half ? W / 2 : W, h = s.half ? H / 2 : H;
  const enc = new Vp8Encoder({
    width: w,
    height: h,
    bitrateKbps: kbps, // the agent keeps the full screen's bitrate at half size
    cpuUsed: s.cpuUsed,
    threads: s.threads,
    staticThreshold: s.staticThreshold,
    screenContentMode: s.screenContentMode,
  });
  const dec = new Vp8Decoder();
  const half = new Uint8Array(w * h * 4);
  try {
    for (let i = 0; i < frames; i++) {
      const f = wl.frame(i);
      const t0 = performance.now();
      let src = f;
      if (s.half) {
        scale(f.data, f.stride, W, H, half, w, h, BOX);
        src = { data: half, stride: w * 4 };
      }
      const out = enc.encode(src.data, src.stride, {
        keyframe: i === 0,
        dirty: [{ x: 0, y: 0, width: w, height: h }],
        at: 500 + i * 33.3,
      });
      const ms = performance.now() - t0;
      if (!out) continue;
      const pic = dec.decode(out.data);
      // Motion starts from a refined still, as in the agent (screen.ts refines a still screen).
      if (i === 0) {
        const refined = enc.refine({ at: 0 });
        if (refined) dec.decode(refined.data);
      }
      if (i < 10) continue; // keyframe and rate control settling
      into.ms.push(ms);
      into.bytes.push(out.data.byteLength);
      if (i % 5 === 0 && pic) {
        const ref = planes(f);
        const [py, pu, pv] = s.half
          ? [
            upscale(pic.y, w, h, W, H),
            upscale(pic.u, w / 2, h / 2, W / 2, H / 2),
            upscale(pic.v, w / 2, h / 2, W / 2, H / 2),
          ]
          : [pic.y, pic.u, pic.v];
        into.psnrY.push(db(mse(ref.y, py)));
        into.psnrC.push(db((mse(ref.u, pu) + mse(ref.v, pv)) / 2));
      }
    }
  } finally {
    enc.close();
    dec.close();
  }
}

export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}
export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

if (import.meta.main) {
  const args = Deno.args;
  const opt = (name: string, dflt: number) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : dflt;
  };
  const frames = opt("frames", 45), rounds = opt("rounds", 3), kbps = opt("kbps", 1500);
  const onlyAt = args.indexOf("--only");
  const only = onlyAt >= 0 ? args[onlyAt + 1].split(",") : null;
  const settings = only ? SETTINGS.filter((s) => only.some((o) => s.name.includes(o))) : SETTINGS;
  const wls = workloads(frames);
  const results = new Map<string, Sample>();
  const load0 = Deno.loadavg()[0];
  for (let r = 0; r < rounds; r++) {
    for (const wl of wls) {
      for (const s of settings) {
        const key = `${wl.name}\t${s.name}`;
        const into = results.get(key) ?? { ms: [], bytes: [], psnrY: [], psnrC: [] };
        results.set(key, into);
        runOnce(s, wl, frames, kbps, into);
      }
    }
    console.error(`round ${r + 1}/${rounds} done, load ${Deno.loadavg()[0].toFixed(1)}`);
  }
  console.log(
    `VP8 1920x1080 @ ${kbps} kbit/s, ${frames} frames × ${rounds} rounds per setting; ` +
      `load average ${load0.toFixed(1)} → ${Deno.loadavg()[0].toFixed(1)} (2 cores, shared)`,
  );
  console.log(
    "workload   setting                              ms p50  ms p90  KiB/fr  PSNR-Y  chroma",
  );
  for (const [key, s] of results) {
    const [wl, name] = key.split("\t");
    console.log(
      `${wl.padEnd(10)} ${name.padEnd(36)} ${quantile(s.ms, 0.5).toFixed(1).padStart(6)} ` +
        `${quantile(s.ms, 0.9).toFixed(1).padStart(7)} ${
          (mean(s.bytes) / 1024).toFixed(1).padStart(7)
        } ` +
        `${mean(s.psnrY).toFixed(1).padStart(7)} ${mean(s.psnrC).toFixed(1).padStart(7)}`,
    );
  }
}
