/**
 * What the file manager needs from the operating system, behind one interface, so Windows and
 * macOS can follow Linux (linux.ts): how paths are written and how long they may be, which
 * names are invalid, what counts as hidden, the places to start from, and the trash.
 */
import type { Place } from "../../protocol/files.ts";

export interface Places {
  roots: Place[];
  common: Place[];
  users: Place[];
}

export interface FilesOs {
  readonly name: "linux" | "windows" | "darwin";
  readonly separator: "/" | "\\";
  /** Whether two names differing only in case are the same entry (Windows). */
  readonly caseInsensitive: boolean;
  /**
   * The unit the limits count in, as the messages say it: Linux's UTF-8 bytes, Windows'
   * UTF-16 code units ("characters": NTFS stores names in UTF-16).
   */
  readonly lengthUnit: "bytes" | "characters";
  /** The length of `text` in that unit. */
  length(text: string): number;
  /** Longest name (NAME_MAX; Windows 255 UTF-16 units). */
  readonly nameMax: number;
  /** Longest path, the terminating NUL included (PATH_MAX; Windows' `\\?\` limit 32767). */
  readonly pathMax: number;
  /**
   * The path's root and its components when it is absolute and written plainly (no empty,
   * `.` or `..` component); null otherwise. Does not touch the disk.
   */
  split(path: string): { root: string; parts: string[] } | null;
  join(root: string, parts: readonly string[]): string;
  /** Why `name` cannot be a file name here (beyond separators, `.`, `..`), or null. */
  nameProblem(name: string): string | null;
  /** Whether the entry `name` at `path` (found on disk, not followed) is hidden here. */
  hidden(name: string, path: string): boolean;
  places(): Promise<Places>;
  /**
   * Moves `path` (an entry the caller has lstat-ed: never followed) to the OS trash; throws
   * `OpFailure("no_trash")` where there is none for it.
   */
  trash(path: string): Promise<void>;
}

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/** Windows' rules for a name (also used to test them on any OS). */
export function windowsNameProblem(name: string): string | null {
  // deno-lint-ignore no-control-regex -- control characters are what this refuses
  if (/[<>:"/\\|?*\x00-\x1f]/.test(name)) return "contains a character Windows does not allow";
  if (/[. ]$/.test(name)) return "ends with a dot or a space";
  if (WINDOWS_RESERVED.test(name)) return "is a name Windows reserves for a device";
  return null;
}

/** Linux's rules: anything but `/` and NUL is allowed; we also refuse control characters. */
export function posixNameProblem(name: string): string | null {
  // deno-lint-ignore no-control-regex -- control characters are what this refuses
  if (/[\x00-\x1f\x7f]/.test(name)) return "contains a control character";
  return null;
}
