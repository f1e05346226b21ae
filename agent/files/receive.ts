/**
 * Uploads: the agent pulls the technician's data over its data connection into temporary
 * files in the target folder, hashing as it writes. A file upload continues at the agent's
 * offset — everything written and hashed so far (after a restart the temporary file is read
 * again to rebuild the hash) — and is renamed to its real name only on commit, when the
 * SHA-256 matches. A bundle is written entry by entry, each checked against the hash that
 * follows it before it is renamed into place; a failing entry is skipped, not fatal.
 */
import { BundleReader } from "../../protocol/files_bundle.ts";
import type { AgentTransfer } from "../../protocol/files.ts";
import { OpFailure } from "../ops/mod.ts";
import { checkName, childPath, osFailure } from "./paths.ts";
import { sha256 } from "./text.ts";
import { Sha256, SMALL_HASH_MAX } from "./sha256.ts";
import { pullLeg } from "./data_leg.ts";
import { type StreamContext, throttled } from "./send.ts";
import { type BundleUpload, type FileUpload, refuseTarget, type Transfers } from "./transfers.ts";

/** Synchronous on purpose, like the reads in send.ts: one pool round trip per chunk is slow. */
function _writeAll(file: Deno.FsFile, bytes: Uint8Array) {
  let at = 0;
  while (at < bytes.byteLength) at += file.writeSync(bytes.subarray(at));
}

/** The hash of the temporary file's first `offset` bytes, read again from disk. */
async function _rehash(t: FileUpload) {
  const hash = sha256();
  const file = await Deno.open(t.temp, { read: true });
  try {
    const buffer = new Uint8Array(1024 * 1024);
    let left = t.offset;
    while (left > 0) {
      const n = file.readSync(buffer.subarray(0, Math.min(buffer.byteLength, left)));
      if (n === null) break;
      hash.update(buffer.subarray(0, n));
      left -= n;
    }
    if (left > 0) t.offset -= left;
  } finally {
    file.close();
  }
  t.hash = hash;
}

export async function receiveFile(
  transfers: Transfers,
  t: FileUpload,
  ticket: string,
  from: number,
  ctx: StreamContext,
): Promise<AgentTransfer> {
  if (t.done) return transfers.view(t);
  if (from !== t.offset) {
    throw new OpFailure("offset", `the upload continues at byte ${t.offset}`);
  }
  if (!t.hash) await _rehash(t).catch((error) => Promise.reject(osFailure(error, t.temp)));
  const file = await Deno.open(t.temp, { write: true }).catch((error) => {
    throw osFailure(error, t.temp);
  });
  const progress = throttled(ctx.emit);
  try {
    await file.truncate(t.offset);
    await file.seek(t.offset, Deno.SeekMode.Start);
    for await (const chunk of await pullLeg(transfers.env.leg, ticket, ctx.signal)) {
      if (t.offset + chunk.byteLength > t.size) {
        throw new OpFailure("too_big", `more than the ${t.size} bytes announced`);
      }
      try {
        _writeAll(file, chunk);
      } catch (error) {
        throw osFailure(error, t.temp);
      }
      t.hash!.update(chunk);
      t.offset += chunk.byteLength;
      progress({ bytes: t.offset, entries: 0 });
    }
  } finally {
    file.close();
    await transfers.touchRecord(t.id);
  }
  ctx.emit({ bytes: t.offset, entries: 0 });
  if (t.offset === t.size && t.expect) return await commitFile(transfers, t, t.expect);
  return transfers.view(t);
}

/** Puts a checked temporary file under its real name (never over one unless allowed). */
function _place(temp: string, target: string, overwrite: boolean) {
  if (overwrite) {
    refuseTarget(target, true);
    Deno.renameSync(temp, target);
    return;
  }
  try {
    // A hard link fails if the name is taken: no window in which another file is replaced.
    Deno.linkSync(temp, target);
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) {
      throw new OpFailure("exists", `${target} exists already`);
    }
    // A file system without hard links: check, then rename.
    refuseTarget(target, false);
    Deno.renameSync(temp, target);
    return;
  }
  Deno.removeSync(temp);
}

export async function commitFile(
  transfers: Transfers,
  t: FileUpload,
  expected: string,
): Promise<AgentTransfer> {
  if (t.done) {
    if (t.sha256 !== expected) throw new OpFailure("hash_mismatch", "another hash was committed");
    return transfers.view(t);
  }
  if (t.offset !== t.size) {
    throw new OpFailure("incomplete", `${t.offset} of ${t.size} bytes have arrived`);
  }
  if (!t.hash) await _rehash(t);
  const actual = t.hash!.copy().digest("hex");
  if (actual !== expected) {
    await Deno.remove(t.temp).catch(() => {});
    await transfers.forget(t.id);
    throw new OpFailure(
      "hash_mismatch",
      `the file arrived with SHA-256 ${actual}, not ${expected}: it was not kept`,
    );
  }
  try {
    const file = await Deno.open(t.temp, { write: true });
    try {
      await file.syncData();
      if (t.mtime !== null) await file.utime(new Date(), new Date(t.mtime));
    } finally {
      file.close();
    }
    _place(t.temp, t.target, t.overwrite);
  } catch (error) {
    await Deno.remove(t.temp).catch(() => {});
    await transfers.forget(t.id);
    throw osFailure(error, t.target);
  }
  t.sha256 = actual;
  t.done = true;
  await transfers.forget(t.id);
  // Kept in memory a while so a repeated commit gets the same answer.
  transfers.keep(t);
  return transfers.view(t);
}

/** What hashes one bundle entry: the stream's reused `Sha256`, or node:crypto for a large file. */
interface EntryHash {
  update(bytes: Uint8Array): unknown;
  digest(): Uint8Array;
}

