// `deno task bench:h264 [--frames 45] [--rounds 3] [--kbps 1500] [--only <regex of encoder names>]`
//
// VP8 (libvpx, the agent's settings) against H.264 (OpenH264 2.3, SCREEN_CONTENT_REAL_TIME,
// agent/media/h264.ts) at 1920×1080 on this machine, side by side in one run (issue 14, "motion
// at half size"): the two full-screen motion workloads of tools/bench_vp8.ts (a text page
// scrolled 8 px a frame; a grainy photo panned and zoomed every frame), encoded the way the
// agent does (BGRX in, the whole frame dirty, capture times 33 ms apart, motion starting from a
// refined still), and per inter frame: the encoding thread's CPU time (BGRX→I420 included;
// screen.ts's motion mode halves the picture when most big frames take over 28 ms of it), the
// wall time, bytes, and the decoded picture's PSNR-Y and chroma PSNR against the source (each
// codec's own decoder: libvpx for VP8, OpenH264 for H.264; VP8's half-size motion mode compared
// after scaling back up, as the viewer shows it).
//
// Encoders run interleaved, round by round, so the machine's load (shared) falls on all alike.
import { H264Encoder } from "../agent/media/h264.ts";
import { H264Decoder } from "../agent/media/h264_decoder_test_support.ts";
import { Vp8Encoder } from "../agent/media/vp8.ts";
import { type DecodedFrame, Vp8Decoder } from "../agent/media/vp8_decoder_test_support.ts";
import { threadCpuClock } from "../agent/platform/thread_cpu.ts";
import {
  BOX,
  db,
  H,
  mean,
  mse,
  planes,
  quantile,
  scale,
  upscale,
  W,
  type Workload,
  workloads,
} from "./bench_vp8.ts";

interface Codec {
  name: string;
  half?: boolean;
  make(w: number, h: number, kbps: number): {
    encode: Vp8Encoder["encode"];
    refine(o: { at: number }): { data: Uint8Array } | null;
    close(): void;
  };
  decoder(): { decode(d: Uint8Array): DecodedFrame | null; close(): void };
}

const CODECS: Codec[] = [
  {
    name: "VP8 full size",
    make: (width, height, kbps) => new Vp8Encoder({ width, height, bitrateKbps: kbps }),
    decoder: () => new Vp8Decoder(),
  },
  {
    name: "VP8 half size (motion mode)",
    half: true,
    make: (width, height, kbps) => new Vp8Encoder({ width, height, bitrateKbps: kbps }),
    decoder: () => new Vp8Decoder(),
  },
  {
    name: "H.264 (agent's settings)",
    make: (width, height, kbps) => new H264Encoder({ width, height, bitrateKbps: kbps }),
    decoder: () => new H264Decoder(),
  },
  ...([
    ["H.264 screen content mode", { usage: "screen" }],
    ["H.264 RC bitrate mode", { rc: "bitrate" }],
    ["H.264 max QP 46", { maxQp: 46 }],
    ["H.264 max QP 36", { maxQp: 36 }],
    ["H.264 adaptive quant off", { aq: false }],
    ["H.264 2 threads, 2 slices", { threads: 2 }],
    ["H.264 complexity 2", { complexity: 2 }],
  ] as const).map(([name, tuning]) => ({
    name,
    make: (width: number, height: number, kbps: number) =>
      new H264Encoder({ width, height, bitrateKbps: kbps, tuning }),
    decoder: () => new H264Decoder(),
  })),
];

interface Sample {
  cpu: number[];
  wall: number[];
  bytes: number[];
  psnrY: number[];
  psnrC: number[];
}

const cpuClock = threadCpuClock() ?? (() => performance.now());

function runOnce(c: Codec, wl: Workload, frames: number, kbps: number, into: Sample) {
  const w = c.half ? W / 2 : W, h = c.half ? H / 2 : H;
  const enc = c.make(w, h, kbps); // the agent keeps the full screen's bitrate at half size
  const dec = c.decoder();
  const half = new Uint8Array(w * h * 4);
  try {
    for (let i = 0; i < frames; i++) {
      const f = wl.frame(i);
      const c0 = cpuClock(), t0 = performance.now();
      let src = f;
      if (c.half) {
        scale(f.data, f.stride, W, H, half, w, h, BOX);
        src = { data: half, stride: w * 4 };
      }
      const out = enc.encode(src.data, src.stride, {
        keyframe: i === 0,
        dirty: [{ x: 0, y: 0, width: w, height: h }],
        at: 500 + i * 33.3,
      });
      const cpu = cpuClock() - c0, wall = performance.now() - t0;
      if (!out) continue;
      const pic = dec.decode(out.data);
      if (i === 0) {
        const refined = enc.refine({ at: 0 }); // motion starts from a refined still
        if (refined) dec.decode(refined.data);
      }
      if (i < 10) continue; // keyframe and rate control settling
      into.cpu.push(cpu);
      into.wall.push(wall);
      into.bytes.push(out.data.byteLength);
      if (i % 5 === 0 && pic) {
        const ref = planes(f);
        const [py, pu, pv] = c.half
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

if (import.meta.main) {
  const args = Deno.args;
  const opt = (name: string, dflt: number) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : dflt;
  };
  const frames = opt("frames", 45), rounds = opt("rounds", 3), kbps = opt("kbps", 1500);
  if (!H264Encoder.available()) throw new Error("OpenH264 2.3 (libopenh264.so.7) is not loadable");
  const wls = workloads(frames);
  const only = args.indexOf("--only");
  const codecs = only < 0 ? CODECS : CODECS.filter((c) => new RegExp(args[only + 1]).test(c.name));
  const results = new Map<string, Sample>();
  const load0 = Deno.loadavg()[0];
  for (let r = 0; r < rounds; r++) {
    for (const wl of wls) {
      for (const c of codecs) {
        const key = `${wl.name}\t${c.name}`;
        const into = results.get(key) ?? { cpu: [], wall: [], bytes: [], psnrY: [], psnrC: [] };
        results.set(key, into);
        runOnce(c, wl, frames, kbps, into);
      }
    }
    console.error(`round ${r + 1}/${rounds} done, load ${Deno.loadavg()[0].toFixed(1)}`);
  }
  console.log(
    `VP8 vs H.264 at 1920x1080, ${kbps} kbit/s, ${frames} frames × ${rounds} rounds; load ` +
      `average ${load0.toFixed(1)} → ${Deno.loadavg()[0].toFixed(1)} (2 cores, shared)`,
  );
  console.log(
    "workload   encoder                       CPU ms p50   p90  wall p50  KiB/fr  PSNR-Y  chroma",
  );
  for (const [key, s] of results) {
    const [wl, name] = key.split("\t");
    const f1 = (x: number, n: number) => x.toFixed(1).padStart(n);
    console.log(
      `${wl.padEnd(10)} ${name.padEnd(29)} ${f1(quantile(s.cpu, 0.5), 10)} ${
        f1(quantile(s.cpu, 0.9), 5)
      } ${f1(quantile(s.wall, 0.5), 9)} ${f1(mean(s.bytes) / 1024, 7)} ${f1(mean(s.psnrY), 7)} ${
        f1(mean(s.psnrC), 7)
      }`,
    );
  }
}
