/**
 * Editing a text file in the technician's browser: read it (bounded, UTF-8 only, with its
 * SHA-256) and write it back — only if it still has the hash it was read with — through a
 * temporary file in the same folder that is renamed over it, so the file is never half
 * written. Hashes (here and for transfers) come from node:crypto's streaming SHA-256.
 */
import { createHash, type Hash } from "node:crypto";
import { TEXT_MAX_BYTES } from "../../protocol/files.ts";
import { OpFailure } from "../ops/mod.ts";
import type { FilesOs } from "./os.ts";
import { checkPath, childPath, openRegular, osFailure, refuseNonFile } from "./paths.ts";

export function sha256(): Hash {
  return createHash("sha256");
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** A temporary name beside the real one (hidden, marked as ours). */
export function tempName(id: string): string {
  return `.rescue-${id}.part`;
}

export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_");
}

async function _readAll(file: Deno.FsFile, size: number): Promise<Uint8Array> {
  const out = new Uint8Array(size);
  let at = 0;
  while (at < size) {
    const n = await file.read(out.subarray(at));
    if (n === null) break;
    at += n;
  }
  // One byte more means the file grew: treat as changed.
  if (at === size && (await file.read(new Uint8Array(1))) !== null) {
    throw new OpFailure("changed", "the file changed while it was read");
  }
  return out.subarray(0, at);
}

export async function readText(os: FilesOs, path: string) {
  const { path: real, file, info } = await openRegular(os, path);
  try {
    if (info.size > TEXT_MAX_BYTES) {
      throw new OpFailure("too_big", `${real} is over ${TEXT_MAX_BYTES / 1024 / 1024} MiB`);
    }
    const bytes = await _readAll(file, info.size);
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new OpFailure("not_text", `${real} is not UTF-8 text`);
    }
    if (text.includes("\0")) throw new OpFailure("not_text", `${real} is not text`);
    return {
      path: real,
      text,
      size: bytes.byteLength,
      mtime: info.mtime ? info.mtime.getTime() : null,
      sha256: sha256Hex(bytes),
    };
  } finally {
    file.close();
  }
}

export async function writeText(
  os: FilesOs,
  path: string,
  text: string,
  expectSha256: string | null,
) {
  const checked = checkPath(os, path);
  if (checked.parts.length === 0) throw new OpFailure("is_dir", "a root is a folder");
  const bytes = new TextEncoder().encode(text);
  if (bytes.byteLength > TEXT_MAX_BYTES) {
    throw new OpFailure("too_big", `the text is over ${TEXT_MAX_BYTES / 1024 / 1024} MiB`);
  }
  const exists = await Deno.lstat(checked.path).then(() => true, () => false);
  let target: string;
  let mode: number | null = null;
  if (exists) {
    if (expectSha256 === null) throw new OpFailure("exists", `${checked.path} exists already`);
    const current = await readText(os, checked.path);
    if (current.sha256 !== expectSha256) {
      throw new OpFailure("changed", `${current.path} changed since it was read`);
    }
    target = current.path;
    mode = ((await Deno.stat(target)).mode ?? 0o644) & 0o7777;
  } else {
    if (expectSha256 !== null) {
      throw new OpFailure("changed", `${checked.path} no longer exists`);
    }
    const name = checked.parts[checked.parts.length - 1];
    const folderPath = os.join(checked.root, checked.parts.slice(0, -1));
    const folder = await Deno.realPath(folderPath).catch((error) => {
      throw osFailure(error, folderPath);
    });
    target = childPath(os, folder, name);
  }
  const folder = target.slice(0, target.lastIndexOf(os.separator)) || os.separator;
  const temp = childPath(os, folder, tempName(randomId()));
  try {
    const file = await Deno.open(temp, { write: true, createNew: true, mode: mode ?? 0o666 });
    try {
      let at = 0;
      while (at < bytes.byteLength) at += await file.write(bytes.subarray(at));
      await file.syncData();
    } finally {
      file.close();
    }
    if (mode !== null) await Deno.chmod(temp, mode);
    if (!exists && await Deno.lstat(target).then(() => true, () => false)) {
      throw new OpFailure("exists", `${target} exists already`);
    }
    if (exists) {
      const info = await Deno.lstat(target);
      refuseNonFile(info, target);
    }
    await Deno.rename(temp, target);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw osFailure(error, target);
  }
  return { path: target, size: bytes.byteLength, sha256: sha256Hex(bytes) };
}
