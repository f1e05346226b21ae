/**
 * Which program runs a script: chosen from the target OS, the script's own `#!` line and its
 * file name — always an argument list, never a command line for a shell to split. Pure.
 */
import type { OpEnv } from "../ops/mod.ts";

type Os = OpEnv["os"];

/** Unix interpreters by file extension, for a script without a `#!` line. */
const UNIX_BY_EXTENSION: Record<string, string[]> = {
  sh: ["/bin/sh"],
  bash: ["bash"],
  py: ["python3"],
  pl: ["perl"],
  rb: ["ruby"],
};

/** Windows interpreters by file extension (each made a full path by windows_interpreter.ts). */
const WINDOWS_BY_EXTENSION: Record<string, string[]> = {
  ps1: ["powershell.exe", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-File"],
  bat: ["cmd.exe", "/d", "/c"],
  cmd: ["cmd.exe", "/d", "/c"],
  vbs: ["cscript.exe", "//nologo"],
  js: ["cscript.exe", "//nologo"],
  py: ["python.exe"],
};

/**
 * The argument list that runs the script at `path` on `os`, or undefined when this OS has no
 * way to run such a file. On Unix a `#!` line wins (read as the kernel reads it: the
 * interpreter's absolute path and at most one argument, a Windows line end dropped); without
 * one the extension decides, and anything else runs with /bin/sh.
 */
export function scriptCommand(os: Os, path: string, script: string): string[] | undefined {
  const extension = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase() ?? "";
  if (os === "windows") {
    const program = WINDOWS_BY_EXTENSION[extension];
    return program ? [...program, path] : undefined;
  }
  const shebang = /^#!([^\n]*)/.exec(script)?.[1].replace(/\r$/, "").trim();
  if (shebang !== undefined) {
    const match = /^(\S+)(?:\s+(.*))?$/.exec(shebang);
    if (!match || !match[1].startsWith("/")) return undefined;
    return match[2] ? [match[1], match[2].trim(), path] : [match[1], path];
  }
  return [...(UNIX_BY_EXTENSION[extension] ?? ["/bin/sh"]), path];
}
