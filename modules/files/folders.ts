/** Checking a folder an admin names for files the server writes (screen recordings). */
import { isAbsolute, join } from "node:path";

/** Why a folder cannot take files (a recording folder: the locale key `groupSettings.folder_<reason>`). */
export type FolderProblem = "notAbsolute" | "notFolder" | "notWritable";

/**
 * Makes sure `folder` can take files written by the server (recordings): an absolute path, created when missing, where a
 * file can be written (one is written and removed). null when it can.
 */
export async function prepareFolder(folder: string): Promise<FolderProblem | null> {
  if (!isAbsolute(folder)) return "notAbsolute";
  try {
    await Deno.mkdir(folder, { recursive: true });
    const stat = await Deno.stat(folder);
    if (!stat.isDirectory) return "notFolder";
  } catch (error) {
    return error instanceof Deno.errors.AlreadyExists ? "notFolder" : "notWritable";
  }
  const probe = join(folder, `.rescue-write-check-${crypto.randomUUID()}`);
  try {
    await Deno.writeFile(probe, new Uint8Array(0), { createNew: true });
    await Deno.remove(probe);
    return null;
  } catch {
    return "notWritable";
  }
}
