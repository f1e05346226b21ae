/**
 * Looking around and tidying up on the customer's computer: places, folder listings, one
 * entry, a tree walk (for copy / synchronise / replicate), new folder, rename, delete (to the
 * trash by default). Every path goes through paths.ts first; links are shown, never followed
 * by a listing or a walk, and a rename or delete acts on the link itself.
 */
import type { Entry, FileFailure, TreeEntry } from "../../protocol/files.ts";
import { LIST_MAX } from "../../protocol/files.ts";
import { OpFailure } from "../ops/mod.ts";
import type { FilesOs } from "./os.ts";
import { childPath, kindOf, osFailure, resolve, resolveEntry, resolveFolder } from "./paths.ts";

const uid = Deno.uid();
/** An entry found on disk in a resolved folder (its name is not ours to judge when listing). */
function _found(os: FilesOs, folder: string, name: string): string {
  return folder.endsWith(os.separator) ? folder + name : folder + os.separator + name;
}

const gid = Deno.gid();

function _writable(info: Deno.FileInfo): boolean {
  if (info.mode === null) return !info.isSymlink;
  if (uid === 0) return true;
  if (info.uid === uid) return (info.mode & 0o200) !== 0;
  if (info.gid === gid) return (info.mode & 0o020) !== 0;
  return (info.mode & 0o002) !== 0;
}

async function _link(path: string): Promise<Entry["link"]> {
  const target = await Deno.readLink(path).catch(() => "");
  try {
    const info = await Deno.stat(path);
    return {
      target,
      type: info.isFile ? "file" : info.isDirectory ? "dir" : "other",
    };
  } catch (error) {
    if (error instanceof Deno.errors.FilesystemLoop) return { target, type: "loop" };
    return { target, type: "missing" };
  }
}

/** The entry as the list shows it (from its lstat: a link is described, not followed). */
export async function entryOf(
  os: FilesOs,
  name: string,
  path: string,
  info: Deno.FileInfo,
): Promise<Entry> {
  const type = kindOf(info);
  return {
    name,
    type,
    size: type === "dir" ? 0 : info.size,
    mtime: info.mtime ? info.mtime.getTime() : null,
    hidden: os.hidden(name, path),
    link: type === "link" ? await _link(path) : null,
    // Windows has no permission bits (Deno makes 0o666 / 0o444 up from the read-only flag).
    mode: info.mode === null || os.name === "windows" ? null : info.mode & 0o7777,
    writable: _writable(info),
  };
}

/** Runs `work` over `items`, `limit` at a time, in order of results. */
async function _pool<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>) {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export async function listFolder(os: FilesOs, path: string, hidden: boolean) {
  const real = await resolveFolder(os, path);
  const names: string[] = [];
  let truncated = false;
  try {
    for await (const item of Deno.readDir(real)) {
      if (!hidden && os.hidden(item.name, _found(os, real, item.name))) continue;
      if (names.length >= LIST_MAX) {
        truncated = true;
        break;
      }
      names.push(item.name);
    }
  } catch (error) {
    throw osFailure(error, real);
  }
  const entries = (await _pool(names, 32, async (name) => {
    const full = _found(os, real, name);
    try {
      return await entryOf(os, name, full, await Deno.lstat(full));
    } catch {
      return null; // gone meanwhile
    }
  })).filter((entry): entry is Entry => entry !== null);
  const split = os.split(real);
  const parent = split && split.parts.length > 0
    ? os.join(split.root, split.parts.slice(0, -1))
    : null;
  return { path: real, parent, entries, truncated };
}

export async function statEntry(os: FilesOs, path: string) {
  const { name, path: full, info } = await resolveEntry(os, path);
  return { path: full, entry: await entryOf(os, name, full, info) };
}

export async function makeFolder(os: FilesOs, folder: string, name: string) {
  const real = await resolveFolder(os, folder);
  const path = childPath(os, real, name);
  try {
    await Deno.mkdir(path);
    return { path, entry: await entryOf(os, name, path, await Deno.lstat(path)) };
  } catch (error) {
    throw osFailure(error, path);
  }
}

export async function renameEntry(os: FilesOs, path: string, newName: string) {
  const { folder, path: from } = await resolveEntry(os, path);
  const to = childPath(os, folder, newName);
  if (to === from) throw new OpFailure("exists", `${to} has that name already`);
  // Where case does not tell names apart (Windows), `to` differing only in case is the entry
  // itself: renamed through a temporary name, as Wine leaves a direct case-only rename undone.
  const caseOnly = os.caseInsensitive && to.toLowerCase() === from.toLowerCase();
  const taken = !caseOnly && await Deno.lstat(to).then(() => true, () => false);
  if (taken) throw new OpFailure("exists", `${to} exists already`);
  try {
    if (caseOnly) {
      const temp = childPath(os, folder, `.rescue-rename-${crypto.randomUUID().slice(0, 8)}`);
      await Deno.rename(from, temp);
      await Deno.rename(temp, to).catch(async (error) => {
        await Deno.rename(temp, from).catch(() => {});
        throw error;
      });
    } else await Deno.rename(from, to);
    return { path: to, entry: await entryOf(os, newName, to, await Deno.lstat(to)) };
  } catch (error) {
    throw osFailure(error, from);
  }
}

export async function deleteEntries(os: FilesOs, paths: string[], permanent: boolean) {
  const deleted: { path: string; trashed: boolean }[] = [];
  const failures: FileFailure[] = [];
  for (const path of paths) {
    try {
      const entry = await resolveEntry(os, path);
      if (permanent) {
        // A folder's contents go with it; links inside are removed, never followed.
        await Deno.remove(entry.path, { recursive: entry.info.isDirectory }).catch((error) => {
          throw osFailure(error, entry.path);
        });
      } else {
        await os.trash(entry.path);
      }
      deleted.push({ path: entry.path, trashed: !permanent });
    } catch (error) {
      const failure = osFailure(error, path);
      failures.push({ path: path.slice(0, 4096), code: failure.code, reason: failure.message });
    }
  }
  return { deleted, failures };
}

/**
 * Every entry under `path` (relative `/`-separated paths, parents first), links not
 * followed, a folder reached twice (bind mounts) entered once. Unreadable folders are listed
 * but not entered.
 */
export async function walkTree(os: FilesOs, path: string, hidden: boolean, max: number) {
  const root = await resolveFolder(os, path);
  const entries: TreeEntry[] = [];
  const seen = new Set<string>();
  let truncated = false;
  const walk = async (folder: string, prefix: string) => {
    const info = await Deno.stat(folder);
    const key = `${info.dev}:${info.ino}`;
    if (seen.has(key)) return;
    seen.add(key);
    let names: string[];
    try {
      names = [];
      for await (const item of Deno.readDir(folder)) names.push(item.name);
    } catch {
      return;
    }
    names.sort();
    for (const name of names) {
      if (truncated) return;
      const full = _found(os, folder, name);
      if (!hidden && os.hidden(name, full)) continue;
      let info: Deno.FileInfo;
      try {
        info = await Deno.lstat(full);
      } catch {
        continue;
      }
      if (entries.length >= max) {
        truncated = true;
        return;
      }
      const type = kindOf(info);
      const rel = prefix ? `${prefix}/${name}` : name;
      entries.push({
        path: rel,
        type,
        size: type === "dir" ? 0 : info.size,
        mtime: info.mtime ? info.mtime.getTime() : null,
      });
      if (type === "dir") await walk(full, rel);
    }
  };
  await walk(root, "");
  return { path: root, entries, truncated };
}

export { resolve };
