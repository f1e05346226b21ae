/**
 * The systems a portable package is made for, the npm package that ships Deno's official
 * runtime for each (`deno task fetch:runtimes` puts them in DATA_DIR/runtimes), and what the
 * package holds besides the runtime and the bundled app: a launcher in the system's own way,
 * a short read-me and, for Windows, the video codecs (`vpx.dll`, `yuv.dll`, which
 * `deno task build:windows-codecs` puts beside the runtime). Linux shares the screen with the
 * system's own libraries, Windows with those codecs; without them, and on macOS (no desktop
 * backend yet), the app joins for the chat and the other tools and says that the screen
 * cannot be shared, and why.
 */
import { join } from "node:path";
import { AGENT_V8_FLAGS } from "../../agent/v8_flags.ts";

export const PLATFORMS = {
  "linux-x64": { os: "linux", arch: "x86_64", npm: "@deno/linux-x64-glibc", exe: "deno" },
  "linux-arm64": { os: "linux", arch: "aarch64", npm: "@deno/linux-arm64-glibc", exe: "deno" },
  "windows-x64": { os: "windows", arch: "x86_64", npm: "@deno/win32-x64", exe: "deno.exe" },
  "darwin-x64": { os: "darwin", arch: "x86_64", npm: "@deno/darwin-x64", exe: "deno" },
  "darwin-arm64": { os: "darwin", arch: "aarch64", npm: "@deno/darwin-arm64", exe: "deno" },
} as const;
export type Platform = keyof typeof PLATFORMS;

export function isPlatform(value: unknown): value is Platform {
  return typeof value === "string" && value in PLATFORMS;
}

/** The Deno runtime for `platform`: this server's own when it matches, else a fetched one. */
export async function runtimeFor(dataDir: string, platform: Platform): Promise<string | null> {
  const spec = PLATFORMS[platform];
  if (spec.os === Deno.build.os && spec.arch === Deno.build.arch) return Deno.execPath();
  const path = join(dataDir, "runtimes", platform, spec.exe);
  return await Deno.stat(path).then((s) => s.isFile ? path : null).catch(() => null);
}

/** The codec libraries a Windows package carries beside deno.exe (agent/media/vpx_ffi.ts). */
export const WINDOWS_CODECS = ["vpx.dll", "yuv.dll"] as const;

/**
 * The codec libraries for `platform` in DATA_DIR/runtimes/<platform>/ — all of them, or none
 * when one is missing (half a codec shares nothing). Only Windows packages carry any.
 */
export async function codecsFor(dataDir: string, platform: Platform): Promise<string[]> {
  if (PLATFORMS[platform].os !== "windows") return [];
  const paths = WINDOWS_CODECS.map((name) => join(dataDir, "runtimes", platform, name));
  for (const path of paths) {
    const file = await Deno.stat(path).then((s) => s.isFile).catch(() => false);
    if (!file) return [];
  }
  return paths;
}

/** Whether a package for `platform` can share the screen, given its codecs (`codecsFor`). */
export function sharesScreen(platform: Platform, codecs: readonly string[]): boolean {
  const os = PLATFORMS[platform].os;
  return os === "linux" || (os === "windows" && codecs.length === WINDOWS_CODECS.length);
}

// The permissions, and the V8 flag every start of the agent passes (agent/v8_flags.ts).
const RUN_FLAGS = "--allow-net --allow-env --allow-ffi --allow-read --allow-write --allow-run " +
  `--allow-sys ${AGENT_V8_FLAGS}`;

/** The launcher(s) of a package: name, text, executable or not. */
export function launchers(platform: Platform): { name: string; text: string; mode: number }[] {
  const os = PLATFORMS[platform].os;
  if (os === "windows") {
    return [{
      name: "Remote support.cmd",
      mode: 0o644,
      text: [
        "@echo off",
        "rem Starts the support app with the Deno runtime in this folder. Nothing is installed.",
        'set "DENO_DIR=%~dp0.deno"',
        "set DENO_NO_UPDATE_CHECK=1",
        "rem Trust what this computer trusts, and the support desk's own authority if it sent one.",
        "set DENO_TLS_CA_STORE=mozilla,system",
        'if exist "%~dp0ca.pem" set "DENO_CERT=%~dp0ca.pem"',
        `"%~dp0deno.exe" run --no-remote --no-prompt --no-config ${RUN_FLAGS} ` +
        '"%~dp0agent.js" --config "%~dp0rescue.json" %*',
        "pause",
        "",
      ].join("\r\n"),
    }];
  }
  const script = `#!/bin/sh
# Starts the support app with the Deno runtime in this folder. Nothing is installed.
DIR="$(cd "$(dirname "$0")" && pwd)"
export DENO_DIR="$DIR/.deno" DENO_NO_UPDATE_CHECK=1
# Trust what this computer trusts, and the support desk's own authority if it sent one.
export DENO_TLS_CA_STORE=mozilla,system
if [ -f "$DIR/ca.pem" ]; then export DENO_CERT="$DIR/ca.pem"; fi
exec "$DIR/deno" run --no-remote --no-prompt --no-config ${RUN_FLAGS} \\
  "$DIR/agent.js" --config "$DIR/rescue.json" "$@"
`;
  if (os === "darwin") return [{ name: "Remote support.command", text: script, mode: 0o755 }];
  return [
    { name: "rescue-agent.sh", text: script, mode: 0o755 },
    {
      name: "Remote support.desktop",
      mode: 0o755,
      text: `[Desktop Entry]
Type=Application
Name=Remote support
Comment=Lets your technician help you, only with your consent
Exec=sh -c '"$(dirname "$1")/rescue-agent.sh"' sh %k
Terminal=true
Categories=Network;RemoteAccess;
`,
    },
  ];
}

/** The package's read-me; `screen`: whether it can share the screen (`sharesScreen`). */
export function readme(platform: Platform, screen: boolean): string {
  const os = PLATFORMS[platform].os;
  const start = os === "windows"
    ? 'Double-click "Remote support.cmd".'
    : os === "darwin"
    ? 'Double-click "Remote support.command" (the first time: right-click it and choose Open).'
    : 'Run ./rescue-agent.sh in a terminal here, or open "Remote support.desktop".';
  const sharing = screen
    ? "The app opens a window where you decide what your technician may see or do."
    : os === "windows"
    ? "This copy of the app cannot share your screen: it came without its video codecs " +
      "(vpx.dll and yuv.dll, which the support desk adds to its server). It connects you for " +
      "the chat, and your technician can ask to use the other tools, each only with your consent."
    : "On this system the app cannot share your screen yet: it connects you for the chat, " +
      "and your technician can ask to use the other tools, each only with your consent.";
  return `Remote support\r\n==============\r\n${start}\r\n${sharing}\r\n` +
    "Nothing is installed for a session; delete the folder when it is over.\r\n" + _unattended(os);
}

/**
 * What stays when the customer allows unattended access: the app installs a copy of itself as a
 * service (agent/unattended/settle.ts), so the folder may still go; and how to end it.
 */
function _unattended(os: string): string {
  if (os === "windows") {
    return "If you allow unattended access, the app installs a copy of itself as a Windows " +
      "service; to end it, run C:\\ProgramData\\RemoteSupport\\remote-support.cmd " +
      "--unattended revoke as administrator.\r\n";
  }
  if (os === "linux") {
    return "If you allow unattended access, the app installs a copy of itself as a system " +
      "service; to end it, run sudo remote-support --unattended revoke.\r\n";
  }
  return "";
}
