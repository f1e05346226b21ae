// The VP8 encoder of the Windows support app: the official Windows Deno, under Wine, runs the
// agent's own vp8.ts over the vpx.dll and yuv.dll that tools/build_windows_codecs.ts builds
// (windows_codecs_test_support.ts), found beside deno.exe as in the portable package (and, the
// second test, beside the script; when missing, named in the error). What it encodes is decoded here with Linux's libvpx and compared with the source.
// Also: the Win64 struct layouts are measured again (vpx_abi_probe.ts's program built with
// mingw-w64, run under Wine) against vpx_abi.ts's Windows table, and the encode time of a
// 1080p frame is printed for Wine and for Linux (no timed assert: a shared machine).
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  againWhenKilled,
  exitAndOutput,
  startWine,
  tails,
  type Wine,
} from "../platform/wine_test_support.ts";
import { windowsCodecs, windowsCodecsMissing } from "./windows_codecs_test_support.ts";
import { Vp8Decoder } from "./vp8_decoder_test_support.ts";
import { luma, psnr, textPage } from "./frames_test_support.ts";
import { Vp8Encoder } from "./vp8.ts";
import { VPX_ABIS } from "./vpx_abi.ts";

const missing = await windowsCodecsMissing();
if (missing) console.warn(`vp8_windows_test: ${missing} — ignored`);

const W = 640, H = 360;
/**
 * The small sequence's settings: the dense random text of textPage() needs more bits than a
 * 360p preset gives to reach the 30 dB vp8_test.ts holds the encoder to (the Linux libvpx: the
 * "normal" preset at this size codes it at 20.6 dB, "high" at 10 Mbit/s at 39.8–48.8 dB).
 */
const SMALL = { width: W, height: H, preset: "high", bitrateKbps: 10_000 } as const;
/** 1080p timing: a keyframe, then inter frames of text scrolling 6 px a frame. */
const TIMED = 10;
const here = (file: string) => new URL(file, import.meta.url).href;

/** The Windows side: encodes, writes each packet to a file and a manifest, times 1080p. */
function fixture(): string {
  // A Linux path is drive Z: for a Windows program under Wine (wine.winPath).
  const url = (file: string) => "file:///Z:" + fileURLToPath(here(file));
  return `
import { Vp8Encoder } from "${url("./vp8.ts")}";
import { loadLibs } from "${url("./vpx_ffi.ts")}";
import { textPage } from "${url("./frames_test_support.ts")}";
const out = Deno.args[0];
const frames = [];
const enc = new Vp8Encoder(${JSON.stringify(SMALL)});
const save = (f) => {
  if (!f) { frames.push(null); return; }
  Deno.writeFileSync(out + "/p" + frames.length + ".bin", f.data);
  frames.push({ keyframe: f.keyframe, bytes: f.data.byteLength });
};
save(enc.encode(textPage(${W}, ${H}, 0), ${W * 4}));
save(enc.encode(textPage(${W}, ${H}, 18), ${W * 4}));
save(enc.encode(textPage(${W}, ${H}, 18), ${W * 4}, { keyframe: true }));
enc.close();
const pages = Array.from({ length: ${TIMED + 1} }, (_, i) => textPage(1920, 1080, 6 * i));
const big = new Vp8Encoder({ width: 1920, height: 1080 });
const ms = pages.map((p) => {
  const t = performance.now();
  big.encode(p, 1920 * 4);
  return performance.now() - t;
});
big.close();
Deno.writeTextFileSync(out + "/manifest.json", JSON.stringify({
  os: Deno.build.os,
  abi: loadLibs().abi.name,
  frames,
  ms,
}));
`;
}

interface Manifest {
  os: string;
  abi: string;
  frames: ({ keyframe: boolean; bytes: number } | null)[];
  ms: number[];
}

