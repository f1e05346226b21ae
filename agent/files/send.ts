/**
 * Downloads: the agent streams a file (from a byte) or a bundle (from an entry) over its data
 * connection, reading as the server takes it (backpressure), hashing as it goes. A resumed
 * file download continues the whole file's SHA-256 from the nearest checkpoint (every 16 MiB)
 * without sending the bytes before `from` again. A file that changed since the transfer
 * opened is refused (`changed`), so the technician never gets a mix of two versions.
 */
import {
  BUNDLE_HEADER_MAX,
  bundleEnd,
  bundleEntry,
  SHA256_BYTES,
} from "../../protocol/files_bundle.ts";
import type { AgentTransfer, TransferProgress } from "../../protocol/files.ts";
import { OpFailure } from "../ops/mod.ts";
import { openRegular } from "./paths.ts";
import { sha256 } from "./text.ts";
import { Sha256, SMALL_HASH_MAX } from "./sha256.ts";
import { pushLeg } from "./data_leg.ts";
import { walkBundle } from "./bundle_walk.ts";
import type {
  BundleDownload,
  BundleItem,
  BundleList,
  FileDownload,
  Transfers,
} from "./transfers.ts";

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

/**
 * Writes one small bundle entry (header, bytes, SHA-256) into `out` at `at`; returns where it
 * ends and the file's size, or null when the file could not be read as walked. Read straight
 * into the piece being sent: no buffer per file, whose memory the allocator would keep after a
 * tree of small files; hashed by the stream's reusable `small` hasher, no native one per file.
 */
function _smallFileInto(
  item: BundleItem,
  out: Uint8Array,
  at: number,
  small: Sha256,
): { end: number; size: number } | null {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(item.path, { read: true });
  } catch {
    return null;
  }
  try {
    const info = file.statSync();
    if (!info.isFile || info.ino !== item.ino || info.dev !== item.dev) return null;
    if (info.size > BATCH) return null;
    const header = bundleEntry({
      path: item.rel,
      type: "file",
      size: info.size,
      mtime: info.mtime?.getTime() ?? null,
      mode: item.mode,
    });
    out.set(header, at);
    const start = at + header.byteLength;
    const bytes = out.subarray(start, start + info.size);
    if (_readFull(file, bytes) < info.size) return null;
    if (info.size <= SMALL_HASH_MAX) small.reset().update(bytes).digestInto(out, start + info.size);
    else out.set(sha256().update(bytes).digest(), start + info.size);
    return { end: start + info.size + SHA256_BYTES, size: info.size };
  } catch {
    return null;
  } finally {
    file.close();
  }
}

/** A bundle's items: walked again if it was sent whole before (the list is dropped then). */
async function _itemsOf(transfers: Transfers, t: BundleDownload): Promise<BundleList> {
  if (t.items) return t.items;
  const walked = await walkBundle(transfers.env.os, t.folder, t.names, t.hidden);
  if (walked.items.length !== t.entries || walked.size !== t.size) {
    throw new OpFailure("changed", `${t.folder} changed since the bundle was sent`);
  }
  return t.items = walked.items;
}

export async function sendBundle(
  transfers: Transfers,
  t: BundleDownload,
  ticket: string,
  from: number,
  ctx: StreamContext,
): Promise<AgentTransfer> {
  if (from > t.entries) throw new OpFailure("offset", `the bundle has ${t.entries}`);
  const items = await _itemsOf(transfers, t);
  let index = from;
  let bytes = 0;
  let ended = false;
  const progress = throttled(ctx.emit);
  /** The large file being sent, chunk by chunk. */
  type Current = { file: Deno.FsFile; left: number; hash: ReturnType<typeof sha256> };
  let current = null as Current | null;
  const failed = (item: BundleItem, reason: string) => {
    t.failures.push({ path: item.path, code: "changed", reason });
    return bundleEntry({ path: item.rel, type: "failed", size: 0, mtime: null, mode: null });
  };
  // Reused for every piece (each is sent, copied, before the next is made).
  const chunk = new Uint8Array(CHUNK);
  // Room for a batch: under BATCH, then one more entry of at most BATCH bytes, and the end.
  const joined = new Uint8Array(2 * BATCH + 3 * (5 + BUNDLE_HEADER_MAX) + SHA256_BYTES);
  const small = new Sha256();
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
    let size = 0;
    const put = (record: Uint8Array) => (joined.set(record, size), size += record.byteLength);
    while (index < items.length && size < BATCH && !current) {
      const item = items.item(index);
      if (item.type === "dir") {
        put(bundleEntry({
          path: item.rel,
          type: "dir",
          size: 0,
          mtime: item.mtime,
          mode: item.mode,
        }));
        index++;
      } else if (item.size <= BATCH) {
        const entry = _smallFileInto(item, joined, size, small);
        if (entry === null) put(failed(item, `${item.path} could not be read`));
        else (bytes += entry.size, size = entry.end);
        index++;
      } else {
        const opened = await openRegular(transfers.env.os, item.path).catch(() => null);
        if (!opened || opened.info.ino !== item.ino) {
          opened?.file.close();
          put(failed(item, `${item.path} changed or could not be read`));
          index++;
          continue;
        }
        put(bundleEntry({
          path: item.rel,
          type: "file",
          size: opened.info.size,
          mtime: opened.info.mtime?.getTime() ?? null,
          mode: item.mode,
        }));
        current = { file: opened.file, left: opened.info.size, hash: sha256() };
      }
    }
    if (index >= items.length && !current) {
      put(bundleEnd({ entries: items.length, bytes }));
      ended = true;
    }
    progress({ bytes, entries: index });
    return joined.subarray(0, size);
  };
  try {
    await pushLeg(transfers.env.leg, ticket, source, ctx.signal);
  } finally {
    (current as Current | null)?.file.close();
  }
  if (!ended) throw new OpFailure("leg_broken", "the data connection ended early");
  t.done = true;
  // Sent whole: the list goes (walked again should the bundle be asked for once more).
  t.items = null;
  ctx.emit({ bytes, entries: t.entries });
  return transfers.view(t);
}
