/**
 * The file manager's bundle stream (`application/vnd.rescue.bundle`, docs/files_api.md): many
 * files in one stream, each followed by its SHA-256, so a tree of small files moves without a
 * request per file. Plain code, no Deno or zod: the agent, the server's tests and the browser
 * island all use it.
 *
 * ```
 * entry := 0x45 'E'  u32be n  <n bytes of JSON header>  [file bytes]  [32 bytes SHA-256]
 * end   := 0x5A 'Z'  u32be n  <n bytes of JSON { entries, bytes }>
 * ```
 */

export const BUNDLE_TYPE = "application/vnd.rescue.bundle";
export const BUNDLE_ENTRY = 0x45;
export const BUNDLE_END = 0x5a;
/** Largest JSON header of one entry (bytes). */
export const BUNDLE_HEADER_MAX = 16 * 1024;
export const SHA256_BYTES = 32;
/** The longest record a reader may have to wait for: a header (a hash is shorter). */
const _RECORD_MAX = 5 + BUNDLE_HEADER_MAX;

export interface BundleHeader {
  /** Relative, `/`-separated; every part one valid name (checked by whoever writes it). */
  path: string;
  /** `failed`: an entry the sender could not read after all (no bytes, no hash). */
  type: "file" | "dir" | "failed";
  size: number;
  mtime: number | null;
  mode: number | null;
}

export interface BundleSummary {
  entries: number;
  bytes: number;
}

export type BundleEvent =
  | { kind: "entry"; header: BundleHeader }
  /** A piece of the current file's bytes (a view into the pushed chunk: copy to keep it). */
  | { kind: "data"; bytes: Uint8Array }
  /** The end of the current file's bytes and the SHA-256 the sender computed of them. */
  | { kind: "hash"; sha256: Uint8Array }
  | { kind: "end"; summary: BundleSummary };

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

function _record(tag: number, json: unknown): Uint8Array {
  const body = encoder.encode(JSON.stringify(json));
  if (body.byteLength > BUNDLE_HEADER_MAX) throw new RangeError("bundle header too large");
  const out = new Uint8Array(5 + body.byteLength);
  out[0] = tag;
  new DataView(out.buffer).setUint32(1, body.byteLength);
  out.set(body, 5);
  return out;
}

/** The bytes that open an entry; a file's bytes and its 32-byte SHA-256 follow. */
export function bundleEntry(header: BundleHeader): Uint8Array {
  return _record(BUNDLE_ENTRY, header);
}

/** The record that ends a bundle. */
export function bundleEnd(summary: BundleSummary): Uint8Array {
  return _record(BUNDLE_END, summary);
}

export class BundleError extends Error {}

function _isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** The header's shape (not its path's safety: the receiver checks every part). */
export function checkBundleHeader(value: unknown): BundleHeader {
  const h = value as Record<string, unknown> | null;
  if (
    !h || typeof h !== "object" || typeof h.path !== "string" || h.path.length === 0 ||
    h.path.length > 4096 || (h.type !== "file" && h.type !== "dir" && h.type !== "failed") ||
    !_isCount(h.size) ||
    (h.mtime !== null && !_isCount(h.mtime)) ||
    (h.mode !== null && !(_isCount(h.mode) && (h.mode as number) <= 0o7777)) ||
    Object.keys(h).length !== 5 || (h.type !== "file" && h.size !== 0)
  ) throw new BundleError("malformed bundle entry header");
  return {
    path: h.path,
    type: h.type,
    size: h.size,
    mtime: h.mtime as number | null,
    mode: h.mode as number | null,
  };
}

/**
 * A push parser: feed it the stream's chunks in order, get the events they complete. Throws
 * `BundleError` on a malformed stream (the receiver stops; nothing half-read is trusted).
 */
export class BundleReader {
  #pending = new Uint8Array(0);
  /** Bytes of the current file still to come, then its hash. */
  #fileLeft = -1;
  #ended = false;

