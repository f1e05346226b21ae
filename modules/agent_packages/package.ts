/**
 * Portable packages of the support app (issue 18): Deno's official runtime for the customer's
 * system, the agent bundled into one file, a launcher and a read-me — packed once per
 * platform into `DATA_DIR/agent-packages`, keyed by what is in it. Each download is that
 * shared part followed by the session's `rescue.json`: for tar.gz a second gzip member (gzip
 * and tar both allow that), for zip one more entry and the central directory. The big part is
 * compressed once; a download costs no CPU.
 */
import { basename, join } from "node:path";
import { createSHA256 } from "hash-wasm";
import { agentBundle } from "./bundle.ts";
import {
  codecsFor,
  launchers,
  type Platform,
  PLATFORMS,
  readme,
  runtimeFor,
  sharesScreen,
} from "./platforms.ts";
import { tarEnd, tarFile, tarHeader, tarPadding } from "./tar.ts";
import { centralDirectory, crc32, deflate, localHeader, type ZipEntry } from "./zip.ts";

export interface AgentPackage {
  platform: Platform;
  format: "tgz" | "zip";
  /** The shared part (everything but the session's configuration). */
  path: string;
  size: number;
  /** SHA-256 of the shared part, hex: what an admin compares (Admin Center). */
  sha256: string;
  version: string;
  /** Whether the app in it can share the screen (Windows: its codecs are in). */
  screen: boolean;
  /** zip: the shared part's entries, for the central directory of each download. */
  entries: ZipEntry[];
}

const DIR = "rescue-agent";
const encoder = new TextEncoder();
const building = new Map<string, Promise<AgentPackage>>();

/** The package for `platform`, built on first use; null when no runtime for it is here. */
export async function packageFor(
  dataDir: string,
  platform: Platform,
): Promise<AgentPackage | null> {
  const runtime = await runtimeFor(dataDir, platform);
  if (!runtime) return null;
  // Codecs put beside the runtime later (build:windows-codecs) make a new package, no restart.
  const key = [dataDir, platform, runtime, ...await codecsFor(dataDir, platform)].join("|");
  let pending = building.get(key);
  if (!pending) {
    pending = _build(dataDir, platform, runtime);
    building.set(key, pending);
    pending.catch(() => building.delete(key));
  }
  return await pending;
}

/** One download: the shared part's path, the session's tail, the whole length, a file name. */
export async function downloadOf(
  pkg: AgentPackage,
  config: { server: string; link?: string; callingCard?: boolean },
  /** More files for the folder (a calling card's branding: `calling-card.json`, its logo). */
  extra: { name: string; bytes: Uint8Array<ArrayBuffer> }[] = [],
): Promise<{ tail: Uint8Array<ArrayBuffer>; length: number; extension: string }> {
  const files = [
    { name: `${DIR}/rescue.json`, bytes: encoder.encode(JSON.stringify(config, null, 2) + "\n") },
    ...extra.map((file) => ({ name: `${DIR}/${file.name}`, bytes: file.bytes })),
  ];
  if (pkg.format === "tgz") {
    const tar = new Blob([
      ...files.map((file) => tarFile(file.name, file.bytes, 0o644)),
      tarEnd(),
    ] as BlobPart[]);
    const tail = new Uint8Array(
      await new Response(tar.stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer(),
    );
    return { tail, length: pkg.size + tail.length, extension: "tar.gz" };
  }
  const entries: ZipEntry[] = [];
  const parts: Uint8Array[] = [];
  let offset = pkg.size;
  for (const file of files) {
    const data = await deflate(file.bytes);
    const entry = {
      name: file.name,
      crc: crc32(file.bytes),
      compressed: data.length,
      size: file.bytes.length,
      offset,
      mode: 0o644,
    };
    const local = localHeader(entry);
    parts.push(local, data);
    offset += local.length + data.length;
    entries.push(entry);
  }
  parts.push(centralDirectory([...pkg.entries, ...entries], offset));
  const tail = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    tail.set(part, at);
    at += part.length;
  }
  return { tail, length: pkg.size + tail.length, extension: "zip" };
}

/**
 * The authority the support app should trust besides the customer's system's (TLS_CA_FILE,
 * PEM) as the download's `ca.pem`; the launcher hands it to Deno (`DENO_CERT`). None → none.
 */
export function caFiles(
  ca: string | undefined,
): { name: string; bytes: Uint8Array<ArrayBuffer> }[] {
  return ca ? [{ name: "ca.pem", bytes: encoder.encode(ca) }] : [];
}

/**
 * The packages built on this server so far (for the admins' verification page), by platform
 * and, within one, oldest first (a platform's last is its newest build).
 */
export async function builtPackages(dataDir: string): Promise<AgentPackage[]> {
  const dir = join(dataDir, "agent-packages");
  const found: { pkg: AgentPackage; at: number }[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.name.endsWith(".json")) continue;
      const path = join(dir, entry.name);
      const pkg = JSON.parse(await Deno.readTextFile(path)) as AgentPackage;
      found.push({ pkg, at: (await Deno.stat(path)).mtime?.getTime() ?? 0 });
    }
  } catch {
    // Nothing built yet.
  }
  return found.sort((a, b) => a.pkg.platform.localeCompare(b.pkg.platform) || a.at - b.at)
    .map((f) => f.pkg);
}

