/**
 * What a bundle download will send: the named entries of a folder, folders whole (parents
 * before their contents, names sorted), links not followed and devices, FIFOs and sockets
 * left out — each of those, and each unreadable folder, as a failure the technician sees.
 * Kept compactly (`BundleList`) for as long as the download runs.
 */
import { type FileFailure, TREE_MAX } from "../../protocol/files.ts";
import { OpFailure } from "../ops/mod.ts";
import type { FilesOs } from "./os.ts";
import { checkName, childPath, kindOf, osFailure } from "./paths.ts";

/** One entry of a bundle, as `BundleList.item` gives it (made on demand, not kept). */
export interface BundleItem {
  rel: string;
  path: string;
  type: "file" | "dir";
  size: number;
  mtime: number | null;
  mode: number | null;
  dev: number;
  ino: number;
}

/**
 * The walked entries: each a name, its parent's index and numbers in typed arrays. An object
 * per entry with its path and relative path (and boxed numbers) took ~300 bytes (43 now); for
 * 60,000 files that was ~17 MiB kept through the download, and all of it surviving the young
 * generation made V8 grow that too (bench:files, issue 16).
 */
export class BundleList {
  readonly #names: string[] = [];
  #parent = new Int32Array(64);
  /** The mode, -1 for none. */
  #mode = new Int32Array(64);
  /** 1 for a folder. */
  #dir = new Uint8Array(64);
  /** size, mtime (NaN: none), dev, ino of each entry. */
  #numbers = new Float64Array(64 * 4);
  /** The relative path and path of the last parent asked for (entries come folder by folder). */
  #cached = { index: -2, rel: "", path: "" };

  constructor(readonly os: FilesOs, readonly folder: string) {}

  get length(): number {
    return this.#names.length;
  }

  /** Adds an entry under `parent` (-1: one of the names asked for); returns its index. */
  push(parent: number, name: string, type: "file" | "dir", info: Deno.FileInfo): number {
    const i = this.#names.length;
    if (i === this.#parent.length) this.#grow();
    this.#names.push(name);
    this.#parent[i] = parent;
    this.#mode[i] = info.mode === null ? -1 : info.mode & 0o777;
    this.#dir[i] = type === "dir" ? 1 : 0;
    const numbers = this.#numbers;
    numbers[4 * i] = type === "file" ? info.size : 0;
    numbers[4 * i + 1] = info.mtime?.getTime() ?? NaN;
    numbers[4 * i + 2] = info.dev;
    numbers[4 * i + 3] = info.ino ?? 0;
    return i;
  }

  item(i: number): BundleItem {
    const name = this.#names[i];
    const parent = this.#parent[i];
    let rel = name;
    let path: string;
    if (parent < 0) path = childPath(this.os, this.folder, name);
    else {
      const up = this.#place(parent);
      rel = `${up.rel}/${name}`;
      path = `${up.path}${this.os.separator}${name}`;
    }
    const mode = this.#mode[i];
    const mtime = this.#numbers[4 * i + 1];
    return {
      rel,
      path,
      type: this.#dir[i] ? "dir" : "file",
      size: this.#numbers[4 * i],
      mtime: Number.isNaN(mtime) ? null : mtime,
      mode: mode < 0 ? null : mode,
      dev: this.#numbers[4 * i + 2],
      ino: this.#numbers[4 * i + 3],
    };
  }

  #place(i: number): { rel: string; path: string } {
    if (this.#cached.index !== i) {
      const { rel, path } = this.item(i);
      this.#cached = { index: i, rel, path };
    }
    return this.#cached;
  }

  #grow() {
    const grown = <T extends Uint8Array | Int32Array | Float64Array>(a: T, n: number): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    const n = 2 * this.#parent.length;
    this.#parent = grown(this.#parent, n);
    this.#mode = grown(this.#mode, n);
    this.#dir = grown(this.#dir, n);
    this.#numbers = grown(this.#numbers, 4 * n);
  }
}

export async function walkBundle(
  os: FilesOs,
  folder: string,
  names: readonly string[],
  hidden: boolean,
): Promise<{ items: BundleList; size: number; failures: FileFailure[] }> {
  const items = new BundleList(os, folder);
  const failures: FileFailure[] = [];
  const seen = new Set<string>();
  let size = 0;
  const add = async (
    path: string,
    parent: number,
    name: string,
    info: Deno.FileInfo,
  ): Promise<void> => {
    const kind = kindOf(info);
    if (kind === "link") {
      failures.push({ path, code: "link", reason: "a link is not followed: left out" });
      return;
    }
    if (kind === "other") {
      failures.push({ path, code: "special", reason: "a device, FIFO or socket: left out" });
      return;
    }
    if (items.length >= TREE_MAX) {
      throw new OpFailure("too_many", `more than ${TREE_MAX} entries: send fewer at a time`);
    }
    const index = items.push(parent, name, kind, info);
    if (kind === "file") {
      size += info.size;
      return;
    }
    const key = `${info.dev}:${info.ino}`;
    if (seen.has(key)) return;
    seen.add(key);
    let children: string[];
    try {
      children = [];
      // Synchronous on purpose (as the reads in send.ts): an async call per entry waits for
      // the blocking pool each time, which on a busy machine is most of a big tree's walk.
      for (const item of Deno.readDirSync(path)) children.push(item.name);
    } catch (error) {
      const failure = osFailure(error, path);
      failures.push({ path, code: failure.code, reason: failure.message });
      return;
    }
    children.sort();
    for (const name of children) {
      const found = path.endsWith(os.separator) ? path + name : path + os.separator + name;
      if (!hidden && os.hidden(name, found)) continue;
      let child: string;
      try {
        child = childPath(os, path, name);
      } catch (error) {
        const failure = osFailure(error, `${path}${os.separator}${name}`);
        failures.push({
          path: `${path}${os.separator}${name}`,
          code: failure.code,
          reason: failure.message,
        });
        continue;
      }
      let childInfo: Deno.FileInfo;
      try {
        childInfo = Deno.lstatSync(child);
      } catch {
        continue; // gone meanwhile
      }
      await add(child, index, name, childInfo);
    }
  };
  for (const name of names) {
    checkName(os, name);
    const path = childPath(os, folder, name);
    const info = await Deno.lstat(path).catch((error) => {
      throw osFailure(error, path);
    });
    await add(path, -1, name, info);
  }
  return { items, size, failures };
}
