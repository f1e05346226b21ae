/**
 * What a bundle download will send: the named entries of a folder, folders whole (parents
 * before their contents, names sorted), links not followed and devices, FIFOs and sockets
 * left out — each of those, and each unreadable folder, as a failure the technician sees.
 */
import { type FileFailure, TREE_MAX } from "../../protocol/files.ts";
import { OpFailure } from "../ops/mod.ts";
import type { FilesOs } from "./os.ts";
import { checkName, childPath, kindOf, osFailure } from "./paths.ts";

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

export async function walkBundle(
  os: FilesOs,
  folder: string,
  names: readonly string[],
  hidden: boolean,
): Promise<{ items: BundleItem[]; size: number; failures: FileFailure[] }> {
  const items: BundleItem[] = [];
  const failures: FileFailure[] = [];
  const seen = new Set<string>();
  let size = 0;
  const add = async (path: string, rel: string, info: Deno.FileInfo): Promise<void> => {
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
    items.push({
      rel,
      path,
      type: kind,
      size: kind === "file" ? info.size : 0,
      mtime: info.mtime?.getTime() ?? null,
      mode: info.mode === null ? null : info.mode & 0o777,
      dev: info.dev,
      ino: info.ino ?? 0,
    });
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
      if (!hidden && os.hidden(name)) continue;
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
      await add(child, `${rel}/${name}`, childInfo);
    }
  };
  for (const name of names) {
    checkName(os, name);
    const path = childPath(os, folder, name);
    const info = await Deno.lstat(path).catch((error) => {
      throw osFailure(error, path);
    });
    await add(path, name, info);
  }
  return { items, size, failures };
}