Deno.test({
  name: "Windows VP8: the agent's encoder over vpx.dll/yuv.dll under Wine decodes on Linux",
  ignore: missing !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const codecs = await windowsCodecs();
    const wine = await startWine("");
    const dir = await Deno.makeTempDir({ prefix: "vp8-windows-" });
    try {
      await checkLayout(wine, codecs.headers, dir);
      // The portable package's layout: the DLLs beside deno.exe (a hard link of the Wine
      // harness's runtime, with the ProcessPrng DLL it needs), the script elsewhere.
      const app = join(dir, "app");
      await Deno.mkdir(app);
      await Deno.link(wine.deno, join(app, "deno.exe"));
      const runtimeDir = wine.deno.slice(0, wine.deno.lastIndexOf("/"));
      await Deno.copyFile(
        join(runtimeDir, "bcryptprimitives.dll"),
        join(app, "bcryptprimitives.dll"),
      );
      await copyDlls(codecs, app);
      const script = join(dir, "encode.ts");
      await Deno.writeTextFile(script, fixture());
      // It encodes into `dir` afresh each run: run again when Wine killed it (KILLED; seen in
      // CI, 2026-12-08).
      const run = await againWhenKilled("the Windows VP8 encode", () =>
        exitAndOutput(
          wine.spawn(join(app, "deno.exe"), [
            "run",
            "--allow-ffi",
            "--allow-read",
            "--allow-write",
            wine.winPath(script),
            wine.winPath(dir),
          ], { stdout: "piped", stderr: "piped" }),
        ), true);
      assert.equal(run.code, 0, tails(run));
      const manifest = JSON.parse(await Deno.readTextFile(join(dir, "manifest.json"))) as Manifest;
      assert.equal(manifest.os, "windows");
      assert.equal(manifest.abi, "libvpx 1.12 (Windows x86_64)");
      // The first frame and the requested one are keyframes, the change between is not.
      assert.deepEqual(manifest.frames.map((f) => f?.keyframe), [true, false, true]);
      const sources = [textPage(W, H, 0), textPage(W, H, 18), textPage(W, H, 18)];
      const linuxPackets = encodeLinux(sources);
      const dec = new Vp8Decoder();
      try {
        for (const [i, frame] of manifest.frames.entries()) {
          const data = await Deno.readFile(join(dir, `p${i}.bin`));
          assert.equal(data.byteLength, frame!.bytes);
          const pic = dec.decode(data);
          assert.ok(pic, `packet ${i} did not decode`);
          assert.equal(pic.width, W);
          assert.equal(pic.height, H);
          const p = psnr(luma(sources[i], W, H), pic.y);
          // The bound vp8_test.ts holds the Linux encoder to.
          assert.ok(p > 30, `packet ${i}: luma PSNR ${p.toFixed(1)} dB`);
          const same = linuxPackets[i] && equalBytes(linuxPackets[i]!, data);
          console.log(
            `  packet ${i}: ${frame!.keyframe ? "key" : "inter"} ${data.byteLength} B, ` +
              `luma PSNR ${p.toFixed(1)} dB; Linux's libvpx: ${linuxPackets[i]?.byteLength} B` +
              (same ? ", the same bytes" : ", other bytes"),
          );
        }
      } finally {
        dec.close();
      }
      const linux = timeLinux();
      console.log(
        `  1920×1080 encode (keyframe, then median of ${TIMED} scrolling frames): ` +
          `Wine ${fmt(manifest.ms)}; Linux ${fmt(linux)}`,
      );
    } finally {
      await wine.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

const LOAD_SCRIPT = `
import { Vp8Encoder } from "${"file:///Z:" + fileURLToPath(here("./vp8.ts"))}";
import { loadLibs } from "${"file:///Z:" + fileURLToPath(here("./vpx_ffi.ts"))}";
import { desktopProblem, problemSaid } from "${
  "file:///Z:" + fileURLToPath(here("../platform/libraries.ts"))
}";
let error = "", said = null;
try { loadLibs(); } catch (e) { error = e.message; said = problemSaid(desktopProblem(e, undefined)); }
console.log(JSON.stringify({ available: Vp8Encoder.available(), error, said }));
`;

Deno.test({
  name: "Windows VP8: the DLLs are found beside the script; without them the error names them",
  ignore: missing !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const codecs = await windowsCodecs();
    const wine = await startWine("");
    const dir = await Deno.makeTempDir({ prefix: "vp8-windows-load-" });
    try {
      const load = async (sub: string, dlls: boolean | "vpx") => {
        await Deno.mkdir(join(dir, sub));
        if (dlls === "vpx") await Deno.copyFile(codecs.vpx, join(dir, sub, "vpx.dll"));
        else if (dlls) await copyDlls(codecs, join(dir, sub));
        await Deno.writeTextFile(join(dir, sub, "load.ts"), LOAD_SCRIPT);
        // It only loads: run again when Wine killed it (KILLED).
        const run = await wine.runDeno(
          ["run", "--allow-ffi", "--allow-read", wine.winPath(join(dir, sub, "load.ts"))],
          {},
          { again: true },
        );
        assert.equal(run.code, 0, tails(run));
        return JSON.parse(run.stdout.trim().split("\n").at(-1)!);
      };
      // Only Windows' own DLLs imported (libgcc, libstdc++, winpthreads linked in).
      for (const dll of [codecs.vpx, codecs.yuv]) {
        const dump = await new Deno.Command("x86_64-w64-mingw32-objdump", { args: ["-p", dll] })
          .output();
        const imports = [...new TextDecoder().decode(dump.stdout).matchAll(/DLL Name: (\S+)/g)]
          .map((m) => m[1].toLowerCase()).sort();
        assert.deepEqual(imports, ["kernel32.dll", "msvcrt.dll"], dll);
      }
      assert.deepEqual(await load("with", true), { available: true, error: "", said: null });
      const without = await load("without", false);
      assert.equal(without.available, false);
      assert.match(
        without.error,
        /^VP8 encoding is off: vpx\.dll \(libvpx\) and yuv\.dll \(libyuv\) belong beside deno\.exe/,
      );
      // Each place it looked: the script's folder, deno.exe's, the system's search.
      assert.match(without.error, /could not load vpx\.dll/);
      assert.ok(without.error.includes(wine.winPath(join(dir, "without")) + "\\vpx.dll"));
      // The hello says so as its own reason (the customer's and technician's words follow from
      // it), naming both files; with vpx.dll alone, yuv.dll only.
      assert.deepEqual(without.said, { reason: "codecs", detail: "vpx.dll, yuv.dll" });
      const half = await load("vpx-only", "vpx");
      assert.equal(half.available, false);
      assert.match(half.error, /could not load yuv\.dll/);
      assert.deepEqual(half.said, { reason: "codecs", detail: "yuv.dll" });
    } finally {
      await wine.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

async function copyDlls(codecs: { vpx: string; yuv: string }, to: string): Promise<void> {
  await Deno.copyFile(codecs.vpx, join(to, "vpx.dll"));
  await Deno.copyFile(codecs.yuv, join(to, "yuv.dll"));
}

/** mingw-w64's sizeof/offsetof of the libvpx headers, run under Wine, against the table. */
async function checkLayout(wine: Wine, headers: string, dir: string): Promise<void> {
  const probeTool = fileURLToPath(here("../../tools/vpx_abi_probe.ts"));
  const c = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-lock", probeTool, "--print-c"],
  }).output();
  assert.ok(c.success, new TextDecoder().decode(c.stderr));
  await Deno.writeFile(join(dir, "probe.c"), c.stdout);
  const cc = await new Deno.Command("x86_64-w64-mingw32-gcc", {
    args: ["-O1", "-I", headers, "-o", join(dir, "probe.exe"), join(dir, "probe.c")],
  }).output();
  assert.ok(cc.success, new TextDecoder().decode(cc.stderr));
  const child = wine.spawn(join(dir, "probe.exe"), [], { stdout: "piped", stderr: "piped" });
  const out = await exitAndOutput(child);
  const probed = JSON.parse(out.stdout) as Record<string, number>;
  const table = VPX_ABIS.find((a) => a.os === "windows")!;
  const groups = table as unknown as Record<string, Record<string, number>>;
  let compared = 0;
  for (const [key, value] of Object.entries(probed)) {
    const [group, field] = key.split(".");
    if (key === "encoderAbiVersion") {
      assert.equal(table.encoderAbiVersion, value, key);
      compared++;
    } else if (field && groups[group] && group !== "macros" && group !== "decoderImage") {
      assert.equal(groups[group][field], value, `Windows table ${key}`);
      compared++;
    }
  }
  assert.ok(compared > 50, `only ${compared} values compared`);
}

/** The small sequence through the Linux libvpx, for comparison (printed, not asserted). */
function encodeLinux(sources: Uint8Array[]): (Uint8Array | undefined)[] {
  const enc = new Vp8Encoder(SMALL);
  try {
    return sources.map((s, i) => enc.encode(s, W * 4, { keyframe: i === 2 })?.data);
  } finally {
    enc.close();
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((v, i) => v === b[i]);
}

/** The same 1080p sequence through the Linux libvpx, in this process. */
function timeLinux(): number[] {
  const pages = Array.from({ length: TIMED + 1 }, (_, i) => textPage(1920, 1080, 6 * i));
  const enc = new Vp8Encoder({ width: 1920, height: 1080 });
  try {
    return pages.map((p) => {
      const t = performance.now();
      enc.encode(p, 1920 * 4);
      return performance.now() - t;
    });
  } finally {
    enc.close();
  }
}

function fmt(ms: number[]): string {
  const inter = ms.slice(1).sort((a, b) => a - b);
  return `${ms[0].toFixed(1)} ms, ${inter[inter.length >> 1].toFixed(1)} ms/frame`;
}
