/**
 * The two panes behind one interface: the customer's computer (the agent, through RemoteApi) and
 * the technician's (LocalFs). Operations over both (copy, synchronise, replicate: operations.ts)
 * see folders, trees and names the same way; relative paths inside a tree are `/`-separated on
 * both sides.
 */
import type { Entry } from "./entries.ts";
import { baseName, joinPath, type LocalFs, parentPath } from "./local_fs.ts";
import type { Tree, TreeItem } from "./plan.ts";
import type { RemoteApi } from "./remote_api.ts";
import { hashBlob } from "./sha256.ts";

export type SideId = "local" | "remote";

export interface Failure {
  path: string;
  reason: string;
}

export interface Side {
  id: SideId;
  list(
    path: string,
    hidden: boolean,
  ): Promise<{ path: string; parent: string | null; entries: Entry[] }>;
  /** `folder` + a `/`-separated relative path. */
  join(folder: string, relative: string): string;
  name(path: string): string;
  parent(path: string): string | null;
  /** Creates the folder; one that exists already is fine. */
  mkdir(folder: string, name: string): Promise<void>;
  rename(path: string, newName: string): Promise<void>;
  remove(paths: string[]): Promise<Failure[]>;
  tree(path: string, hidden: boolean): Promise<Tree>;
  hash(path: string): Promise<string>;
  readText(path: string): Promise<{ text: string; version: string }>;
  writeText(path: string, text: string, version: string | null): Promise<void>;
}

export class RemoteSide implements Side {
  readonly id = "remote";
  constructor(readonly api: RemoteApi, public separator: "/" | "\\" = "/") {}

  list(path: string, hidden: boolean) {
    return this.api.list(path, hidden);
  }

  join(folder: string, relative: string): string {
    const tail = relative.split("/").join(this.separator);
    return folder.endsWith(this.separator)
      ? `${folder}${tail}`
      : `${folder}${this.separator}${tail}`;
  }

  name(path: string): string {
    const at = path.lastIndexOf(this.separator);
    return at < 0 ? path : path.slice(at + 1);
  }

  parent(path: string): string | null {
    const at = path.lastIndexOf(this.separator);
    if (at < 0 || path.length <= 1) return null;
    return at === 0 ? this.separator : path.slice(0, at);
  }

  async mkdir(folder: string, name: string) {
    try {
      await this.api.mkdir(folder, name);
    } catch (error) {
      if ((error as { code?: string }).code !== "exists") throw error;
    }
  }

  async rename(path: string, newName: string) {
    await this.api.rename(path, newName);
  }

  async remove(paths: string[]): Promise<Failure[]> {
    const done = await this.api.remove(paths, false);
    const noTrash = done.failures.filter((f) => f.code === "no_trash").map((f) => f.path);
    const rest = done.failures.filter((f) => f.code !== "no_trash");
    if (noTrash.length) rest.push(...(await this.api.remove(noTrash, true)).failures);
    return rest.map((f) => ({ path: f.path, reason: f.reason }));
  }

  async tree(path: string, hidden: boolean): Promise<Tree> {
    const { entries } = await this.api.tree(path, hidden);
    const tree = new Map<string, TreeItem>();
    for (const entry of entries) {
      if (entry.type !== "file" && entry.type !== "dir") continue;
      tree.set(entry.path, { kind: entry.type, size: entry.size, mtime: entry.mtime ?? 0 });
    }
    return tree;
  }

  async hash(path: string) {
    return (await this.api.hash(path)).sha256;
  }

  async readText(path: string) {
    const got = await this.api.readText(path);
    return { text: got.text, version: got.sha256 };
  }

  async writeText(path: string, text: string, version: string | null) {
    await this.api.writeText(path, text, version);
  }
}

export class LocalSide implements Side {
  readonly id = "local";
  constructor(readonly fs: LocalFs) {}

  async list(path: string) {
    return { path, parent: parentPath(path), entries: await this.fs.list(path) };
  }

  join(folder: string, relative: string): string {
    return relative.split("/").reduce((at, part) => joinPath(at, part), folder);
  }

  name(path: string) {
    return baseName(path);
  }

  parent(path: string) {
    return parentPath(path);
  }

  async mkdir(folder: string, name: string) {
    await this.fs.mkdir(folder, name);
  }

  async rename(path: string, newName: string) {
    await this.fs.rename(path, newName);
  }

  async remove(paths: string[]): Promise<Failure[]> {
    const failures: Failure[] = [];
    for (const path of paths) {
      await this.fs.remove(path).catch((error) => failures.push({ path, reason: String(error) }));
    }
    return failures;
  }

  async tree(path: string, hidden: boolean): Promise<Tree> {
    const tree = new Map<string, TreeItem>();
    for (const item of await this.fs.tree(path)) {
      if (!hidden && item.path.split("/").some((part) => part.startsWith("."))) continue;
      tree.set(item.path, { kind: item.kind, size: item.size, mtime: item.mtime });
    }
    return tree;
  }

  async hash(path: string) {
    return await hashBlob(await this.fs.file(path));
  }

  async readText(path: string) {
    const file = await this.fs.file(path);
    return { text: await file.text(), version: String(file.lastModified) };
  }

  async writeText(path: string, text: string) {
    await this.fs.writeText(path, text);
  }
}
