/**
 * Finishing a part file its server never closed (killed, power lost): the writer leaves the
 * open cluster's and the Segment's size "unknown" and the Duration 0 until the end
 * (matroska.ts), so players read such a file up to its last frame but cannot tell its length
 * or seek in it. This walks the file's elements — headers only, a few bytes at a time, never
 * the frames — cuts a block the crash left half written, and writes what `finish()` would
 * have: the last clusters' and the Segment's sizes, and the Duration (the last block's time).
 */
import { MATROSKA_IDS as ID } from "./matroska.ts";
import { float64Bytes, sizeBytes } from "./ebml.ts";

/** What a finished part holds: its bytes and its length (the last frame's time, ms). */
export interface FinishedPart {
  bytes: number;
  durationMs: number;
}

interface Header {
  id: number;
  /** Where its size field starts, how wide it is, and where its data starts. */
  sizeAt: number;
  sizeWidth: number;
  dataAt: number;
  /** null: "unknown" (all value bits set). */
  size: number | null;
}

/**
 * Finishes the part at `path` in place; null when it needs nothing (it was closed) or is not a
 * part this writer made. Throws only what the file system throws.
 */
export async function finishPartFile(path: string): Promise<FinishedPart | null> {
  using file = await Deno.open(path, { read: true, write: true });
  const length = (await file.stat()).size;
  const read = async (at: number, count: number) => {
    const out = new Uint8Array(Math.max(0, Math.min(count, length - at)));
    await file.seek(at, Deno.SeekMode.Start);
    for (let got = 0; got < out.byteLength;) {
      const n = await file.read(out.subarray(got));
      if (n === null) break;
      got += n;
    }
    return out;
  };
  const header = async (at: number) => _header(await read(at, 12), at);

  const ebml = await header(0);
  if (ebml?.id !== ID.ebml || ebml.size === null) return null;
  const segment = await header(ebml.dataAt + ebml.size);
  if (segment?.id !== ID.segment || segment.size !== null) return null;

  const patches: { at: number; bytes: Uint8Array }[] = [];
  let durationAt: number | null = null;
  let lastMs = 0;
  let end = segment.dataAt;
  for (let at = segment.dataAt; at < length;) {
    const el = await header(at);
    if (!el) break;
    if (el.id === ID.info && el.size !== null) {
      durationAt = await _durationAt(header, el.dataAt, el.dataAt + el.size);
    }
    if (el.id !== ID.cluster) {
      if (el.size === null || el.dataAt + el.size > length) break;
      end = at = el.dataAt + el.size;
      continue;
    }
    const cluster = await _walkCluster(header, read, el, length);
    if (cluster.end === el.dataAt) break;
    if (el.size === null || cluster.end !== el.dataAt + el.size) {
      patches.push({ at: el.sizeAt, bytes: sizeBytes(cluster.end - el.dataAt, el.sizeWidth) });
    }
    if (cluster.lastMs !== null) lastMs = cluster.lastMs;
    end = at = cluster.end;
  }
  if (durationAt === null) return null;
  patches.push({ at: segment.sizeAt, bytes: sizeBytes(end - segment.dataAt, segment.sizeWidth) });
  patches.push({ at: durationAt, bytes: float64Bytes(Math.max(1, lastMs)) });
  if (end < length) await file.truncate(end);
  for (const patch of patches) {
    await file.seek(patch.at, Deno.SeekMode.Start);
    for (let done = 0; done < patch.bytes.byteLength;) {
      done += await file.write(patch.bytes.subarray(done));
    }
  }
  return { bytes: end, durationMs: lastMs };
}

/** Where Info's Duration's 8 data bytes are. */
async function _durationAt(
  header: (at: number) => Promise<Header | null>,
  from: number,
  to: number,
): Promise<number | null> {
  for (let at = from; at < to;) {
    const el = await header(at);
    if (!el || el.size === null) return null;
    if (el.id === ID.duration && el.size === 8) return el.dataAt;
    at = el.dataAt + el.size;
  }
  return null;
}

/**
 * A cluster's whole blocks: where it ends (before a half-written block, or the next cluster
 * when its size was never patched) and its last block's time.
 */
async function _walkCluster(
  header: (at: number) => Promise<Header | null>,
  read: (at: number, count: number) => Promise<Uint8Array>,
  cluster: Header,
  length: number,
): Promise<{ end: number; lastMs: number | null }> {
  const limit = cluster.size === null ? length : Math.min(length, cluster.dataAt + cluster.size);
  let clusterMs: number | null = null;
  let lastMs: number | null = null;
  let at = cluster.dataAt;
  while (at < limit) {
    const el = await header(at);
    if (!el || el.size === null || el.id === ID.cluster) break;
    if (el.dataAt + el.size > limit) break;
    const data = await read(el.dataAt, Math.min(el.size, 8));
    if (el.id === ID.timestamp) {
      clusterMs = data.reduce((value, byte) => value * 256 + byte, 0);
    } else if (el.id === ID.simpleBlock && clusterMs !== null && data.byteLength >= 3) {
      lastMs = clusterMs + new DataView(data.buffer, data.byteOffset).getInt16(1);
    }
    at = el.dataAt + el.size;
  }
  return { end: at, lastMs };
}

/** An element's ID and size at `at` from the bytes there; null when they are cut off. */
function _header(bytes: Uint8Array, at: number): Header | null {
  const idWidth = _width(bytes[0]);
  if (!idWidth || idWidth > 4 || bytes.byteLength < idWidth + 1) return null;
  let id = 0;
  for (let i = 0; i < idWidth; i++) id = id * 256 + bytes[i];
  const sizeWidth = _width(bytes[idWidth]);
  if (!sizeWidth || bytes.byteLength < idWidth + sizeWidth) return null;
  let size = bytes[idWidth] & (0xff >> sizeWidth);
  let allOnes = size === 0xff >> sizeWidth;
  for (let i = 1; i < sizeWidth; i++) {
    size = size * 256 + bytes[idWidth + i];
    allOnes &&= bytes[idWidth + i] === 0xff;
  }
  return {
    id,
    sizeAt: at + idWidth,
    sizeWidth,
    dataAt: at + idWidth + sizeWidth,
    size: allOnes ? null : size,
  };
}

/** A variable-length integer's width from its first byte (0: not one). */
function _width(first: number | undefined): number {
  if (!first) return 0;
  return Math.clz32(first) - 23;
}
