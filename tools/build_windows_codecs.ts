// `deno task build:windows-codecs [--data-dir DIR] [--libvpx VERSION] [--libyuv VERSION]`:
// cross-compiles the Windows support app's video codecs with mingw-w64 from Debian's own source
// packages (bookworm: libvpx 1.12, libyuv 0.0~git2023…, the versions the Linux agent loads on
// Debian 12) into DATA_DIR/runtimes/windows-x64/ beside the deno.exe of `deno task
// fetch:runtimes`:
// - vpx.dll — libvpx with the VP8 encoder only (no VP9, no decoder; yasm for its assembly),
//   exporting exactly the functions agent/media/vpx_ffi.ts declares;
// - yuv.dll — libyuv (C++), exporting the functions agent/media/yuv.ts and scale.ts declare;
// - windows-codecs.json — the source versions they were built from.
// libgcc, libstdc++ and winpthreads are linked in statically, so the DLLs import only Windows'
// own DLLs (checked with objdump; the build fails otherwise).
//
// The sources come from deb.debian.org through apt with a private state folder (its own
// sources list of deb-src lines, its own package lists and cache): nothing in /etc/apt or the
// system's lists is changed, and root is not needed. Needs the Debian packages
// gcc-mingw-w64-x86-64-win32, g++-mingw-w64-x86-64-win32, yasm, make and dpkg-dev.
// ≈ 25–30 s on the 2-core CI machine (measured in the report of the commit that added it).
import { parseArgs } from "node:util";
import { join } from "node:path";
import { VPX_SYMBOLS } from "../agent/media/vpx_ffi.ts";
import { YUV_SYMBOLS } from "../agent/media/yuv.ts";
import { SCALE_SYMBOLS } from "../agent/media/scale.ts";

const CROSS = "x86_64-w64-mingw32-";
const KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg";
const DEB_SRC = [
  "http://deb.debian.org/debian bookworm main",
  "http://deb.debian.org/debian bookworm-updates main",
  "http://deb.debian.org/debian-security bookworm-security main",
].map((line) => `deb-src [signed-by=${KEYRING}] ${line}`);
/** What the DLLs may import: Windows' own libraries, nothing of the toolchain. */
const SYSTEM_DLLS = new Set(["kernel32.dll", "msvcrt.dll", "user32.dll", "advapi32.dll"]);
/** The binaries the build runs, and the Debian package of each. */
export const BUILD_NEEDS: readonly { binary: string; pkg: string }[] = [
  { binary: `/usr/bin/${CROSS}gcc`, pkg: "gcc-mingw-w64-x86-64-win32" },
  { binary: `/usr/bin/${CROSS}g++`, pkg: "g++-mingw-w64-x86-64-win32" },
  { binary: "/usr/bin/yasm", pkg: "yasm" },
  { binary: "/usr/bin/make", pkg: "make" },
  { binary: "/usr/bin/dpkg-source", pkg: "dpkg-dev" },
];

export interface CodecVersions {
  /** Debian source package versions, e.g. "1.12.0-1+deb12u5". */
  libvpx: string;
  libyuv: string;
}

export interface BuiltCodecs {
  vpx: string;
  yuv: string;
  versions: CodecVersions;
  /** Wall-clock seconds of the whole build (download included). */
  seconds: number;
  /** The unpacked sources (inside `workDir`: gone when it was not given). */
  sourceDirs: { libvpx: string; libyuv: string };
}

/** Why the build cannot run here (a missing binary and its package), or null. */
export async function buildMissing(): Promise<string | null> {
  for (const { binary, pkg } of BUILD_NEEDS) {
    if (!await exists(binary)) return `${binary} is missing (Debian package ${pkg})`;
  }
  return null;
}

/**
 * Builds vpx.dll and yuv.dll into `outDir` from the Debian source packages (`versions` pins
 * them; the newest in bookworm otherwise). `workDir` (made and removed when not given) holds
 * apt's private state, the sources and the objects.
 */
