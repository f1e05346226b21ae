/**
 * Test support: Windows programs on this Linux machine, through Wine (Debian's `wine64`), so
 * the support app's Windows parts (the desktop backend over user32/gdi32, the codecs' DLLs,
 * the Windows package) run as a Windows customer would run them: the official Windows Deno
 * runtime from npm (`@deno/win32-x64`, the same version as the Deno running the tests),
 * calling real Win32 functions, on a real X display (Wine draws its windows on Xvfb).
 *
 * Two things Debian 12's Wine 8.0 lacks are bridged here, for the tests only (nothing of it
 * reaches a package):
 * - `bcryptprimitives.dll` (its `ProcessPrng`, which Rust programs import since Windows 10):
 *   a small DLL built with mingw-w64 that answers from `RtlGenRandom`, put beside deno.exe;
 * - V8 reserves its tables with `MEM_RESERVE_PLACEHOLDER` (Wine 9+): a copy of deno.exe whose
 *   `GetProcAddress("VirtualAlloc2")` string is renamed finds no such function, so V8 takes
 *   its other path (the one it has for Windows before 10). The shipped deno.exe is untouched.
 *
 * A prepared prefix (wineboot takes ≈ 12 s) is kept in the system's temp folder per user and
 * Deno version, made once under a lock; each `startWine()` gets its own prefix from it (the
 * big `drive_c` hard-linked, the registry copied) and so its own wineserver.
 *
 * Needs the Debian packages `wine64` and `gcc-mingw-w64-x86-64-win32`, and npm (`npm pack`).
 */
import { basename, join } from "node:path";
import {
  type Again,
  againWhenKilled,
  exitAndOutput,
  type Output,
} from "./wine_output_test_support.ts";

export {
  type Again,
  againWhenKilled,
  exitAndOutput,
  KILLED,
  type Output,
  tails,
} from "./wine_output_test_support.ts";

const WINE = "/usr/lib/wine/wine64";
const WINESERVER = "/usr/lib/wine/wineserver64";
const MINGW = "/usr/bin/x86_64-w64-mingw32-gcc";

/** A Wine prefix of its own, ready to run Windows programs on an X display. */
export interface Wine {
  /** The patched Windows deno.exe (a Linux path; Wine maps it to Z:\…). */
  deno: string;
  /** The prefix (WINEPREFIX). */
  prefix: string;
  /** The environment for a Wine program: WINEPREFIX, DISPLAY, WINEDEBUG. */
  env: Record<string, string>;
  /** A Linux path as a Windows program sees it (`Z:\tmp\…`). */
  winPath(path: string): string;
  /** Starts a Windows program (`exe` a Linux path or a name Wine finds, e.g. "notepad"). */
  spawn(
    exe: string,
    args: string[],
    options?: {
      env?: Record<string, string>;
      stdout?: "piped" | "null";
      stderr?: "piped" | "null";
    },
  ): Deno.ChildProcess;
  /**
   * Runs deno.exe with `args` and returns its output (`code`, `signal`, `stdout`, `stderr`).
   * With `again`, a run that Wine ended with SIGKILL is run once more (`true`), or after
   * `again()` has put back what the first run may have changed (KILLED,
   * wine_output_test_support.ts).
   */
  runDeno(
    args: string[],
    env?: Record<string, string>,
    options?: { again?: Again },
  ): Promise<Output>;
  /** Ends every Windows program of this prefix (wineserver -k) and removes the prefix. */
  stop(): Promise<void>;
}

/** Why Wine cannot be used here, or null when it can (the tests ignore themselves then). */
export async function wineMissing(): Promise<string | null> {
  for (const [path, pkg] of [[WINE, "wine64"], [MINGW, "gcc-mingw-w64-x86-64-win32"]]) {
    if (!await exists(path)) return `${path} is missing (Debian package ${pkg})`;
  }
  return null;
}

