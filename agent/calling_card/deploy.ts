/**
 * Deploying a calling card (SPEC C6) during a session: the customer confirms in the agent's
 * window; the agent fetches the card's branded package from its own server (the session's
 * token authorises it, the path comes from the server but the origin is the agent's own),
 * unpacks it into its data folder with `tar` (an argument list) and either starts it now or
 * adds an XDG autostart entry so it starts whenever the customer signs in. Linux only for now.
 */
import { join } from "node:path";
import { osLanguage } from "../identity.ts";
import { type OpEnv, OpFailure, type OpHandlers } from "../ops/mod.ts";
import { agentStrings, fill } from "../strings.ts";
import { desktopEntry } from "../reboot/desktop_entry.ts";

export interface CardDeployOptions {
  /** $XDG_CONFIG_HOME (its autostart folder gets the entry). */
  configHome?: string;
  fetch?: typeof fetch;
  /** Runs a program to the end (tar). */
  run?: (program: string, args: string[]) => Promise<number>;
  /** Starts the card without waiting for it. */
  spawn?: (program: string, cwd: string) => void;
  language?: string;
  platform?: string;
}

const MAX_PACKAGE = 256 * 1024 * 1024;

async function _run(program: string, args: string[]): Promise<number> {
  return (await new Deno.Command(program, { args, stdout: "null", stderr: "null" }).output())
    .code;
}

function _spawn(program: string, cwd: string) {
  new Deno.Command(program, { cwd, stdin: "null", stdout: "null", stderr: "null" }).spawn()
    .unref();
}

export function callingCardHandlers(env: OpEnv, options: CardDeployOptions = {}): OpHandlers {
  const strings = agentStrings(options.language ?? osLanguage()).unattendedRequest;
  return {
    "callingCard.deploy": async (request, context) => {
      if (env.os !== "linux") {
        throw new OpFailure("not_available", "Calling cards are built for Linux only so far");
      }
      const question = fill(strings.cardConfirm, {
        name: request.name,
        start: strings.cardStart[request.start],
      });
      if (!(await context.confirm(question))) {
        throw new OpFailure("declined", "The customer did not confirm at the support app");
      }
      const platform = options.platform ??
        (Deno.build.arch === "aarch64" ? "linux-arm64" : "linux-x64");
      const url = new URL(`${request.path}/${platform}`, env.serverUrl);
      const response = await (options.fetch ?? fetch)(url, { signal: context.signal });
      if (!response.ok || !response.body) {
        await response.body?.cancel();
        throw new OpFailure("download_failed", `The server answered ${response.status}`);
      }
      const length = Number(response.headers.get("content-length") ?? "0");
      if (length > MAX_PACKAGE) {
        await response.body.cancel();
        throw new OpFailure("too_large", "The package is larger than expected");
      }
      const dir = join(env.dataDir, "calling-cards", request.cardId);
      await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
      const archive = join(dir, "package.tar.gz");
      await Deno.writeFile(archive, response.body);
      const code = await (options.run ?? _run)("tar", ["-xzf", archive, "-C", dir]);
      await Deno.remove(archive).catch(() => {});
      if (code !== 0) throw new OpFailure("unpack_failed", `tar exited with ${code}`);
      const launcher = join(dir, "rescue-agent", "rescue-agent.sh");
      if (request.start === "boot") {
        const home = options.configHome ?? Deno.env.get("XDG_CONFIG_HOME") ??
          join(Deno.env.get("HOME") ?? env.dataDir, ".config");
        const autostart = join(home, "autostart");
        await Deno.mkdir(autostart, { recursive: true });
        const entry = join(autostart, `rescue-calling-card-${request.cardId}.desktop`);
        await Deno.writeTextFile(
          entry,
          desktopEntry({
            name: request.name,
            comment: request.name,
            exec: [launcher],
            path: join(dir, "rescue-agent"),
          }),
        );
        context.log(`calling card ${request.cardId} starts at sign-in (${entry})`);
        return { installedAt: dir.slice(0, 500), started: false };
      }
      (options.spawn ?? _spawn)(launcher, join(dir, "rescue-agent"));
      context.log(`calling card ${request.cardId} started from ${dir}`);
      return { installedAt: dir.slice(0, 500), started: true };
    },
  };
}
