/**
 * One part file on disk, written in order by a queue of its own: the frames arrive on the
 * media path and must never wait for the disk, and memory must never grow with a slow disk —
 * so `write` says no (false) once `MAX_PENDING_BYTES` wait, and the recorder skips to the
 * next keyframe.
 */
import type { Patch } from "./matroska.ts";

/** Bytes that may wait for the disk before frames are dropped. */
export const MAX_PENDING_BYTES = 16 * 1024 * 1024;

export class PartFile {
  #file: Deno.FsFile | null = null;
  #queue: Promise<void>;
  #pending = 0;
  /** The first error the disk gave, if any (the recorder then stops). */
  failure: Error | null = null;
  /** Whether the file could be created (its row is written only then). */
  readonly created: Promise<boolean>;

  constructor(readonly path: string, onFailure: (error: Error) => void) {
    this.#queue = Deno.open(path, { write: true, createNew: true, mode: 0o640 })
      .then((file) => void (this.#file = file))
      .catch((error) => {
        this.failure = error;
        onFailure(error);
      });
    this.created = this.#queue.then(() => this.#file !== null);
    this.#onFailure = onFailure;
  }
  #onFailure: (error: Error) => void;

  /** Queues `bytes` at the end of the file, then `patches` in place; false when too much waits. */
  write(bytes: Uint8Array, patches: readonly Patch[] = []): boolean {
    if (this.failure) return false;
    if (this.#pending + bytes.byteLength > MAX_PENDING_BYTES) return false;
    this.#pending += bytes.byteLength;
    this.#run(async (file) => {
      await _writeAll(file, bytes);
      this.#pending -= bytes.byteLength;
      if (patches.length) await this.#patch(file, patches);
    });
    return true;
  }

  /** Applies the last patches and closes the file; resolves once it is on disk. */
  close(patches: readonly Patch[]): Promise<void> {
    this.#run((file) => this.#patch(file, patches));
    this.#queue = this.#queue.then(() => {
      this.#file?.close();
      this.#file = null;
    });
    return this.#queue;
  }

  #run(step: (file: Deno.FsFile) => Promise<void>) {
    this.#queue = this.#queue.then(async () => {
      if (!this.#file || this.failure) return;
      try {
        await step(this.#file);
      } catch (error) {
        this.failure = error as Error;
        this.#onFailure(this.failure);
      }
    });
  }

  async #patch(file: Deno.FsFile, patches: readonly Patch[]) {
    for (const patch of patches) {
      await file.seek(patch.offset, Deno.SeekMode.Start);
      await _writeAll(file, patch.bytes);
    }
    await file.seek(0, Deno.SeekMode.End);
  }
}

async function _writeAll(file: Deno.FsFile, bytes: Uint8Array) {
  for (let at = 0; at < bytes.byteLength;) at += await file.write(bytes.subarray(at));
}
