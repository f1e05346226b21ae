/**
 * The portable support app for Linux x86-64 (issue 18): the official Deno runtime this server
 * itself runs on (the binary npm ships as `@deno/linux-x64-glibc`), the agent bundled into one
 * file, a launcher and a desktop entry — packed once into `DATA_DIR/agent-packages` as a gzip
 * member, keyed by what is in it. Each download is that member followed by a small second one
 * holding the session's `rescue.json` and the archive's end: gzip and tar both allow that, so
 * the big part is compressed once and a download costs no CPU.
 */
import { join } from "node:path";
import { createSHA256 } from "hash-wasm";
import { agentBundle } from "./bundle.ts";
import { tarEnd, tarFile, tarHeader, tarPadding } from "./tar.ts";

export interface AgentPackage {
  platform: "linux-x64";
  /** The shared part (everything but the session's configuration). */
  path: string;
  size: number;
  /** SHA-256 of the shared part, hex: what an admin compares (Admin Center). */
  sha256: string;
  version: string;
}

const DIR = "rescue-agent";
const encoder = new TextEncoder();

/** The launcher: the package's own runtime, no network fetches, the permissions the app needs. */
export const LAUNCHER = `#!/bin/sh
# Starts the support app with the Deno runtime in this folder. Nothing is installed.
DIR="$(cd "$(dirname "$0")" && pwd)"
export DENO_DIR="$DIR/.deno" DENO_NO_UPDATE_CHECK=1
exec "$DIR/deno" run --no-remote --no-prompt --no-config --allow-net --allow-env --allow-ffi \\
  --allow-read --allow-write --allow-run --allow-sys "$DIR/agent.js" --config "$DIR/rescue.json" "$@"
`;

const DESKTOP = `[Desktop Entry]
Type=Application
Name=Remote support
Comment=Lets your technician help you, only with your consent
Exec=sh -c '"$(dirname "$1")/rescue-agent.sh"' sh %k
Terminal=true
Categories=Network;RemoteAccess;
`;

const README = `Remote support
==============
Open a terminal in this folder and run ./rescue-agent.sh (or open "Remote support.desktop").
The app opens a window where you decide what your technician may see or do.
Nothing is installed; delete the folder when the session is over.
`;

let building: Promise<AgentPackage> | undefined;

/** The Linux package on this server, built on first use; null where the runtime is another. */
export function linuxPackage(dataDir: string): Promise<AgentPackage> | null {
  if (Deno.build.os !== "linux" || Deno.build.arch !== "x86_64") return null;
  building ??= _build(dataDir).catch((error) => {
    building = undefined;
    throw error;
  });
  return building;
}

/** The session's part: its `rescue.json` and the archive's end, as a second gzip member. */
export async function sessionPart(config: { server: string; link: string }): Promise<Uint8Array> {
  const json = encoder.encode(JSON.stringify(config, null, 2) + "\n");
  const tar = new Blob([tarFile(`${DIR}/rescue.json`, json, 0o644), tarEnd()]);
  return new Uint8Array(
    await new Response(tar.stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer(),
  );
}

async function _build(dataDir: string): Promise<AgentPackage> {
  const runtime = Deno.execPath();
  const bundle = await agentBundle();
  const stat = await Deno.stat(runtime);
  const version = (await _sha256Text(
    [bundle.hash, stat.size, stat.mtime?.getTime(), LAUNCHER, DESKTOP].join("|"),
  )).slice(0, 16);
  const dir = join(dataDir, "agent-packages");
  const path = join(dir, `linux-x64-${version}.tgz`);
  const known = await Deno.readTextFile(`${path}.sha256`).catch(() => null);
  if (known) {
    const size = (await Deno.stat(path)).size;
    return { platform: "linux-x64", path, size, sha256: known.trim(), version };
  }
  await Deno.mkdir(dir, { recursive: true });
  const temp = `${path}.${crypto.randomUUID()}.part`;
  const hash = await createSHA256();
  hash.init();
  let size = 0;
  const file = await Deno.open(runtime);
  const parts = new ReadableStream<Uint8Array<ArrayBuffer>>({
    async start(controller) {
      controller.enqueue(tarHeader(`${DIR}/deno`, stat.size, 0o755));
      for await (const chunk of file.readable) controller.enqueue(chunk);
      controller.enqueue(tarPadding(stat.size));
      controller.enqueue(tarFile(`${DIR}/agent.js`, bundle.code, 0o644));
      controller.enqueue(tarFile(`${DIR}/rescue-agent.sh`, encoder.encode(LAUNCHER), 0o755));
      controller.enqueue(tarFile(`${DIR}/Remote support.desktop`, encoder.encode(DESKTOP), 0o755));
      controller.enqueue(tarFile(`${DIR}/README.txt`, encoder.encode(README), 0o644));
      controller.close();
    },
  });
  const out = await Deno.open(temp, { write: true, createNew: true });
  try {
    const writer = out.writable.getWriter();
    for await (const chunk of parts.pipeThrough(new CompressionStream("gzip"))) {
      hash.update(chunk);
      size += chunk.length;
      await writer.write(chunk);
    }
    await writer.close();
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
  const sha256 = hash.digest("hex");
  await Deno.rename(temp, path);
  await Deno.writeTextFile(`${path}.sha256`, sha256 + "\n");
  return { platform: "linux-x64", path, size, sha256, version };
}

async function _sha256Text(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
