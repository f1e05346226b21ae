/**
 * Coming back after a restart: before it, the agent leaves a small record in its data folder
 * (`resume.json`: which session, the autostart entry it wrote) and an autostart entry that
 * starts this same agent with the session's link and the same data folder — so after the
 * restart it joins the same session with the same device id. Once connected again (or told
 * the session is over) it removes both: the entry runs once.
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { REBOOT_MODES, type RebootMode } from "../../protocol/reboot.ts";
import type { RebootOs } from "./os.ts";
import { AGENT_V8_FLAGS } from "../v8_flags.ts";

export const RESUME_FILE = "resume.json";

export interface ResumeRecord {
  token: string;
  mode: RebootMode;
  /** The autostart entry written for it. */
  autostart: string;
  at: string;
}

/** How this agent was started: the program, its script (under `deno run`) and arguments. */
export interface LaunchedAs {
  execPath: string;
  mainModule: string;
  args: readonly string[];
  cwd: string;
}

export function launchedAs(): LaunchedAs {
  return {
    execPath: Deno.execPath(),
    mainModule: Deno.mainModule,
    args: Deno.args,
    cwd: Deno.cwd(),
  };
}

// What `deno task agent` grants; the agent needs nothing else.
const DENO_FLAGS = [
  "--allow-net",
  "--allow-env",
  "--allow-ffi",
  "--allow-read",
  "--allow-write",
  "--allow-run",
  "--allow-sys",
  AGENT_V8_FLAGS,
];

/**
 * The command that starts this agent again on `link` with the same data folder (so the same
 * device id) and the same display and window choices. A built app is its own program; under
 * `deno run` it is deno with the agent's permissions and script.
 */
export function relaunchCommand(link: string, dataDir: string, from: LaunchedAs): string[] {
  const { values } = parseArgs({
    args: from.args[0] === "--" ? from.args.slice(1) : [...from.args],
    strict: false,
    options: {
      display: { type: "string" },
      "no-open": { type: "boolean" },
    },
  });
  const own = ["--link", link, "--state-dir", dataDir];
  if (typeof values.display === "string") own.push("--display", values.display);
  if (values["no-open"] === true) own.push("--no-open");
  const program = from.execPath.split(/[\\/]/).pop()?.replace(/\.exe$/i, "");
  if (program === "deno" && from.mainModule.startsWith("file:")) {
    // fileURLToPath: C:\… on Windows (a URL's pathname would be /C:/…), spaces decoded.
    return [from.execPath, "run", ...DENO_FLAGS, fileURLToPath(from.mainModule), ...own];
  }
  return [from.execPath, ...own];
}

export async function writeResume(dataDir: string, record: ResumeRecord): Promise<void> {
  await Deno.mkdir(dataDir, { recursive: true });
  await Deno.writeTextFile(`${dataDir}/${RESUME_FILE}`, JSON.stringify(record), { mode: 0o600 });
}

/** The record, or null when there is none or it is not one this agent wrote. */
export async function readResume(dataDir: string): Promise<ResumeRecord | null> {
  try {
    const data = JSON.parse(await Deno.readTextFile(`${dataDir}/${RESUME_FILE}`));
    const ok = typeof data?.token === "string" && typeof data.autostart === "string" &&
      REBOOT_MODES.includes(data.mode) && typeof data.at === "string";
    return ok ? data as ResumeRecord : null;
  } catch {
    return null;
  }
}

/**
 * The restart is behind us (or did not happen): removes the autostart entry and the record
 * when the record is for session `token`. Returns whether there was one.
 */
export async function finishResume(
  dataDir: string,
  token: string,
  os: Pick<RebootOs, "removeAutostart">,
): Promise<boolean> {
  const record = await readResume(dataDir);
  if (!record || record.token !== token) return false;
  await os.removeAutostart(record.autostart);
  await Deno.remove(`${dataDir}/${RESUME_FILE}`).catch(() => {});
  return true;
}
