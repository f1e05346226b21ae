/**
 * What a reboot layer is (os.ts chooses one per OS: Linux there, Windows in windows.ts) and how
 * it runs a program: an argument array, never a shell line.
 */
import type { RebootMode, RebootUnavailable } from "../../protocol/reboot.ts";

export interface ModeInfo {
  mode: RebootMode;
  available: boolean;
  unavailable: RebootUnavailable | null;
}

export interface RebootOs {
  readonly modes: readonly ModeInfo[];
  /**
   * Makes `command` (program first) start once when the customer next signs in, in `cwd`;
   * returns the entry's path, for `removeAutostart`.
   */
  installAutostart(command: readonly string[], cwd: string): Promise<string>;
  removeAutostart(path: string): Promise<void>;
  /** Asks the OS to restart; throws with the OS's reason when it refuses. */
  restart(mode: RebootMode): Promise<void>;
}

/** Runs a program, returning its exit code and what it wrote to stderr. */
export type RunCommand = (
  program: string,
  args: string[],
) => Promise<{ code: number; stderr: string }>;

export const runCommand: RunCommand = async (program, args) => {
  const out = await new Deno.Command(program, {
    args,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr).trim() };
};
