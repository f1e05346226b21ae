/**
 * Content-addressed file storage on disk. A file's bytes live at `<root>/ab/<sha256>` (the
 * first two hex digits fan the directory out), so nothing a person typed ever becomes a
 * path, and the same content is stored once. Writes stream through a temp file in
 * `<root>/tmp` (same file system) that is synced and then renamed into place: a crash
 * leaves either the whole file or a stray temp file, never a half file under its hash.
 */
import { createMD5, createSHA256 } from "hash-wasm";
import { join } from "node:path";

/** What the store knows about a file it holds. */
export interface StoredContent {
  sha256: string;
  md5: string;
  size: number;
}

/** A stored file opened for reading: its size and a stream of its bytes. */
export interface OpenedContent {
  size: number;
  body: ReadableStream<Uint8Array>;
}

/** Where file contents live; the database keeps only names and fingerprints. */
export interface FileStore {
  /**
   * Streams `body` into the store while computing MD5 and SHA-256, never holding more than
   * one chunk. Past `maxBytes` it stops reading, deletes what it wrote and throws
   * `FileTooLarge`.
   */
  put(body: ReadableStream<Uint8Array>, options: { maxBytes: number }): Promise<StoredContent>;
  /** The content with this SHA-256, or undefined when there is none (or the hash is malformed). */
  open(sha256: string): Promise<OpenedContent | undefined>;
}

/** The body went past the allowed size; nothing of it is kept. */
export class FileTooLarge extends RangeError {
  constructor(readonly maxBytes: number) {
    super(`File is larger than ${maxBytes} bytes`);
    this.name = "FileTooLarge";
  }
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** A temp file this old is what a crash left behind, not an upload still arriving. */
const STALE_TEMP_MS = 24 * 3600 * 1000;

/** A `FileStore` on the local disk under `root` (DATA_DIR/files in production). */
export class DiskFileStore implements FileStore {
  #swept: Promise<void> | undefined;

  constructor(readonly root: string) {}

  async put(
    body: ReadableStream<Uint8Array>,
    options: { maxBytes: number },
  ): Promise<StoredContent> {
    const tmpDir = join(this.root, "tmp");
    await Deno.mkdir(tmpDir, { recursive: true });
    this.#swept ??= this.sweepTemp();
    const tmp = join(tmpDir, `${crypto.randomUUID()}.part`);
    const [md5, sha256] = await Promise.all([createMD5(), createSHA256()]);
    md5.init();
    sha256.init();
    const file = await Deno.open(tmp, { write: true, createNew: true, mode: 0o600 });
    const reader = body.getReader();
    let size = 0;
    let closed = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.length;
        if (size > options.maxBytes) {
          await reader.cancel().catch(() => {});
          throw new FileTooLarge(options.maxBytes);
        }
        md5.update(value);
        sha256.update(value);
        await _writeAll(file, value);
      }
      await file.syncData();
      file.close();
      closed = true;
      const stored = { sha256: sha256.digest("hex"), md5: md5.digest("hex"), size };
      await this.#commit(tmp, stored);
      return stored;
    } catch (error) {
      if (!closed) file.close();
      await Deno.remove(tmp).catch(() => {});
      throw error;
    } finally {
      reader.releaseLock();
    }
  }

  async open(sha256: string): Promise<OpenedContent | undefined> {
    if (!SHA256_HEX.test(sha256)) return undefined;
    let file: Deno.FsFile;
    try {
      file = await Deno.open(this.#path(sha256), { read: true });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
    const { size } = await file.stat();
    return { size, body: file.readable };
  }

  /** Deletes temp files a crash left behind (older than a day); runs once with the first put. */
  async sweepTemp(now = Date.now()): Promise<void> {
    const tmpDir = join(this.root, "tmp");
    try {
      for await (const entry of Deno.readDir(tmpDir)) {
        if (!entry.isFile || !entry.name.endsWith(".part")) continue;
        const path = join(tmpDir, entry.name);
        const { mtime } = await Deno.stat(path);
        if (mtime && now - mtime.getTime() > STALE_TEMP_MS) await Deno.remove(path);
      }
    } catch {
      // A sweep is housekeeping: a file gone meanwhile or a missing directory is fine.
    }
  }

  #path(sha256: string): string {
    return join(this.root, sha256.slice(0, 2), sha256);
  }

  /** Renames the temp file under its hash; content already there is kept (it is identical). */
  async #commit(tmp: string, stored: StoredContent): Promise<void> {
    const target = this.#path(stored.sha256);
    const existing = await Deno.stat(target).catch(() => undefined);
    if (existing?.isFile && existing.size === stored.size) {
      await Deno.remove(tmp);
      return;
    }
    await Deno.mkdir(join(this.root, stored.sha256.slice(0, 2)), { recursive: true });
    await Deno.rename(tmp, target);
  }
}

async function _writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await file.write(bytes.subarray(written));
}