/** A fresh prefix of its own on `display` (e.g. an Xvfb's ":93"). */
export async function startWine(
  display: string,
  options: {
    /**
     * false: the wineserver ends by itself after the prefix's last program, as Wine's does
     * (a test that waits for it with `wineserver -w` between programs). Default true.
     */
    persistent?: boolean;
    /** Called with the prefix before its wineserver starts (registry files, drives). */
    prepare?: (prefix: string) => Promise<void>;
  } = {},
): Promise<Wine> {
  const base = await preparedBase();
  const prefix = await Deno.makeTempDir({ prefix: "rescue-wine-" });
  // drive_c holds ≈ 1 GB of Wine's own DLLs, never written by the tests: hard links.
  await run("cp", ["-al", join(base.prefix, "drive_c"), join(prefix, "drive_c")]);
  for (const file of ["system.reg", "user.reg", "userdef.reg"]) {
    await Deno.copyFile(join(base.prefix, file), join(prefix, file));
  }
  await run("cp", ["-a", join(base.prefix, "dosdevices"), join(prefix, "dosdevices")]);
  // Wine runs `wineboot --update` (≈ 12 s idle, 20 s under load) on a prefix's first start
  // unless its .update-timestamp names the installed Wine: the base's does. (2e82124 dropped the
  // stamp as windows_test's two-monitor case hung with it: that hang was the test awaiting the
  // end of the fixture's stderr, held by the services the fixture's Wine started once the
  // wineserver crashed — see stop() below and windows_test.ts.)
  await Deno.copyFile(join(base.prefix, ".update-timestamp"), join(prefix, ".update-timestamp"));
  // Debian's Wine keeps a prefix's wineserver directory under a random /tmp/wine-XXXXXX named in
  // the prefix's `wineserver` file, which the first program of the prefix makes. Two programs
  // started at once on a fresh prefix (Notepad and the installer, a service and its helper)
  // each made their own: two wineservers split the prefix — registry writes the other never saw,
  // programs killed with the other server (exit 137), "chdir to /tmp/wine-…: No such file" (seen
  // 2026-12-07). Made here, before any program runs: every program finds the one directory.
  const serverDir = await Deno.makeTempDir({ dir: "/tmp", prefix: "wine-" });
  await Deno.writeTextFile(join(prefix, "wineserver"), basename(serverDir), { mode: 0o400 });
  await options.prepare?.(prefix);
  const env = { WINEPREFIX: prefix, DISPLAY: display, WINEDEBUG: "-all" };
  // A wineserver that lives until stop(). Left to itself it shuts the prefix down 3 s after its
  // last program exits: it tells the services to end, and 2 s later kills every process it
  // still has — a program started one after another in that window (a test's next `reg`, the
  // fixture after them, the installer as the old service exits) was killed, exit 137 (seen in
  // CI under load, 2026-12-07, windows_system_test and windows_service_test). `-p` keeps it.
  // (Its output is not piped: the server stays in the background, holding what it inherited.)
  if (options.persistent !== false) {
    const server = await new Deno.Command(WINESERVER, {
      args: ["-p"],
      env,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
    if (!server.success) throw new Error(`wineserver -p: exit ${server.code}`);
    // The prefix's first program starts its services (services.exe, winedevice.exe…), which
    // inherit that program's output and, with this server, live until stop(): a first program
    // whose output is nobody's pipe, or a test awaiting a program's output would wait forever.
    const first = await new Deno.Command(WINE, {
      args: ["cmd", "/c", "exit"],
      env,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
    if (!first.success) throw new Error(`the prefix's first program: exit ${first.code}`);
  }
  const spawn: Wine["spawn"] = (exe, args, options = {}) =>
    new Deno.Command(WINE, {
      args: [exe, ...args],
      env: { ...env, ...options.env },
      stdin: "null",
      stdout: options.stdout ?? "null",
      stderr: options.stderr ?? "null",
    }).spawn();
  return {
    deno: base.deno,
    prefix,
    env,
    winPath: (path) => "Z:" + path.replaceAll("/", "\\"),
    spawn,
    async runDeno(args, extra = {}, options = {}) {
      const once = () =>
        exitAndOutput(
          new Deno.Command(WINE, {
            args: [base.deno, ...args],
            env: { ...env, ...extra },
            stdin: "null",
            stdout: "piped",
            stderr: "piped",
          }).spawn(),
        );
      return await againWhenKilled(`deno.exe ${args.join(" ")}`, once, options.again);
    },
    async stop() {
      await new Deno.Command(WINESERVER, { args: ["-k"], env, stdout: "null", stderr: "null" })
        .output().catch(() => {});
      // When the wineserver has crashed (Wine 8's does as a program exits after a RandR change,
      // see windows_test.ts) -k finds none, and the prefix's services.exe, winedevice.exe…
      // wait for it forever, holding the pipes they inherited: they are ended here.
      for (const pid of await prefixProcesses(prefix)) {
        try {
          Deno.kill(pid, "SIGKILL");
        } catch { /* gone meanwhile */ }
      }
      await Deno.remove(prefix, { recursive: true }).catch(() => {});
      await Deno.remove(serverDir, { recursive: true }).catch(() => {});
    },
  };
}

/** The processes whose environment names `prefix` as their WINEPREFIX (Wine's, of that prefix). */
async function prefixProcesses(prefix: string): Promise<number[]> {
  const pids: number[] = [];
  const wanted = `WINEPREFIX=${prefix}`;
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const environ = await Deno.readFile(`/proc/${entry.name}/environ`).catch(() => null);
    if (environ && new TextDecoder().decode(environ).split("\0").includes(wanted)) {
      pids.push(Number(entry.name));
    }
  }
  return pids;
}

interface Base {
  prefix: string;
  deno: string;
}

let basePromise: Promise<Base> | undefined;

/**
 * Makes the shared prepared prefix and the patched runtime now, when they are not made yet
 * (tools/test_setup.ts, before any test: on a fresh machine ≈ 30 s that no test's time pays).
 */
export async function prepareWine(): Promise<void> {
  await preparedBase();
}

/** The shared prepared prefix and the patched runtime, made once per user and Deno version. */
function preparedBase(): Promise<Base> {
  basePromise ??= makeBase();
  return basePromise;
}

async function makeBase(): Promise<Base> {
  const missing = await wineMissing();
  if (missing) throw new Error(`Wine cannot run here: ${missing}`);
  const root = join(
    Deno.env.get("TMPDIR") ?? "/tmp",
    `rescue-wine-base-${Deno.uid?.() ?? 0}-${Deno.version.deno}`,
  );
  const done = join(root, "ready");
  const base = { prefix: join(root, "prefix"), deno: join(root, "runtime", "deno_wine8.exe") };
  if (await exists(done)) return base;
  await Deno.mkdir(root, { recursive: true });
  // One maker at a time across test processes: mkdir is atomic.
  const lock = join(root, "lock");
  const started = Date.now();
  for (;;) {
    try {
      await Deno.mkdir(lock);
      break;
    } catch {
      if (await exists(done)) return base;
      if (Date.now() - started > 300_000) throw new Error(`${lock} held for 5 minutes`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    if (await exists(done)) return base;
    await Deno.remove(base.prefix, { recursive: true }).catch(() => {});
    const runtime = join(root, "runtime");
    await Deno.mkdir(runtime, { recursive: true });
    await fetchWindowsDeno(runtime);
    await buildPrngShim(runtime);
    // wineboot makes the prefix; a display is not needed for it.
    const boot = await new Deno.Command(WINE, {
      args: ["wineboot", "--init"],
      env: { WINEPREFIX: base.prefix, WINEDEBUG: "-all", DISPLAY: "" },
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!boot.success) {
      throw new Error(`wineboot failed: ${new TextDecoder().decode(boot.stderr).slice(-400)}`);
    }
    await new Deno.Command(WINESERVER, {
      args: ["-w"],
      env: { WINEPREFIX: base.prefix },
    }).output();
    await Deno.writeTextFile(done, new Date().toISOString());
    return base;
  } finally {
    await Deno.remove(lock).catch(() => {});
  }
}

/** deno.exe of this Deno's version from npm, and its copy that runs on Wine 8 (see above). */
async function fetchWindowsDeno(dir: string): Promise<void> {
  const version = Deno.version.deno;
  const pack = await new Deno.Command("npm", {
    args: ["pack", "--silent", `@deno/win32-x64@${version}`],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!pack.success) {
    throw new Error(
      `npm pack @deno/win32-x64@${version}: ${new TextDecoder().decode(pack.stderr)}`,
    );
  }
  const tgz = new TextDecoder().decode(pack.stdout).trim().split("\n").at(-1)!;
  await run("tar", ["xzf", join(dir, tgz), "-C", dir, "package/deno.exe"]);
  const original = await Deno.readFile(join(dir, "package", "deno.exe"));
  const from = new TextEncoder().encode("VirtualAlloc2\0");
  const at = indexOf(original, from);
  if (at < 0) throw new Error("deno.exe names no VirtualAlloc2: the Wine 8 patch needs a look");
  const patched = original.slice();
  patched[at + 12] = "X".charCodeAt(0);
  await Deno.writeFile(join(dir, "deno_wine8.exe"), patched);
  await Deno.remove(join(dir, tgz));
  await Deno.remove(join(dir, "package"), { recursive: true });
}

/** bcryptprimitives.dll with ProcessPrng over RtlGenRandom, built with mingw-w64. */
async function buildPrngShim(dir: string): Promise<void> {
  const c = join(dir, "prng.c");
  const def = join(dir, "prng.def");
  await Deno.writeTextFile(
    c,
    `#include <windows.h>
#include <ntsecapi.h>
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len > 0) {
    ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
    if (!RtlGenRandom(data, chunk)) return FALSE;
    data += chunk;
    len -= chunk;
  }
  return TRUE;
}
`,
  );
  await Deno.writeTextFile(def, "LIBRARY bcryptprimitives\nEXPORTS\nProcessPrng\n");
  await run(MINGW, [
    "-shared",
    "-O2",
    "-o",
    join(dir, "bcryptprimitives.dll"),
    c,
    def,
    "-ladvapi32",
  ]);
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

async function run(cmd: string, args: string[]): Promise<void> {
  const out = await new Deno.Command(cmd, { args, stdout: "null", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(
      `${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr).slice(-400)}`,
    );
  }
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}