export async function buildWindowsCodecs(
  outDir: string,
  options: { workDir?: string; versions?: Partial<CodecVersions>; log?: (s: string) => void } = {},
): Promise<BuiltCodecs> {
  const missing = await buildMissing();
  if (missing) throw new Error(`cannot build the Windows codecs: ${missing}`);
  const started = performance.now();
  const say = options.log ?? (() => {});
  const log = (s: string) => say(`${((performance.now() - started) / 1000).toFixed(1)} s: ${s}`);
  const work = options.workDir ?? await Deno.makeTempDir({ prefix: "rescue-wincodecs-" });
  try {
    const sources = await fetchSources(work, options.versions ?? {}, log);
    log(`libvpx ${sources.libvpx.version}, libyuv ${sources.libyuv.version}`);
    const vpxLib = await buildLibvpx(sources.libvpx.dir, join(work, "vpx-build"), log);
    const yuvObjs = await compileLibyuv(sources.libyuv.dir, join(work, "yuv-build"), log);
    await Deno.mkdir(outDir, { recursive: true });
    const vpx = join(outDir, "vpx.dll"), yuv = join(outDir, "yuv.dll");
    await linkDll(`${CROSS}gcc`, vpx, exportNames(VPX_SYMBOLS), [vpxLib], work);
    await linkDll(
      `${CROSS}g++`,
      yuv,
      exportNames({ ...YUV_SYMBOLS, ...SCALE_SYMBOLS }),
      yuvObjs,
      work,
    );
    const versions = { libvpx: sources.libvpx.version, libyuv: sources.libyuv.version };
    await Deno.writeTextFile(
      join(outDir, "windows-codecs.json"),
      JSON.stringify({ ...versions, built: new Date().toISOString() }, null, 2) + "\n",
    );
    const seconds = (performance.now() - started) / 1000;
    const sourceDirs = { libvpx: sources.libvpx.dir, libyuv: sources.libyuv.dir };
    return { vpx, yuv, versions, seconds, sourceDirs };
  } finally {
    if (!options.workDir) await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

/** The C names of a Deno.dlopen symbol table (an entry's `name` when it renames). */
export function exportNames(symbols: Deno.ForeignLibraryInterface): string[] {
  const names = Object.entries(symbols).map(([key, def]) =>
    "name" in def && typeof def.name === "string" ? def.name : key
  );
  return [...new Set(names)].sort();
}

interface Source {
  version: string;
  dir: string;
}

/** apt-get source of libvpx and libyuv (Debian's patches applied), with a private apt state. */
async function fetchSources(
  work: string,
  pins: Partial<CodecVersions>,
  log: (s: string) => void,
): Promise<{ libvpx: Source; libyuv: Source }> {
  const apt = join(work, "apt");
  for (const dir of ["lists/partial", "cache/archives/partial", "src"]) {
    await Deno.mkdir(join(apt, dir), { recursive: true });
  }
  await Deno.writeTextFile(join(apt, "sources.list"), DEB_SRC.join("\n") + "\n");
  const opts = [
    `Dir::Etc::SourceList=${join(apt, "sources.list")}`,
    "Dir::Etc::SourceParts=/dev/null",
    `Dir::State::Lists=${join(apt, "lists")}`,
    `Dir::Cache=${join(apt, "cache")}`,
    // apt's downloads run as _apt when started by root, which cannot write a private folder.
    "APT::Sandbox::User=root",
    "Debug::NoLocking=1",
  ].flatMap((o) => ["-o", o]);
  log("apt-get update (deb-src lists of bookworm, private state)");
  await run("apt-get", [...opts, "-qq", "update"]);
  const src = join(apt, "src");
  const wanted = (pkg: string, pin?: string) => pin ? `${pkg}=${pin}` : pkg;
  log("apt-get source libvpx libyuv");
  await run("apt-get", [
    ...opts,
    "-qq",
    "source",
    wanted("libvpx", pins.libvpx),
    wanted("libyuv", pins.libyuv),
  ], { cwd: src });
  const found = async (pkg: string): Promise<Source> => {
    for await (const e of Deno.readDir(src)) {
      const m = new RegExp(`^${pkg}_(.+)\\.dsc$`).exec(e.name);
      if (!m) continue;
      const version = m[1];
      const upstream = version.replace(/^\d+:/, "").replace(/-[^-]+$/, "");
      return { version, dir: join(src, `${pkg}-${upstream}`) };
    }
    throw new Error(`apt-get source left no ${pkg} .dsc in ${src}`);
  };
  return { libvpx: await found("libvpx"), libyuv: await found("libyuv") };
}

/** libvpx.a: the VP8 encoder only, for x86_64 Windows, its assembly with yasm. */
async function buildLibvpx(source: string, build: string, log: (s: string) => void) {
  await Deno.mkdir(build, { recursive: true });
  log("libvpx: configure");
  await run(join(source, "configure"), [
    "--target=x86_64-win64-gcc",
    "--as=yasm",
    "--disable-vp9",
    "--disable-vp8-decoder",
    "--enable-vp8-encoder",
    "--enable-static",
    "--disable-shared",
    "--disable-examples",
    "--disable-tools",
    "--disable-docs",
    "--disable-unit-tests",
  ], { cwd: build, env: { CROSS } });
  log("libvpx: make -j2 libvpx.a");
  await run("make", ["-j2", "libvpx.a"], { cwd: build });
  return join(build, "libvpx.a");
}

/** libyuv's sources compiled two at a time (each file keeps only its own CPU's code). */
async function compileLibyuv(source: string, build: string, log: (s: string) => void) {
  await Deno.mkdir(build, { recursive: true });
  const files: string[] = [];
  for await (const e of Deno.readDir(join(source, "source"))) {
    if (e.name.endsWith(".cc")) files.push(e.name);
  }
  files.sort();
  log(`libyuv: ${files.length} files`);
  const objs = files.map((f) => join(build, f.replace(/\.cc$/, ".o")));
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      await run(`${CROSS}g++`, [
        "-O2",
        "-fno-exceptions",
        "-I",
        join(source, "include"),
        "-c",
        join(source, "source", files[i]),
        "-o",
        objs[i],
      ]);
    }
  };
  await Promise.all([worker(), worker()]);
  return objs;
}

