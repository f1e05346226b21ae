/**
 * Downloads: the agent streams a file (from a byte) or a bundle (from an entry) over its data
 * connection, reading as the server takes it (backpressure), hashing as it goes. A resumed
 * file download continues the whole file's SHA-256 from the nearest checkpoint (every 16 MiB)
 * without sending the bytes before `from` again. A file that changed since the transfer
 * opened is refused (`changed`), so the technician never gets a mix of two versions.
 */
import { bundleEnd, bundleEntry, type BundleHeader } from "../../protocol/files_bundle.ts";
import type { AgentTransfer, TransferProgress } from "../../protocol/files.ts";
import { OpFailure } from "../ops/mod.ts";
import { openRegular } from "./paths.ts";
import { sha256 } from "./text.ts";
import { pushLeg } from "./data_leg.ts";
import type { BundleDownload, FileDownload, Transfers } from "./transfers.ts";

const CHUNK = 1024 * 1024;
const CHECKPOINT_EVERY = 16 * 1024 * 1024;
/** Small files of a bundle are gathered into pieces of about this size. */
const BATCH = 512 * 1024;

export interface StreamContext {
  signal: AbortSignal;
  emit(progress: TransferProgress): void;
}

/** Calls `emit` at most 4 times a second, and always for the last value. */
export function throttled(emit: (p: TransferProgress) => void) {
  let last = 0;
  return (progress: TransferProgress, force = false) => {
    const now = Date.now();
    if (!force && now - last < 250) return;
    last = now;
    emit(progress);
  };
}

/**
 * Fills `buffer` from `file`. Synchronous on purpose: an async read waits for a thread of
 * the blocking pool each time, which on a busy machine costs milliseconds per call (measured
 * by bench:files: 2 MB/s), while a read from the page cache takes a fraction of that.
 */
function _readFull(file: Deno.FsFile, buffer: Uint8Array): number {
  let at = 0;
  while (at < buffer.byteLength) {
    const n = file.readSync(buffer.subarray(at));
    if (n === null) break;
    at += n;
  }
  return at;
}

export async function sendFile(
  transfers: Transfers,
  t: FileDownload,
  ticket: string,
  from: number,
  ctx: StreamContext,
): Promise<AgentTransfer> {
  if (from > t.size) throw new OpFailure("offset", `the file has only ${t.size} bytes`);
  const { file, info } = await openRegular(transfers.env.os, t.path);
  let at = from;
  try {
    if (
      info.size !== t.size || (info.mtime?.getTime() ?? null) !== t.mtime || info.ino !== t.ino
    ) {
      throw new OpFailure("changed", `${t.path} changed since the transfer started`);
    }
    // One buffer for the whole transfer: each piece is sent (copied) before the next read.
    const buffer = new Uint8Array(CHUNK);
    // The hash of the first `from` bytes: the nearest checkpoint, then read up to `from`.
    const base = t.checkpoints.filter((c) => c.offset <= from).at(-1)!;
    const hash = base.hash.copy();
    await file.seek(base.offset, Deno.SeekMode.Start);
    for (let done = base.offset; done < from;) {
      const n = _readFull(file, buffer.subarray(0, Math.min(CHUNK, from - done)));
      if (n === 0) throw new OpFailure("changed", `${t.path} changed since the transfer started`);
      hash.update(buffer.subarray(0, n));
      done += n;
    }
    const progress = throttled(ctx.emit);
    const source = () => {
      if (at >= t.size) return null;
      const n = _readFull(file, buffer.subarray(0, Math.min(CHUNK, t.size - at)));
      if (n === 0) throw new OpFailure("changed", `${t.path} became shorter`);
      const chunk = buffer.subarray(0, n);
      hash.update(chunk);
      const before = at;
      at += n;
      if (Math.floor(at / CHECKPOINT_EVERY) > Math.floor(before / CHECKPOINT_EVERY)) {
        if (!t.checkpoints.some((c) => c.offset === at)) {
          t.checkpoints.push({ offset: at, hash: hash.copy() });
          t.checkpoints.sort((a, b) => a.offset - b.offset);
        }
      }
      progress({ bytes: at, entries: 0 });
      return chunk;
    };
    await pushLeg(transfers.env.leg, ticket, source, ctx.signal);
    if (at !== t.size) throw new OpFailure("leg_broken", "the data connection ended early");
    t.sha256 = hash.digest("hex");
    t.done = true;
    ctx.emit({ bytes: at, entries: 0 });
    return transfers.view(t);
  } finally {
    file.close();
  }
}