  get ended(): boolean {
    return this.#ended;
  }

  /** Whether the stream stopped exactly between entries (a clean place to resume from). */
  get atBoundary(): boolean {
    return this.#fileLeft < 0 && this.#pending.byteLength === 0;
  }

  /**
   * The events `chunk` completes, each made only when the one before was taken: a receiver
   * that handles them as they come keeps one file's header and views alive, not a whole
   * message's (~250 small files in 1 MiB) — those lived long enough to be promoted to V8's
   * old generation and stayed there until a full collection (issue 16). Take every event of a
   * chunk before reading the next one.
   */
  *read(chunk: Uint8Array): Generator<BundleEvent, void, undefined> {
    let data = chunk;
    if (this.#pending.byteLength > 0) {
      // Only the start of a header or a hash waits here, never file bytes: it is completed from
      // the chunk's first bytes, not by copying the whole chunk (1 MiB a message) behind it.
      const pending = this.#pending;
      this.#pending = new Uint8Array(0);
      const head = chunk.subarray(0, Math.min(chunk.byteLength, _RECORD_MAX));
      const joined = new Uint8Array(pending.byteLength + head.byteLength);
      joined.set(pending);
      joined.set(head, pending.byteLength);
      const used = yield* this.#parse(joined);
      // Still not whole: the chunk was shorter than any record can be, all of it waits.
      if (used < pending.byteLength) {
        this.#pending = joined.slice(used);
        return;
      }
      data = chunk.subarray(used - pending.byteLength);
    }
    const used = yield* this.#parse(data);
    if (used < data.byteLength) this.#pending = data.slice(used);
  }

  /** All the events `chunk` completes, as a list (`read` hands them over one at a time). */
  push(chunk: Uint8Array): BundleEvent[] {
    return [...this.read(chunk)];
  }

  /** Reads the whole records of `data`, yielding their events; returns the bytes they took. */
  *#parse(data: Uint8Array): Generator<BundleEvent, number, undefined> {
    let at = 0;
    while (at < data.byteLength) {
      if (this.#ended) throw new BundleError("data after the end of the bundle");
      if (this.#fileLeft > 0) {
        const take = Math.min(this.#fileLeft, data.byteLength - at);
        const bytes = data.subarray(at, at + take);
        at += take;
        this.#fileLeft -= take;
        yield { kind: "data", bytes };
        continue;
      }
      if (this.#fileLeft === 0) {
        if (data.byteLength - at < SHA256_BYTES) break;
        const sha256 = data.slice(at, at + SHA256_BYTES);
        at += SHA256_BYTES;
        this.#fileLeft = -1;
        yield { kind: "hash", sha256 };
        continue;
      }
      if (data.byteLength - at < 5) break;
      const tag = data[at];
      const length = new DataView(data.buffer, data.byteOffset + at + 1, 4).getUint32(0);
      if ((tag !== BUNDLE_ENTRY && tag !== BUNDLE_END) || length > BUNDLE_HEADER_MAX) {
        throw new BundleError("malformed bundle record");
      }
      if (data.byteLength - at < 5 + length) break;
      let json: unknown;
      try {
        json = JSON.parse(decoder.decode(data.subarray(at + 5, at + 5 + length)));
      } catch {
        throw new BundleError("malformed bundle record");
      }
      at += 5 + length;
      if (tag === BUNDLE_END) {
        const s = json as Record<string, unknown> | null;
        if (!s || !_isCount(s.entries) || !_isCount(s.bytes)) {
          throw new BundleError("malformed bundle end");
        }
        this.#ended = true;
        yield { kind: "end", summary: { entries: s.entries, bytes: s.bytes } };
        continue;
      }
      const header = checkBundleHeader(json);
      if (header.type === "file") this.#fileLeft = header.size;
      yield { kind: "entry", header };
    }
    return at;
  }
}

/** Lower-case hex of a digest. */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}
