/**
 * Path safety: the agent never follows a path it did not resolve itself. A path from the
 * server must be absolute and written plainly (no `..`, `.`, empty parts), within the OS's
 * length limits, every part a valid name; the agent then resolves it with the OS
 * (`realPath`: links in the folders are followed by the agent, a loop is refused) and works
 * on the resolved path. A name (mkdir, rename, upload) is one part: a separator, `..` or an
 * absolute path in it is refused. Device files, FIFOs and sockets are never opened.
 * Every refusal is an `OpFailure` with a clear reason; nothing is written before the checks.
 */
import { OpFailure } from "../ops/mod.ts";
import type { FilesOs } from "./os.ts";

/** Checks one name (a single path component). Returns it unchanged. */
export function checkName(os: FilesOs, name: string): string {
  if (name.length === 0) throw new OpFailure("invalid_name", "the name is empty");
  if (name === "." || name === "..") {
    throw new OpFailure("unsafe_path", `"${name}" is not a name`);
  }
  if (name.includes("/") || (os.separator === "\\" && name.includes("\\"))) {
    throw new OpFailure("unsafe_path", "a name may not contain a path separator");
  }
  if (name.includes("\0")) throw new OpFailure("invalid_name", "the name contains a NUL");
  if (os.length(name) > os.nameMax) {
    throw new OpFailure("too_long", `the name is longer than ${os.nameMax} ${os.lengthUnit}`);
  }
  const problem = os.nameProblem(name);
  if (problem) throw new OpFailure("invalid_name", `the name ${problem}`);
  return name;
}

/**
 * Checks a path as written: absolute, plain, within limits, valid names. Returns it
 * normalised (no trailing separator) with its root and parts.
 */
export function checkPath(
  os: FilesOs,
  path: string,
): { path: string; root: string; parts: string[] } {
  if (path.includes("\0")) throw new OpFailure("unsafe_path", "the path contains a NUL");
  const split = os.split(path);
  if (!split) {
    throw new OpFailure(
      "unsafe_path",
      "the path must be absolute, without '.', '..' or empty parts",
    );
  }
  for (const part of split.parts) checkName(os, part);
  const normal = os.join(split.root, split.parts);
  if (os.length(normal) + 1 > os.pathMax) {
    throw new OpFailure("too_long", `the path is longer than ${os.pathMax - 1} ${os.lengthUnit}`);
  }
  return { path: normal, ...split };
}

/** The OS's error as a refusal with a code (or rethrown when it is not an OS error). */
export function osFailure(error: unknown, path: string): OpFailure {
  if (error instanceof OpFailure) return error;
  const code = (error as { code?: string }).code ?? "";
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Deno.errors.NotFound || code === "ENOENT") {
    return new OpFailure("not_found", `${path} does not exist`);
  }
  if (error instanceof Deno.errors.PermissionDenied || code === "EACCES" || code === "EPERM") {
    return new OpFailure("denied", `no permission for ${path}`);
  }
  if (error instanceof Deno.errors.AlreadyExists || code === "EEXIST") {
    return new OpFailure("exists", `${path} exists already`);
  }
  if (error instanceof Deno.errors.FilesystemLoop || code === "ELOOP") {
    return new OpFailure("loop", `${path} leads round in a loop of links`);
  }
  if (error instanceof Deno.errors.NotADirectory || code === "ENOTDIR") {
    return new OpFailure("not_dir", `a part of ${path} is not a folder`);
  }
  if (error instanceof Deno.errors.IsADirectory || code === "EISDIR") {
    return new OpFailure("is_dir", `${path} is a folder`);
  }
  if (code === "ENAMETOOLONG" || /name too long/i.test(message)) {
    return new OpFailure("too_long", `${path} is too long for this system`);
  }
  if (code === "ENOSPC" || /no space left/i.test(message)) {
    return new OpFailure("no_space", "the disk is full");
  }
  if (code === "ENOTEMPTY" || /not empty/i.test(message)) {
    return new OpFailure("not_empty", `${path} is not empty`);
  }
  if (code === "EXDEV" || /cross-device/i.test(message)) {
    return new OpFailure("cross_device", `${path} is on another disk`);
  }
  return new OpFailure("io", `${path}: ${message.slice(0, 300)}`);
}

/** The path resolved by the OS (links in it followed, loops refused). */
export async function resolve(os: FilesOs, path: string): Promise<string> {
  const checked = checkPath(os, path);
  try {
    return await Deno.realPath(checked.path);
  } catch (error) {
    throw osFailure(error, checked.path);
  }
}

/**
 * An entry itself (its last part not followed): its folder resolved, the name kept. For
 * rename, delete, stat — what the technician sees in the list.
 */
export async function resolveEntry(
  os: FilesOs,
  path: string,
): Promise<{ folder: string; name: string; path: string; info: Deno.FileInfo }> {
  const checked = checkPath(os, path);
  if (checked.parts.length === 0) {
    throw new OpFailure("unsafe_path", "a root cannot be changed");
  }
  const name = checked.parts[checked.parts.length - 1];
  const folder = await resolve(os, os.join(checked.root, checked.parts.slice(0, -1)));
  const full = childPath(os, folder, name);
  try {
    return { folder, name, path: full, info: await Deno.lstat(full) };
  } catch (error) {
    throw osFailure(error, full);
  }
}

/** `folder` (resolved) joined with a checked `name`, within the length limit. */
export function childPath(os: FilesOs, folder: string, name: string): string {
  checkName(os, name);
  const split = os.split(folder);
  if (!split) throw new OpFailure("unsafe_path", "the folder is not a plain absolute path");
  const path = os.join(split.root, [...split.parts, name]);
  if (os.length(path) + 1 > os.pathMax) {
    throw new OpFailure("too_long", `the path is longer than ${os.pathMax - 1} ${os.lengthUnit}`);
  }
  return path;
}

export type Kind = "file" | "dir" | "link" | "other";

export function kindOf(info: Deno.FileInfo): Kind {
  if (info.isSymlink) return "link";
  if (info.isFile) return "file";
  if (info.isDirectory) return "dir";
  return "other";
}

/** A folder the agent resolved itself, or a refusal. */
export async function resolveFolder(os: FilesOs, path: string): Promise<string> {
  const real = await resolve(os, path);
  const info = await Deno.stat(real).catch((error) => {
    throw osFailure(error, real);
  });
  if (!info.isDirectory) throw new OpFailure("not_dir", `${real} is not a folder`);
  return real;
}

/**
 * A regular file the agent resolved itself, opened for reading. A device, FIFO or socket is
 * refused before opening; the open file is checked to be the one that was looked at.
 */
export async function openRegular(
  os: FilesOs,
  path: string,
): Promise<{ path: string; file: Deno.FsFile; info: Deno.FileInfo }> {
  const real = await resolve(os, path);
  const before = await Deno.stat(real).catch((error) => {
    throw osFailure(error, real);
  });
  refuseNonFile(before, real);
  const file = await Deno.open(real, { read: true }).catch((error) => {
    throw osFailure(error, real);
  });
  const info = await file.stat();
  if (!info.isFile || info.ino !== before.ino || info.dev !== before.dev) {
    file.close();
    throw new OpFailure("changed", `${real} changed while it was opened`);
  }
  return { path: real, file, info };
}

/** Refuses anything but a regular file (after the links were followed by the agent). */
export function refuseNonFile(info: Deno.FileInfo, path: string) {
  if (info.isDirectory) throw new OpFailure("is_dir", `${path} is a folder`);
  if (!info.isFile) {
    throw new OpFailure("special", `${path} is a device, FIFO or socket: not opened`);
  }
}
