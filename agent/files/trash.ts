/**
 * The freedesktop.org Trash specification (1.0): an entry on the home's file system goes to
 * `$XDG_DATA_HOME/Trash`; one on another file system to `$topdir/.Trash/$uid` (when the admin
 * made a sticky `.Trash` there) or `$topdir/.Trash-$uid`. A `.trashinfo` file (original path,
 * deletion date) is created first, exclusively, to claim the name; then the entry is renamed
 * into `files/` — a rename, so the trash is on the same file system and nothing is copied.
 * File managers (Nautilus, Dolphin, Thunar) show and restore what lands here.
 */
import { OpFailure } from "../ops/mod.ts";
import { osFailure } from "./paths.ts";

export interface TrashPlace {
  home: string;
  dataHome: string;
  uid: number;
}

async function _mkdirPrivate(path: string) {
  await Deno.mkdir(path, { recursive: true, mode: 0o700 });
  const info = await Deno.lstat(path);
  if (!info.isDirectory || info.isSymlink) throw new Error(`${path} is not a folder`);
}

/** The trash folder for an entry on device `dev`, and the path its info records. */
async function _trashFor(
  path: string,
  dev: number,
  place: TrashPlace,
): Promise<{ dir: string; recorded: string } | null> {
  const homeTrash = `${place.dataHome}/Trash`;
  try {
    await Deno.mkdir(place.dataHome, { recursive: true, mode: 0o700 });
    if ((await Deno.stat(place.dataHome)).dev === dev) {
      await _mkdirPrivate(`${homeTrash}/files`);
      await _mkdirPrivate(`${homeTrash}/info`);
      return { dir: homeTrash, recorded: path };
    }
  } catch {
    // no home trash: try the entry's own file system
  }
  const topdir = await _topdir(path, dev);
  if (!topdir) return null;
  const relative = path.slice(topdir === "/" ? 1 : topdir.length + 1);
  const admin = `${topdir === "/" ? "" : topdir}/.Trash`;
  try {
    const info = await Deno.lstat(admin);
    // The spec: a sticky, real folder, else it must not be used.
    if (info.isDirectory && !info.isSymlink && ((info.mode ?? 0) & 0o1000) !== 0) {
      const dir = `${admin}/${place.uid}`;
      await _mkdirPrivate(`${dir}/files`);
      await _mkdirPrivate(`${dir}/info`);
      return { dir, recorded: relative };
    }
  } catch {
    // no admin-made .Trash
  }
  try {
    const dir = `${topdir === "/" ? "" : topdir}/.Trash-${place.uid}`;
    await _mkdirPrivate(`${dir}/files`);
    await _mkdirPrivate(`${dir}/info`);
    const owner = (await Deno.lstat(dir)).uid;
    if (owner !== null && owner !== place.uid) return null;
    return { dir, recorded: relative };
  } catch {
    return null;
  }
}

/** The mount point of `path`: the highest folder above it on the same device. */
async function _topdir(path: string, dev: number): Promise<string | null> {
  let current = path.slice(0, path.lastIndexOf("/")) || "/";
  try {
    if ((await Deno.stat(current)).dev !== dev) return null;
    while (current !== "/") {
      const up = current.slice(0, current.lastIndexOf("/")) || "/";
      if ((await Deno.stat(up)).dev !== dev) break;
      current = up;
    }
    return current;
  } catch {
    return null;
  }
}

function _encodePath(path: string): string {
  return path.split("/").map((part) =>
    encodeURIComponent(part).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)
  ).join("/");
}

function _localTime(now: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}T${p(now.getHours())}:${
    p(now.getMinutes())
  }:${p(now.getSeconds())}`;
}

/** Moves the entry at `path` (not followed) into its trash; `no_trash` where none can be used. */
export async function trashEntry(path: string, place: TrashPlace): Promise<string> {
  const info = await Deno.lstat(path).catch((error) => {
    throw osFailure(error, path);
  });
  const trash = await _trashFor(path, info.dev, place);
  if (!trash) {
    throw new OpFailure("no_trash", `there is no trash for ${path} (delete it permanently)`);
  }
  const base = path.slice(path.lastIndexOf("/") + 1);
  const text = `[Trash Info]\nPath=${_encodePath(trash.recorded)}\nDeletionDate=${
    _localTime(new Date())
  }\n`;
  for (let n = 1; n < 10_000; n++) {
    const name = n === 1 ? base : `${base}.${n}`;
    const infoPath = `${trash.dir}/info/${name}.trashinfo`;
    try {
      await Deno.writeTextFile(infoPath, text, { createNew: true, mode: 0o600 });
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) continue;
      throw osFailure(error, infoPath);
    }
    const target = `${trash.dir}/files/${name}`;
    try {
      // A leftover without its info file: choose the next name.
      await Deno.lstat(target);
      await Deno.remove(infoPath).catch(() => {});
      continue;
    } catch {
      // free
    }
    try {
      await Deno.rename(path, target);
      return target;
    } catch (error) {
      await Deno.remove(infoPath).catch(() => {});
      throw osFailure(error, path);
    }
  }
  throw new OpFailure("no_trash", "the trash has no free name for this entry");
}
