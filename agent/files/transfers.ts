/**
 * The agent's transfers (docs/files_api.md): opened by the server under an id, resumable
 * under that id after a broken connection, a reconnect or — for file uploads — an agent
 * restart (the temporary file and a small record in the agent's data folder survive).
 * An upload is written to `.rescue-<id>.part` in the target folder and renamed to the real
 * name only after its SHA-256 matches (commit); abandoned temporary files are removed after a
 * day. Streams: send.ts (downloads), receive.ts (uploads).
 */
import type { Hash } from "node:crypto";
import type { OpKind, OpRequest } from "../../protocol/mod.ts";
import type { AgentTransfer, FileFailure } from "../../protocol/files.ts";
import { OpFailure } from "../ops/mod.ts";
import type { FilesOs } from "./os.ts";
import { childPath, kindOf, openRegular, osFailure, resolveFolder } from "./paths.ts";
import { sha256, tempName } from "./text.ts";
import { type BundleItem, type BundleList, walkBundle } from "./bundle_walk.ts";

export type { BundleItem, BundleList };
import type { LegTarget } from "./data_leg.ts";

type OpRequestOf<K extends OpKind> = OpRequest<K>;

export interface Checkpoint {
  offset: number;
  hash: Hash;
}

interface Running {
  abort: AbortController;
  done: Promise<unknown>;
}

interface Base {
  id: string;
  failures: FileFailure[];
  done: boolean;
  touched: number;
  running: Running | null;
}

export interface FileDownload extends Base {
  kind: "download-file";
  path: string;
  size: number;
  mtime: number | null;
  dev: number;
  ino: number;
  checkpoints: Checkpoint[];
  sha256: string | null;
}

export interface FileUpload extends Base {
  kind: "upload-file";
  folder: string;
  name: string;
  target: string;
  temp: string;
  size: number;
  offset: number;
  /** The SHA-256 of the temporary file's first `offset` bytes (null: to be read again). */
  hash: Hash | null;
  mtime: number | null;
  expect: string | null;
  overwrite: boolean;
  sha256: string | null;
}

export interface BundleDownload extends Base {
  kind: "download-bundle";
  folder: string;
  names: string[];
  hidden: boolean;
  /**
   * What is sent, walked at the open; null once the bundle was sent whole (no list of 60,000
   * entries, 2.5 MiB, kept for a day) — walked again if it is asked for once more.
   */
  items: BundleList | null;
  /** The entries and bytes walked at the open (what the technician was told). */
  entries: number;
  size: number;
}

export interface BundleUpload extends Base {
  kind: "upload-bundle";
  folder: string;
  overwrite: boolean;
  entries: number;
  bytes: number;
  /** Folders under `folder` known to be real folders (not links); true: this upload made it. */
  dirs: Map<string, boolean>;
}

export type Transfer = FileDownload | FileUpload | BundleDownload | BundleUpload;

/** What an abandoned transfer may sit untouched before it is removed. */
export const ABANDONED_MS = 24 * 60 * 60 * 1000;
const FAILURES_SHOWN = 1000;

export interface TransfersEnv {
  os: FilesOs;
  dataDir: string;
  leg: LegTarget;
  now?: () => number;
}

/** The record kept on disk for a file upload (for resuming after a restart, and sweeping). */
interface UploadRecord {
  id: string;
  folder: string;
  name: string;
  target: string;
  temp: string;
  size: number;
  mtime: number | null;
  expect: string | null;
  overwrite: boolean;
}

export class Transfers {
  readonly #map = new Map<string, Transfer>();
  readonly now: () => number;

  constructor(readonly env: TransfersEnv) {
    this.now = env.now ?? Date.now;
  }

  get(id: string): Transfer {
    const transfer = this.#map.get(id);
    if (!transfer) throw new OpFailure("no_transfer", "this transfer is not known here");
    transfer.touched = this.now();
    return transfer;
  }

