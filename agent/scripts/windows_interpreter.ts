/**
 * The program that runs a script on Windows, by its full path — never a name looked up on the
 * PATH or in the script's folder, where another program of that name could wait. cmd.exe is
 * %ComSpec%; PowerShell is Windows PowerShell (System32\WindowsPowerShell\v1.0) or PowerShell 7
 * (pwsh.exe), and it must answer its version before a .ps1 is given to it: a computer without it
 * (Windows Server Core without the feature, a stripped image) or with a stand-in that does nothing
 * (Wine's powershell.exe prints nothing and exits 0) gets a sentence saying so, not a run that
 * "succeeded" without doing anything.
 */
import { OpFailure } from "../ops/mod.ts";

/** How long PowerShell may take to say its version (a cold start can take seconds). */
const PROBE_MS = 20_000;

export interface InterpreterProbe {
  exists(path: string): boolean;
  /** The program's standard output for `args`, or null when it could not run or timed out. */
  run(path: string, args: string[]): Promise<string | null>;
}

const REAL: InterpreterProbe = {
  exists(path) {
    try {
      return Deno.statSync(path).isFile;
    } catch {
      return false;
    }
  },
  async run(path, args) {
    try {
      const child = new Deno.Command(path, {
        args,
        stdin: "null",
        stdout: "piped",
        stderr: "null",
      }).spawn();
      const timer = setTimeout(() => {
        try {
          child.kill();
        } catch { /* gone */ }
      }, PROBE_MS);
      const out = await child.output();
      clearTimeout(timer);
      return new TextDecoder().decode(out.stdout);
    } catch {
      return null;
    }
  },
};

/** A PowerShell that answered, per process (it does not come and go while the app runs). */
let _powershell: string | undefined;

/** PowerShell's places, in the order they are tried. */
export function powershellCandidates(env: (name: string) => string | undefined): string[] {
  const root = env("SystemRoot") ?? "C:\\Windows";
  const programs = env("ProgramFiles") ?? "C:\\Program Files";
  return [
    `${root}\\System32\\WindowsPowerShell\\v1.0\\powershell.exe`,
    `${programs}\\PowerShell\\7\\pwsh.exe`,
  ];
}

/**
 * `command` (from scriptCommand) with its program as a full path; throws OpFailure
 * `no_interpreter` with the reason when PowerShell is missing or does not work.
 */
export async function windowsInterpreter(
  command: string[],
  options: { probe?: InterpreterProbe; env?: (name: string) => string | undefined } = {},
): Promise<string[]> {
  const probe = options.probe ?? REAL;
  const env = options.env ?? ((name: string) => Deno.env.get(name));
  const [program, ...rest] = command;
  if (program === "cmd.exe") {
    const comSpec = env("ComSpec") ?? `${env("SystemRoot") ?? "C:\\Windows"}\\System32\\cmd.exe`;
    return [comSpec, ...rest];
  }
  if (program !== "powershell.exe") return command;
  if (_powershell && !options.probe) return [_powershell, ...rest];
  const candidates = powershellCandidates(env);
  const found = candidates.filter((path) => probe.exists(path));
  for (const path of found) {
    const version = await probe.run(path, [
      "-NoProfile",
      "-NonInteractive",
      "-Command",
      "$PSVersionTable.PSVersion.ToString()",
    ]);
    if (version !== null && /^\s*\d+\.\d+/.test(version)) {
      if (!options.probe) _powershell = path;
      return [path, ...rest];
    }
  }
  throw new OpFailure(
    "no_interpreter",
    found.length === 0
      ? `PowerShell is not installed on this computer (neither ${
        candidates.join(" nor ")
      }), so a .ps1 script cannot run here`
      : `PowerShell does not work on this computer: ${
        found.join(" and ")
      } did not say its version, so a .ps1 script cannot run here`,
  );
}