function _sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The folder of a bundle entry, created part by part; a link on the way is refused. */
function _folderFor(t: BundleUpload, rel: string[], os: Transfers["env"]["os"]): string {
  let folder = t.folder;
  for (const part of rel) {
    const path = childPath(os, folder, part);
    if (!t.dirs.has(path)) {
      let info: Deno.FileInfo | null = null;
      try {
        info = Deno.lstatSync(path);
      } catch {
        Deno.mkdirSync(path);
      }
      if (info && (info.isSymlink || !info.isDirectory)) {
        throw new OpFailure("unsafe_path", `${path} is not a folder (a link is not followed)`);
      }
      t.dirs.set(path, info === null);
    }
    folder = path;
  }
  return folder;
}

export async function receiveBundle(
  transfers: Transfers,
  t: BundleUpload,
  ticket: string,
  from: number,
  ctx: StreamContext,
): Promise<AgentTransfer> {
  if (t.done) return transfers.view(t);
  if (from !== t.entries) {
    throw new OpFailure("offset", `the bundle continues at entry ${t.entries}`);
  }
  const { os } = transfers.env;
  const chunks = await pullLeg(transfers.env.leg, ticket, ctx.signal);
  const reader = new BundleReader();
  const progress = throttled(ctx.emit);
  // One hasher for all the small files of this stream: no native object per file.
  const small = new Sha256();
  const hashFor = (size: number): EntryHash => size <= SMALL_HASH_MAX ? small.reset() : sha256();
  let current: {
    path: string;
    temp: string | null;
    file: Deno.FsFile | null;
    hash: EntryHash;
    mtime: number | null;
    mode: number | null;
  } | null = null;
  const fail = (path: string, error: unknown) => {
    const failure = osFailure(error, path);
    t.failures.push({ path: path.slice(0, 4096), code: failure.code, reason: failure.message });
  };
  // At once, not later: the stream's end (a cut) reaches the caller only after the entry under
  // way is gone, so no listing or resume meets a half-written temporary file.
  const drop = () => {
    if (current?.file) current.file.close();
    try {
      if (current?.temp) Deno.removeSync(current.temp);
    } catch { /* never made, or already gone */ }
    current = null;
  };
  try {
    for await (const chunk of chunks) {
      for (const event of reader.read(chunk)) {
        if (event.kind === "entry") {
          const { header } = event;
          const parts = header.path.split("/");
          let target = header.path;
          try {
            for (const part of parts) checkName(os, part);
            if (header.type === "failed") {
              t.entries++;
              continue;
            }
            const folder = _folderFor(t, header.type === "dir" ? parts : parts.slice(0, -1), os);
            if (header.type === "dir") {
              t.entries++;
              continue;
            }
            target = childPath(os, folder, parts[parts.length - 1]);
            // In a folder this upload made, only this upload can have put a name: the hard link
            // (_place) still refuses one. Not asking spares an exception per file, which kept
            // memory the agent did not give back (~8 MiB per 50,000 files, issue 16).
            if (t.overwrite || !t.dirs.get(folder)) refuseTarget(target, t.overwrite);
            const temp = childPath(os, folder, `.rescue-${t.id}-${t.entries}.part`);
            const file = Deno.openSync(temp, { write: true, create: true, truncate: true });
            current = {
              path: target,
              temp,
              file,
              hash: hashFor(header.size),
              mtime: header.mtime,
              mode: header.mode,
            };
          } catch (error) {
            fail(target, error);
            if (header.type === "file") {
              current = {
                path: target,
                temp: null,
                file: null,
                hash: hashFor(header.size),
                mtime: null,
                mode: null,
              };
            } else t.entries++;
          }
        } else if (event.kind === "data") {
          if (!current) throw new OpFailure("invalid", "file bytes outside an entry");
          current.hash.update(event.bytes);
          t.bytes += event.bytes.byteLength;
          if (current.file) {
            try {
              let at = 0;
              while (at < event.bytes.byteLength) {
                at += current.file.writeSync(event.bytes.subarray(at));
              }
            } catch (error) {
              fail(current.path, error);
              drop();
              current = {
                path: "",
                temp: null,
                file: null,
                hash: small.reset(),
                mtime: null,
                mode: null,
              };
            }
          }
        } else if (event.kind === "hash") {
          if (!current) throw new OpFailure("invalid", "a hash outside an entry");
          const entry = current;
          current = null;
          t.entries++;
          if (!entry.file || !entry.temp) continue;
          entry.file.close();
          try {
            if (!_sameBytes(event.sha256, entry.hash.digest())) {
              throw new OpFailure("hash_mismatch", `${entry.path} arrived damaged: not kept`);
            }
            if (entry.mtime !== null) Deno.utimeSync(entry.temp, new Date(), new Date(entry.mtime));
            if (entry.mode !== null) Deno.chmodSync(entry.temp, entry.mode & 0o777);
            _place(entry.temp, entry.path, t.overwrite);
          } catch (error) {
            // Gone before the answer: a refused entry leaves no temporary file behind, even for
            // a listing right after (an unawaited remove lost that race under load).
            try {
              Deno.removeSync(entry.temp);
            } catch { /* already gone */ }
            fail(entry.path, error);
          }
        } else {
          t.done = true;
          // Kept a day for a repeated answer: without its folders (one entry each, issue 16).
          t.dirs.clear();
        }
        progress({ bytes: t.bytes, entries: t.entries });
      }
    }
  } finally {
    // A broken stream: the entry under way is dropped and resent from its start.
    drop();
  }
  ctx.emit({ bytes: t.bytes, entries: t.entries });
  return transfers.view(t);
}
