// `deno task fetch:runtimes [--data-dir DIR] [--platforms windows-x64,darwin-arm64]`: puts Deno's
// official runtime for other systems — the binaries npm ships as @deno/<platform>, the same
// version as this server's — into DATA_DIR/runtimes/<platform>/, where the server's portable
// support-app packages (modules/agent_packages) find them. Uses `npm pack` (the npm registry);
// this server's own system needs nothing: its runtime is the one running. Windows' screen
// sharing needs the codecs too (`deno task build:windows-codecs`): said when they are missing.
import { parseArgs } from "node:util";
import { join } from "node:path";
import {
  codecsFor,
  isPlatform,
  type Platform,
  PLATFORMS,
  sharesScreen,
} from "../modules/agent_packages/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { "data-dir": { type: "string" }, platforms: { type: "string" } },
});
const dataDir = values["data-dir"] ?? Deno.env.get("DATA_DIR") ?? "./data";
const wanted = (values.platforms?.split(",") ?? Object.keys(PLATFORMS)).map((p) => p.trim());
const unknown = wanted.filter((p) => !isPlatform(p));
if (unknown.length) {
  console.error(`unknown platform(s): ${unknown.join(", ")}; known: ${Object.keys(PLATFORMS)}`);
  Deno.exit(2);
}

export async function fetchRuntime(dataDir: string, platform: Platform): Promise<string> {
  const spec = PLATFORMS[platform];
  const target = join(dataDir, "runtimes", platform);
  const exe = join(target, spec.exe);
  if (await Deno.stat(exe).then(() => true, () => false)) return exe;
  const work = await Deno.makeTempDir({ prefix: "rescue-runtime-" });
  try {
    const version = Deno.version.deno;
    const pack = await new Deno.Command("npm", {
      args: ["pack", "--silent", `${spec.npm}@${version}`],
      cwd: work,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!pack.success) {
      throw new Error(`npm pack ${spec.npm}@${version}: ${new TextDecoder().decode(pack.stderr)}`);
    }
    const tgz = new TextDecoder().decode(pack.stdout).trim().split("\n").at(-1)!;
    const untar = await new Deno.Command("tar", {
      args: ["xzf", join(work, tgz), "-C", work, `package/${spec.exe}`],
    }).output();
    if (!untar.success) throw new Error(`${tgz} holds no ${spec.exe}`);
    await Deno.mkdir(target, { recursive: true });
    await Deno.copyFile(join(work, "package", spec.exe), `${exe}.part`);
    await Deno.chmod(`${exe}.part`, 0o755);
    await Deno.rename(`${exe}.part`, exe);
    return exe;
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  for (const platform of wanted as Platform[]) {
    const spec = PLATFORMS[platform];
    if (spec.os === Deno.build.os && spec.arch === Deno.build.arch) {
      console.log(`${platform}: this server's own runtime`);
      continue;
    }
    try {
      console.log(`${platform}: ${await fetchRuntime(dataDir, platform)}`);
      // The Windows package shares the screen only with its codecs beside the runtime.
      if (spec.os === "windows" && !sharesScreen(platform, await codecsFor(dataDir, platform))) {
        console.log(
          `${platform}: no vpx.dll and yuv.dll beside it, so its app cannot share the screen — ` +
            "build them with: deno task build:windows-codecs",
        );
      }
    } catch (error) {
      console.log(`${platform}: not fetched — ${error instanceof Error ? error.message : error}`);
    }
  }
}