/** The records of one bundle entry, read whole when small (sync: fast for many files). */
function _smallFile(item: BundleDownload["items"][number]): Uint8Array[] | null {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(item.path, { read: true });
  } catch {
    return null;
  }
  try {
    const info = file.statSync();
    if (!info.isFile || info.ino !== item.ino || info.dev !== item.dev) return null;
    const bytes = new Uint8Array(info.size);
    let at = 0;
    while (at < bytes.byteLength) {
      const n = file.readSync(bytes.subarray(at));
      if (n === null) return null;
      at += n;
    }
    const header: BundleHeader = {
      path: item.rel,
      type: "file",
      size: bytes.byteLength,
      mtime: info.mtime?.getTime() ?? null,
      mode: item.mode,
    };
    return [bundleEntry(header), bytes, new Uint8Array(sha256().update(bytes).digest())];
  } catch {
    return null;
  } finally {
    file.close();
  }
}

export async function sendBundle(
  transfers: Transfers,
  t: BundleDownload,
  ticket: string,
  from: number,
  ctx: StreamContext,
): Promise<AgentTransfer> {
  if (from > t.items.length) throw new OpFailure("offset", `the bundle has ${t.items.length}`);
  let index = from;
  let bytes = 0;
  let ended = false;
  const progress = throttled(ctx.emit);
  /** The large file being sent, chunk by chunk. */
  type Current = { file: Deno.FsFile; left: number; hash: ReturnType<typeof sha256> };
  let current = null as Current | null;
  const failed = (item: BundleDownload["items"][number], reason: string) => {
    t.failures.push({ path: item.path, code: "changed", reason });
    return bundleEntry({ path: item.rel, type: "failed", size: 0, mtime: null, mode: null });
  };
  // Reused for every piece (each is sent, copied, before the next is made).
  const chunk = new Uint8Array(CHUNK);
  let joined = new Uint8Array(2 * BATCH);
  const source = async (): Promise<Uint8Array | null> => {
    if (current) {
      if (current.left === 0) {
        const digest = new Uint8Array(current.hash.digest());
        current.file.close();
        current = null;
        index++;
        progress({ bytes, entries: index });
        return digest;
      }
      const piece = chunk.subarray(0, Math.min(CHUNK, current.left));
      if (_readFull(current.file, piece) < piece.byteLength) {
        throw new OpFailure("changed", "a file became shorter");
      }
      current.hash.update(piece);
      current.left -= piece.byteLength;
      bytes += piece.byteLength;
      progress({ bytes, entries: index });
      return piece;
    }
    if (ended) return null;
    const batch: Uint8Array[] = [];
    let size = 0;
    while (index < t.items.length && size < BATCH && !current) {
      const item = t.items[index];
      if (item.type === "dir") {
        batch.push(bundleEntry({
          path: item.rel,
          type: "dir",
          size: 0,
          mtime: item.mtime,
          mode: item.mode,
        }));
        index++;
      } else if (item.size <= BATCH) {
        const records = _smallFile(item) ?? [failed(item, `${item.path} could not be read`)];
        for (const record of records) (batch.push(record), size += record.byteLength);
        if (records.length > 1) bytes += records[1].byteLength;
        index++;
      } else {
        const opened = await openRegular(transfers.env.os, item.path).catch(() => null);
        if (!opened || opened.info.ino !== item.ino) {
          opened?.file.close();
          batch.push(failed(item, `${item.path} changed or could not be read`));
          index++;
          continue;
        }
        batch.push(bundleEntry({
          path: item.rel,
          type: "file",
          size: opened.info.size,
          mtime: opened.info.mtime?.getTime() ?? null,
          mode: item.mode,
        }));
        current = { file: opened.file, left: opened.info.size, hash: sha256() };
      }
    }
    if (index >= t.items.length && !current) {
      batch.push(bundleEnd({ entries: t.items.length, bytes }));
      ended = true;
    }
    const total = batch.reduce((n, b) => n + b.byteLength, 0);
    if (total > joined.byteLength) joined = new Uint8Array(total);
    let at = 0;
    for (const piece of batch) (joined.set(piece, at), at += piece.byteLength);
    progress({ bytes, entries: index });
    return joined.subarray(0, total);
  };
  try {
    await pushLeg(transfers.env.leg, ticket, source, ctx.signal);
  } finally {
    (current as Current | null)?.file.close();
  }
  if (!ended) throw new OpFailure("leg_broken", "the data connection ended early");
  t.done = true;
  ctx.emit({ bytes, entries: t.items.length });
  return transfers.view(t);
}
