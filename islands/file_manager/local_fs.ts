/**
 * The technician's side: a folder of the technician's own computer through the browser's File
 * System Access API — a folder they pick (`showDirectoryPicker`, Chromium-based browsers), or,
 * where there is no picker, this browser's private storage for the site (the origin private
 * file system), which files reach by upload and leave by download. Both are the same handle
 * type, so every operation works on either. Paths are `/`-joined names under the root, "" the
 * root itself; a name is one component (no `/`, `..` or empty part is accepted).
 */
import type { Entry } from "./entries.ts";

// The parts of the API TypeScript's DOM library does not describe yet.
interface MovableHandle extends FileSystemHandle {
  move?(parent: FileSystemDirectoryHandle, name: string): Promise<void>;
  move?(name: string): Promise<void>;
}
type Picker = (
  options?: { mode?: "read" | "readwrite"; id?: string },
) => Promise<FileSystemDirectoryHandle>;

/** The browser can open a folder of the technician's computer. */
export function canPickFolder(): boolean {
  return typeof (globalThis as { showDirectoryPicker?: Picker }).showDirectoryPicker === "function";
}

/** The browser has the private storage the fallback uses. */
export function hasPrivateStorage(): boolean {
  return typeof navigator !== "undefined" && typeof navigator.storage?.getDirectory === "function";
}

export async function pickFolder(): Promise<FileSystemDirectoryHandle> {
  const picker = (globalThis as unknown as { showDirectoryPicker: Picker }).showDirectoryPicker;
  return await picker({ mode: "readwrite", id: "rescue-files" });
}

export function privateStorage(): Promise<FileSystemDirectoryHandle> {
  return navigator.storage.getDirectory();
}

export class NameError extends Error {}

/** The parts of a path, each checked to be one plain name. */
export function splitPath(path: string): string[] {
  if (path === "") return [];
  const parts = path.split("/");
  for (const part of parts) {
    if (part === "" || part === "." || part === ".." || part.includes("\\")) {
      throw new NameError(part);
    }
  }
  return parts;
}

export function joinPath(folder: string, name: string): string {
  splitPath(name);
  return folder === "" ? name : `${folder}/${name}`;
}

export function parentPath(path: string): string | null {
  if (path === "") return null;
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

export class LocalFs {
  constructor(readonly root: FileSystemDirectoryHandle, readonly isPrivate: boolean) {}

  async folder(path: string, create = false): Promise<FileSystemDirectoryHandle> {
    let handle = this.root;
    for (const part of splitPath(path)) handle = await handle.getDirectoryHandle(part, { create });
    return handle;
  }

  async fileHandle(path: string, create = false): Promise<FileSystemFileHandle> {
    const parent = await this.folder(parentPath(path) ?? "");
    return await parent.getFileHandle(baseName(path), { create });
  }

  async file(path: string): Promise<File> {
    return await (await this.fileHandle(path)).getFile();
  }

  async list(path: string): Promise<Entry[]> {
    const folder = await this.folder(path);
    const entries: Entry[] = [];
    for await (const handle of folder.values()) {
      if (handle.kind === "directory") {
        entries.push({
          name: handle.name,
          kind: "dir",
          size: 0,
          mtime: 0,
          hidden: handle.name.startsWith("."),
        });
      } else {
        const file = await (handle as FileSystemFileHandle).getFile();
        entries.push({
          name: handle.name,
          kind: "file",
          size: file.size,
          mtime: file.lastModified,
          hidden: handle.name.startsWith("."),
        });
      }
    }
    return entries;
  }

  /** Every file and folder under `path`, parents first, paths relative to it. */
  async tree(
    path: string,
  ): Promise<{ path: string; kind: "file" | "dir"; size: number; mtime: number }[]> {
    const out: { path: string; kind: "file" | "dir"; size: number; mtime: number }[] = [];
    const walk = async (rel: string) => {
      for (
        const entry of await this.list(path === "" ? rel : rel === "" ? path : `${path}/${rel}`)
      ) {
        const child = rel === "" ? entry.name : `${rel}/${entry.name}`;
        if (entry.kind === "dir") {
          out.push({ path: child, kind: "dir", size: 0, mtime: 0 });
          await walk(child);
        } else out.push({ path: child, kind: "file", size: entry.size, mtime: entry.mtime });
      }
    };
    await walk("");
    return out;
  }

  async mkdir(folder: string, name: string): Promise<string> {
    const path = joinPath(folder, name);
    await (await this.folder(folder)).getDirectoryHandle(name, { create: true });
    return path;
  }

  async exists(path: string): Promise<"file" | "dir" | null> {
    const parent = await this.folder(parentPath(path) ?? "").catch(() => null);
    if (!parent) return null;
    for await (const handle of parent.values()) {
      if (handle.name === baseName(path)) return handle.kind === "directory" ? "dir" : "file";
    }
    return null;
  }

  async remove(path: string): Promise<void> {
    const parent = await this.folder(parentPath(path) ?? "");
    await parent.removeEntry(baseName(path), { recursive: true });
  }

  /** Renames within the folder; a browser without `move()` copies and removes instead. */
  async rename(path: string, newName: string): Promise<string> {
    const folder = parentPath(path) ?? "";
    const target = joinPath(folder, newName);
    if (await this.exists(target)) throw new NameError(newName);
    const kind = await this.exists(path);
    const parent = await this.folder(folder);
    const handle: MovableHandle = kind === "dir"
      ? await parent.getDirectoryHandle(baseName(path))
      : await parent.getFileHandle(baseName(path));
    if (typeof handle.move === "function") {
      await (handle.move as (name: string) => Promise<void>)(newName);
      return target;
    }
    await this.#copy(path, target, kind ?? "file");
    await this.remove(path);
    return target;
  }

  async #copy(from: string, to: string, kind: "file" | "dir") {
    if (kind === "file") {
      const writable = await (await this.fileHandle(to, true)).createWritable();
      await (await this.file(from)).stream().pipeTo(writable);
      return;
    }
    await this.folder(to, true);
    for (const entry of await this.list(from)) {
      await this.#copy(
        `${from}/${entry.name}`,
        `${to}/${entry.name}`,
        entry.kind === "dir" ? "dir" : "file",
      );
    }
  }

  /**
   * A writable for a new version of `path`, written under a temporary name beside it; `commit`
   * puts it in place (replacing the old one), `discard` removes it. The real name never holds a
   * half file.
   */
  async stage(path: string, keep = false): Promise<{
    writable: FileSystemWritableFileStream;
    written: () => Promise<File>;
    commit: () => Promise<void>;
    discard: () => Promise<void>;
  }> {
    const folder = parentPath(path) ?? "";
    const temp = joinPath(folder, `.${baseName(path)}.rescue-part`);
    const handle = await this.fileHandle(temp, true);
    const writable = await handle.createWritable({ keepExistingData: keep });
    return {
      writable,
      written: () => handle.getFile(),
      commit: async () => {
        if (await this.exists(path)) await this.remove(path);
        await this.rename(temp, baseName(path));
      },
      discard: () => this.remove(temp).catch(() => {}),
    };
  }

  async writeText(path: string, text: string): Promise<void> {
    const staged = await this.stage(path);
    await staged.writable.write(text);
    await staged.writable.close();
    await staged.commit();
  }
}
