/**
 * Test support: the Windows codecs (vpx.dll, yuv.dll) that `deno task build:windows-codecs`
 * makes, built once per machine and kept in the system's temp folder, keyed by the Debian
 * source versions — those of the libvpx7 and libyuv0 installed here, the libraries the Linux
 * agent loads, so the two sides of a test run the same codec versions. Made under a lock
 * (several test processes may ask at once); the libvpx headers are kept beside the DLLs for
 * measuring the Win64 struct layouts.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { wineMissing } from "../platform/wine_test_support.ts";

/** Run, not imported: the agent's files (tests too) may import only agent/ and protocol/. */
const TOOL = fileURLToPath(new URL("../../tools/build_windows_codecs.ts", import.meta.url));

/** Debian source package versions, e.g. "1.12.0-1+deb12u5". */
export interface CodecVersions {
  libvpx: string;
  libyuv: string;
}

export interface WindowsCodecs {
  /** The folder holding vpx.dll and yuv.dll. */
  dir: string;
  vpx: string;
  yuv: string;
  /** A folder with libvpx's public headers (vpx/*.h) of the same source. */
  headers: string;
  versions: CodecVersions;
}

/** Why the Windows codecs cannot be built or run here (Wine, mingw-w64, yasm …), or null. */
export async function windowsCodecsMissing(): Promise<string | null> {
  const wine = await wineMissing();
  if (wine) return wine;
  const out = await tool(["--check"]);
  return out.code === 0 ? null : out.stdout.trim() || out.stderr.trim();
}

function tool(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-lock", TOOL, ...args],
    stdin: "null",
  }).output().then((o) => ({
    code: o.code,
    stdout: new TextDecoder().decode(o.stdout),
    stderr: new TextDecoder().decode(o.stderr),
  }));
}

let cached: Promise<WindowsCodecs> | undefined;

/** The DLLs, built on first use on this machine (≈ 30–70 s), then from the cache. */
export function windowsCodecs(): Promise<WindowsCodecs> {
  cached ??= prepare();
  return cached;
}

async function prepare(): Promise<WindowsCodecs> {
  const pins = await installedVersions();
  const key = pins ? `${pins.libvpx}_${pins.libyuv}`.replace(/[^A-Za-z0-9.+~_-]/g, "_") : "newest";
  const root = join(Deno.env.get("TMPDIR") ?? "/tmp", `rescue-wincodecs-${Deno.uid?.() ?? 0}`);
  const dir = join(root, key);
  const done = join(dir, "ready.json");
  const result = async (): Promise<WindowsCodecs> => ({
    dir: join(dir, "out"),
    vpx: join(dir, "out", "vpx.dll"),
    yuv: join(dir, "out", "yuv.dll"),
    headers: join(dir, "headers"),
    versions: JSON.parse(await Deno.readTextFile(done)),
  });
  if (await exists(done)) return await result();
  await Deno.mkdir(root, { recursive: true });
  const lock = join(root, `${key}.lock`);
  const started = Date.now();
  for (;;) {
    try {
      await Deno.mkdir(lock); // atomic: one builder at a time across test processes
      break;
    } catch {
      if (await exists(done)) return await result();
      if (Date.now() - started > 600_000) throw new Error(`${lock} held for 10 minutes`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    if (await exists(done)) return await result();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    const work = join(dir, "work");
    const build = (pinned: CodecVersions | null) =>
      tool([
        "--out",
        join(dir, "out"),
        "--work-dir",
        work,
        "--json",
        ...(pinned ? ["--libvpx", pinned.libvpx, "--libyuv", pinned.libyuv] : []),
      ]);
    let run = await build(pins);
    if (run.code !== 0 && pins && /apt-get .*source/.test(run.stderr)) {
      // The installed version is no longer in bookworm's index (a newer point release came):
      // the newest source then, which the Linux side still decodes.
      console.warn(`windows codecs: ${pins.libvpx} / ${pins.libyuv} not in apt's index, newest`);
      await Deno.remove(work, { recursive: true }).catch(() => {});
      run = await build(null);
    }
    if (run.code !== 0) {
      throw new Error(
        `build_windows_codecs.ts failed:\n${(run.stderr || run.stdout).slice(-2000)}`,
      );
    }
    const built = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as {
      versions: CodecVersions;
      seconds: number;
      sourceDirs: { libvpx: string };
    };
    await Deno.mkdir(join(dir, "headers", "vpx"), { recursive: true });
    for await (const e of Deno.readDir(join(built.sourceDirs.libvpx, "vpx"))) {
      if (!e.name.endsWith(".h")) continue;
      await Deno.copyFile(
        join(built.sourceDirs.libvpx, "vpx", e.name),
        join(dir, "headers", "vpx", e.name),
      );
    }
    await Deno.remove(work, { recursive: true });
    console.log(
      `windows codecs: libvpx ${built.versions.libvpx}, libyuv ${built.versions.libyuv} ` +
        `built in ${built.seconds.toFixed(1)} s`,
    );
    await Deno.writeTextFile(done, JSON.stringify(built.versions));
    return await result();
  } finally {
    await Deno.remove(lock).catch(() => {});
  }
}

/** The source versions of the installed libvpx7 and libyuv0 (dpkg), or null when absent. */
async function installedVersions(): Promise<CodecVersions | null> {
  const out = await new Deno.Command("dpkg-query", {
    args: ["-W", "-f", "${source:Version}\n", "libvpx7", "libyuv0"],
    stdout: "piped",
    stderr: "null",
  }).output().catch(() => null);
  if (!out?.success) return null;
  const [libvpx, libyuv] = new TextDecoder().decode(out.stdout).trim().split("\n");
  return libvpx && libyuv ? { libvpx, libyuv } : null;
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}