  view(t: Transfer): AgentTransfer {
    const common = { id: t.id, done: t.done, failures: t.failures.slice(0, FAILURES_SHOWN) };
    switch (t.kind) {
      case "download-file":
        return { ...common, path: t.path, size: t.size, offset: 0, entries: 0, sha256: t.sha256 };
      case "upload-file":
        return {
          ...common,
          path: t.done ? t.target : t.folder,
          size: t.size,
          offset: t.offset,
          entries: 0,
          sha256: t.sha256,
        };
      case "download-bundle":
        return {
          ...common,
          path: t.folder,
          size: t.size,
          offset: 0,
          entries: t.entries,
          sha256: null,
        };
      case "upload-bundle":
        return {
          ...common,
          path: t.folder,
          size: t.bytes,
          offset: 0,
          entries: t.entries,
          sha256: null,
        };
    }
  }

  async open(request: OpRequestOf<"files.open">): Promise<AgentTransfer> {
    const known = this.#map.get(request.id) ?? await this.#restore(request.id);
    if (known) {
      if (!_sameOpen(known, request)) {
        throw new OpFailure("invalid", "this transfer id belongs to another transfer");
      }
      known.touched = this.now();
      return this.view(known);
    }
    const { os } = this.env;
    const base = {
      id: request.id,
      failures: [],
      done: false,
      touched: this.now(),
      running: null,
    };
    let transfer: Transfer;
    if (request.direction === "download" && request.mode === "file") {
      const { file, info, path } = await openRegular(os, request.path);
      file.close();
      transfer = {
        ...base,
        kind: "download-file",
        path,
        size: info.size,
        mtime: info.mtime?.getTime() ?? null,
        dev: info.dev,
        ino: info.ino ?? 0,
        checkpoints: [{ offset: 0, hash: sha256() }],
        sha256: null,
      };
    } else if (request.direction === "download") {
      const folder = await resolveFolder(os, request.path);
      const walked = await walkBundle(os, folder, request.names, request.hidden);
      transfer = {
        ...base,
        kind: "download-bundle",
        folder,
        names: [...request.names],
        hidden: request.hidden,
        entries: walked.items.length,
        ...walked,
      };
    } else if (request.mode === "bundle") {
      const folder = await resolveFolder(os, request.path);
      transfer = {
        ...base,
        kind: "upload-bundle",
        folder,
        overwrite: request.overwrite,
        entries: 0,
        bytes: 0,
        dirs: new Map(),
      };
    } else {
      transfer = await this.#openUpload(request);
    }
    this.#map.set(transfer.id, transfer);
    return this.view(transfer);
  }