async function _build(dataDir: string, platform: Platform, runtime: string) {
  const bundle = await agentBundle();
  const stat = await Deno.stat(runtime);
  const format = PLATFORMS[platform].os === "windows" ? "zip" : "tgz";
  // Windows' video codecs go beside deno.exe, where the agent looks for them first.
  const codecs = await codecsFor(dataDir, platform);
  const libraries = await Promise.all(codecs.map(async (path) => ({
    name: basename(path),
    bytes: await Deno.readFile(path),
    mode: 0o644,
    stat: await Deno.stat(path),
  })));
  const screen = sharesScreen(platform, codecs);
  const extra = [
    { name: "agent.js", bytes: bundle.code, mode: 0o644 },
    ...libraries.map(({ name, bytes, mode }) => ({ name, bytes, mode })),
    ...launchers(platform).map((l) => ({
      name: l.name,
      bytes: encoder.encode(l.text),
      mode: l.mode,
    })),
    { name: "README.txt", bytes: encoder.encode(readme(platform, screen)), mode: 0o644 },
  ];
  const version = (await _sha256Hex(encoder.encode([
    bundle.hash,
    stat.size,
    stat.mtime?.getTime(),
    readme(platform, screen),
    ...libraries.map((l) => `${l.name}:${l.stat.size}:${l.stat.mtime?.getTime()}`),
    ...launchers(platform).map((l) => l.name + l.text),
  ].join("|")))).slice(0, 16);
  const dir = join(dataDir, "agent-packages");
  const path = join(dir, `${platform}-${version}.${format === "zip" ? "zip.part" : "tgz.part"}`);
  const metaPath = join(dir, `${platform}-${version}.json`);
  const known = await Deno.readTextFile(metaPath).then((t) => JSON.parse(t)).catch(() => null);
  // Packed before `screen` was recorded: the read-me in the key says the same.
  if (known) return { ...known, screen: known.screen ?? screen } as AgentPackage;
  await Deno.mkdir(dir, { recursive: true });
  const temp = `${path}.${crypto.randomUUID()}.tmp`;
  const exe = PLATFORMS[platform].exe;
  try {
    const built = format === "tgz"
      ? await _writeTgz(temp, { runtime, size: stat.size, exe }, extra)
      : await _writeZip(temp, { runtime, size: stat.size, exe }, extra);
    await Deno.rename(temp, path);
    const pkg: AgentPackage = { platform, format, path, version, screen, ...built };
    await Deno.writeTextFile(metaPath, JSON.stringify(pkg));
    return pkg;
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
}

type Extra = { name: string; bytes: Uint8Array<ArrayBuffer>; mode: number }[];
type Runtime = { runtime: string; size: number; exe: string };

async function _writeTgz(temp: string, rt: Runtime, extra: Extra) {
  const file = await Deno.open(rt.runtime);
  const parts = new ReadableStream<Uint8Array<ArrayBuffer>>({
    async start(controller) {
      controller.enqueue(tarHeader(`${DIR}/${rt.exe}`, rt.size, 0o755));
      for await (const chunk of file.readable) controller.enqueue(chunk);
      controller.enqueue(tarPadding(rt.size));
      for (const e of extra) controller.enqueue(tarFile(`${DIR}/${e.name}`, e.bytes, e.mode));
      controller.close();
    },
  });
  return await _writeHashed(temp, parts.pipeThrough(new CompressionStream("gzip")));
}

async function _writeZip(temp: string, rt: Runtime, extra: Extra) {
  const entries: ZipEntry[] = [];
  let offset = 0;
  const out = await Deno.open(temp, { write: true, createNew: true });
  try {
    // The runtime streams through deflate; its header is written again once CRC and sizes
    // are known (same length, so nothing moves).
    const name = `${DIR}/${rt.exe}`;
    const placeholder = localHeader({ name, crc: 0, compressed: 0, size: rt.size, mode: 0o755 });
    await _writeAll(out, placeholder);
    let crc = 0, compressed = 0;
    const file = await Deno.open(rt.runtime);
    const counted = file.readable.pipeThrough(
      new TransformStream<Uint8Array<ArrayBuffer>, Uint8Array<ArrayBuffer>>({
        transform(chunk, controller) {
          crc = crc32(chunk, crc);
          controller.enqueue(chunk);
        },
      }),
    );
    for await (const chunk of counted.pipeThrough(new CompressionStream("deflate-raw"))) {
      compressed += chunk.length;
      await _writeAll(out, chunk);
    }
    const entry = { name, crc, compressed, size: rt.size, offset, mode: 0o755 };
    await out.seek(0, Deno.SeekMode.Start);
    await _writeAll(out, localHeader(entry));
    await out.seek(0, Deno.SeekMode.End);
    entries.push(entry);
    offset += placeholder.length + compressed;
    for (const e of extra) {
      const data = await deflate(e.bytes);
      const item = {
        name: `${DIR}/${e.name}`,
        crc: crc32(e.bytes),
        compressed: data.length,
        size: e.bytes.length,
        offset,
        mode: e.mode,
      };
      const header = localHeader(item);
      await _writeAll(out, header);
      await _writeAll(out, data);
      entries.push(item);
      offset += header.length + data.length;
    }
  } finally {
    out.close();
  }
  const hash = await createSHA256();
  hash.init();
  const read = await Deno.open(temp);
  for await (const chunk of read.readable) hash.update(chunk);
  return { size: offset, sha256: hash.digest("hex"), entries };
}

async function _writeHashed(temp: string, stream: ReadableStream<Uint8Array>) {
  const hash = await createSHA256();
  hash.init();
  let size = 0;
  const out = await Deno.open(temp, { write: true, createNew: true });
  try {
    for await (const chunk of stream) {
      hash.update(chunk);
      size += chunk.length;
      await _writeAll(out, chunk);
    }
  } finally {
    out.close();
  }
  return { size, sha256: hash.digest("hex"), entries: [] as ZipEntry[] };
}

async function _writeAll(file: Deno.FsFile, bytes: Uint8Array) {
  let written = 0;
  while (written < bytes.length) written += await file.write(bytes.subarray(written));
}

async function _sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