/** A DLL exporting `names` (a .def file) from `inputs`, then its imports checked. */
async function linkDll(
  driver: string,
  dll: string,
  names: string[],
  inputs: string[],
  work: string,
): Promise<void> {
  const base = dll.slice(dll.lastIndexOf("/") + 1).replace(/\.dll$/, "");
  const def = join(work, `${base}.def`);
  await Deno.writeTextFile(def, `LIBRARY ${base}\nEXPORTS\n${names.join("\n")}\n`);
  const part = `${dll}.part`;
  await run(driver, [
    "-shared",
    "-s",
    "-o",
    part,
    def,
    ...inputs,
    "-static-libgcc",
    "-static-libstdc++",
    // libvpx's threads are pthreads when mingw has pthread.h: winpthreads, linked in.
    "-static",
    "-lpthread",
    "-Wl,--gc-sections",
  ]);
  const imports = await dllImports(part);
  const foreign = imports.filter((d) => !SYSTEM_DLLS.has(d.toLowerCase()));
  if (foreign.length) {
    throw new Error(`${base}.dll imports ${foreign.join(", ")}: not a Windows system DLL`);
  }
  await Deno.rename(part, dll);
}

/** The DLL names `dll` imports (objdump -p). */
export async function dllImports(dll: string): Promise<string[]> {
  const out = await run(`${CROSS}objdump`, ["-p", dll]);
  return [...out.matchAll(/DLL Name: (\S+)/g)].map((m) => m[1]);
}

async function run(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<string> {
  const out = await new Deno.Command(cmd, { args, ...options, stdin: "null" }).output();
  const text = new TextDecoder();
  if (!out.success) {
    const err = (text.decode(out.stderr) || text.decode(out.stdout)).slice(-1500);
    throw new Error(`${cmd} ${args.join(" ")} failed (${out.code}):\n${err}`);
  }
  return text.decode(out.stdout);
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      "data-dir": { type: "string" },
      libvpx: { type: "string" },
      libyuv: { type: "string" },
      // For the tests (agent/media/windows_codecs_test_support.ts, which runs this file: the
      // agent's files may not import tools/): exactly this output folder, a kept work folder,
      // the result as JSON on the last line; --check only says what is missing.
      out: { type: "string" },
      "work-dir": { type: "string" },
      json: { type: "boolean" },
      check: { type: "boolean" },
    },
  });
  if (Deno.build.os !== "linux") {
    console.error("build:windows-codecs runs on Debian/Ubuntu Linux (mingw-w64, apt)");
    Deno.exit(2);
  }
  if (values.check) {
    const missing = await buildMissing();
    if (missing) console.log(missing);
    Deno.exit(missing ? 3 : 0);
  }
  const dataDir = values["data-dir"] ?? Deno.env.get("DATA_DIR") ?? "./data";
  const out = values.out ?? join(dataDir, "runtimes", "windows-x64");
  try {
    const built = await buildWindowsCodecs(out, {
      workDir: values["work-dir"],
      versions: { libvpx: values.libvpx, libyuv: values.libyuv },
      log: (s) => console.log(`  ${s}`),
    });
    console.log(
      `windows-x64: ${built.vpx} (libvpx ${built.versions.libvpx}), ${built.yuv} ` +
        `(libyuv ${built.versions.libyuv}) in ${built.seconds.toFixed(1)} s`,
    );
    if (values.json) console.log(JSON.stringify(built));
  } catch (error) {
    console.error(
      `windows-x64 codecs not built — ${error instanceof Error ? error.message : error}`,
    );
    Deno.exit(1);
  }
}