  async #openUpload(request: OpRequestOf<"files.open">): Promise<FileUpload> {
    const { os } = this.env;
    if (request.name === null || request.size === null) {
      throw new OpFailure("invalid", "a file upload needs a name and a size");
    }
    const folder = await resolveFolder(os, request.path);
    const target = childPath(os, folder, request.name);
    refuseTarget(target, request.overwrite);
    const temp = childPath(os, folder, tempName(request.id));
    const file = await Deno.open(temp, { write: true, createNew: true }).catch((error) => {
      throw osFailure(error, temp);
    });
    file.close();
    const record: UploadRecord = {
      id: request.id,
      folder,
      name: request.name,
      target,
      temp,
      size: request.size,
      mtime: request.mtime,
      expect: request.sha256,
      overwrite: request.overwrite,
    };
    await this.#save(record);
    return _upload(record, 0, sha256(), this.now());
  }

  /** A file upload this agent (or an earlier run of it) left on disk under `id`. */
  async #restore(id: string): Promise<FileUpload | null> {
    let record: UploadRecord;
    try {
      record = JSON.parse(await Deno.readTextFile(this.#recordPath(id)));
    } catch {
      return null;
    }
    const size = await Deno.lstat(record.temp).then(
      (info) => info.isFile ? info.size : -1,
      () => -1,
    );
    if (size < 0) {
      await this.forget(id);
      return null;
    }
    // Whatever is past the announced size is not ours: resume from the size at most.
    const upload = _upload(record, Math.min(size, record.size), null, this.now());
    this.#map.set(id, upload);
    return upload;
  }

  #recordPath(id: string): string {
    return `${this.env.dataDir}/file-transfers/${id}.json`;
  }

  async #save(record: UploadRecord) {
    await Deno.mkdir(`${this.env.dataDir}/file-transfers`, { recursive: true, mode: 0o700 });
    await Deno.writeTextFile(this.#recordPath(record.id), JSON.stringify(record), { mode: 0o600 });
  }

  async touchRecord(id: string) {
    const now = new Date(this.now());
    await Deno.utime(this.#recordPath(id), now, now).catch(() => {});
  }

  /** Keeps a finished transfer in memory (a repeated commit or cancel gets its answer). */
  keep(t: Transfer) {
    this.#map.set(t.id, t);
  }

  /** Drops a transfer and its record (its temporary file is the caller's). */
  async forget(id: string) {
    this.#map.delete(id);
    await Deno.remove(this.#recordPath(id)).catch(() => {});
  }

  /** Aborts a running stream of `t` and waits for it to end (a new one replaces it). */
  async stopRunning(t: Transfer) {
    const running = t.running;
    if (!running) return;
    running.abort.abort("replaced by a newer stream");
    await running.done.catch(() => {});
  }

  async cancel(id: string): Promise<{ id: string; removed: boolean }> {
    const t = this.#map.get(id) ?? await this.#restore(id);
    if (!t) return { id, removed: false };
    await this.stopRunning(t);
    if (t.kind === "upload-file" && !t.done) await Deno.remove(t.temp).catch(() => {});
    await this.forget(id);
    return { id, removed: true };
  }

  /** Removes what was abandoned: untouched transfers, and upload records of earlier runs. */
  async sweep() {
    const now = this.now();
    for (const t of [...this.#map.values()]) {
      if (t.running || now - t.touched < ABANDONED_MS) continue;
      await this.cancel(t.id);
    }
    const dir = `${this.env.dataDir}/file-transfers`;
    try {
      for await (const item of Deno.readDir(dir)) {
        if (!item.name.endsWith(".json")) continue;
        const id = item.name.slice(0, -5);
        if (this.#map.has(id)) continue;
        const info = await Deno.stat(`${dir}/${item.name}`);
        if (now - (info.mtime?.getTime() ?? 0) < ABANDONED_MS) continue;
        const record = JSON.parse(await Deno.readTextFile(`${dir}/${item.name}`)) as UploadRecord;
        // Only a file of our own naming is removed.
        if (record.temp.endsWith(tempName(id))) await Deno.remove(record.temp).catch(() => {});
        await Deno.remove(`${dir}/${item.name}`).catch(() => {});
      }
    } catch {
      // no records yet
    }
  }
}

function _upload(record: UploadRecord, offset: number, hash: Hash | null, now: number): FileUpload {
  return {
    kind: "upload-file",
    id: record.id,
    folder: record.folder,
    name: record.name,
    target: record.target,
    temp: record.temp,
    size: record.size,
    offset,
    hash,
    mtime: record.mtime,
    expect: record.expect,
    overwrite: record.overwrite,
    sha256: null,
    failures: [],
    done: false,
    touched: now,
    running: null,
  };
}

function _sameOpen(t: Transfer, request: OpRequestOf<"files.open">): boolean {
  switch (t.kind) {
    case "download-file":
      return request.direction === "download" && request.mode === "file";
    case "download-bundle":
      return request.direction === "download" && request.mode === "bundle";
    case "upload-bundle":
      return request.direction === "upload" && request.mode === "bundle";
    case "upload-file":
      return request.direction === "upload" && request.mode === "file" &&
        request.name === t.name && request.size === t.size;
  }
}

/** Refuses to write over what is there, unless allowed and it is a plain file. */
export function refuseTarget(target: string, overwrite: boolean) {
  let info: Deno.FileInfo;
  try {
    info = Deno.lstatSync(target);
  } catch {
    return;
  }
  if (!overwrite) throw new OpFailure("exists", `${target} exists already`);
  const kind = kindOf(info);
  if (kind === "dir") throw new OpFailure("is_dir", `${target} is a folder`);
  if (kind === "other") {
    throw new OpFailure("special", `${target} is a device, FIFO or socket: not replaced`);
  }
}
