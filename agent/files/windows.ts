/**
 * The file manager's Windows layer: drive (`C:\…`) and UNC (`\\server\share\…`) paths, `/`
 * read as `\`; names case-insensitive and limited to 255 UTF-16 units, paths to 32767 (Deno
 * opens every path as `\\?\…`, so MAX_PATH's 260 is not the limit); hidden means the
 * FILE_ATTRIBUTE_HIDDEN attribute (GetFileAttributesW), not a leading dot; places from the
 * drives (GetLogicalDriveStringsW, GetDriveTypeW, the volume label), the known folders
 * (SHGetKnownFolderPath) and the other profiles in C:\Users; the trash is the Recycle Bin
 * (SHFileOperationW), on fixed drives only — elsewhere Windows would delete for good.
 */
import type { Place } from "../../protocol/files.ts";
import { OpFailure } from "../ops/mod.ts";
import { readWide, readWideAt, readWideList, wide } from "../system/windows/ffi.ts";
import { type FilesOs, type Places, windowsNameProblem } from "./os.ts";

const KERNEL32 = {
  GetFileAttributesW: { parameters: ["buffer"], result: "u32" },
  GetLogicalDriveStringsW: { parameters: ["u32", "buffer"], result: "u32" },
  GetDriveTypeW: { parameters: ["buffer"], result: "u32" },
  /** (root, name, nameSize, serial*, maxComponent*, flags*, fsName, fsNameSize): may wait. */
  GetVolumeInformationW: {
    parameters: ["buffer", "buffer", "u32", "buffer", "buffer", "buffer", "buffer", "u32"],
    result: "i32",
    nonblocking: true,
  },
  SetErrorMode: { parameters: ["u32"], result: "u32" },
} as const satisfies Deno.ForeignLibraryInterface;
const SHELL32 = {
  SHFileOperationW: { parameters: ["buffer"], result: "i32", nonblocking: true },
  /** (rfid, flags, token, PWSTR* out) → HRESULT */
  SHGetKnownFolderPath: { parameters: ["buffer", "u32", "pointer", "buffer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;
const OLE32 = {
  CoTaskMemFree: { parameters: ["pointer"], result: "void" },
} as const satisfies Deno.ForeignLibraryInterface;

let _libs: {
  kernel32: Deno.DynamicLibrary<typeof KERNEL32>["symbols"];
  shell32: Deno.DynamicLibrary<typeof SHELL32>["symbols"];
  ole32: Deno.DynamicLibrary<typeof OLE32>["symbols"];
} | undefined;

function _win() {
  if (_libs) return _libs;
  _libs = {
    kernel32: Deno.dlopen("kernel32.dll", KERNEL32).symbols,
    shell32: Deno.dlopen("shell32.dll", SHELL32).symbols,
    ole32: Deno.dlopen("ole32.dll", OLE32).symbols,
  };
  // Never an "insert a disk" box for an empty card reader or DVD drive.
  _libs.kernel32.SetErrorMode(0x0001 /* SEM_FAILCRITICALERRORS */);
  return _libs;
}

const FILE_ATTRIBUTE_HIDDEN = 0x2;
const INVALID_FILE_ATTRIBUTES = 0xffffffff;
/** GetDriveTypeW's answers. */
export const DRIVE_TYPES: Record<number, string> = {
  2: "removable",
  3: "fixed",
  4: "network",
  5: "cd",
  6: "ramdisk",
};

/** `C:\…`, `\\server\share\…` (either slash); refuses `\\?\`, `\\.\` and relative paths. */
export function windowsSplit(path: string): { root: string; parts: string[] } | null {
  const p = path.replaceAll("/", "\\");
  let root: string;
  let rest: string;
  const drive = /^([A-Za-z]):(\\|$)/.exec(p);
  if (drive) {
    root = `${drive[1].toUpperCase()}:\\`;
    rest = p.slice(drive[0].length);
  } else {
    const unc = /^\\\\([^\\]+)\\([^\\]+)(\\|$)/.exec(p);
    if (!unc || unc[1] === "?" || unc[1] === ".") return null;
    if (windowsNameProblem(unc[1]) || windowsNameProblem(unc[2])) return null;
    root = `\\\\${unc[1]}\\${unc[2]}\\`;
    rest = p.slice(unc[0].length);
  }
  if (rest === "") return { root, parts: [] };
  const parts = rest.split("\\");
  // A single trailing separator is allowed ("C:\Users\").
  if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
  if (parts.some((part) => part === "" || part === "." || part === "..")) return null;
  return { root, parts };
}

export function windowsJoin(root: string, parts: readonly string[]): string {
  return root + parts.join("\\");
}

/** The entry's attributes (not followed: GetFileAttributesW reads a link's own), or null. */
export function fileAttributes(path: string): number | null {
  const value = _win().kernel32.GetFileAttributesW(wide(path));
  return value === INVALID_FILE_ATTRIBUTES ? null : value;
}

export interface Drive {
  /** `C:\` */
  root: string;
  type: string;
  /** The volume label; "" without one, or when the drive did not answer (no medium). */
  label: string;
}

/** How long a drive may take to say its label (a network drive that is gone can hang). */
const LABEL_WAIT_MS = 1500;

async function _label(root: string): Promise<string> {
  const name = new Uint8Array(261 * 2);
  const asked = _win().kernel32.GetVolumeInformationW(
    wide(root),
    name,
    261,
    null,
    null,
    null,
    null,
    0,
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<number>((done) => timer = setTimeout(() => done(0), LABEL_WAIT_MS));
  try {
    return (await Promise.race([asked, late])) ? readWide(name) : "";
  } finally {
    clearTimeout(timer);
  }
}

/** The drives (their labels read side by side; one without a medium has none). */
export async function drives(): Promise<Drive[]> {
  const { kernel32 } = _win();
  const list = new Uint8Array(2048 * 2);
  const length = kernel32.GetLogicalDriveStringsW(2047, list);
  if (length === 0 || length > 2047) return [];
  const roots = readWideList(list.subarray(0, length * 2 + 2)).slice(0, 26);
  return await Promise.all(roots.map(async (root) => {
    const type = DRIVE_TYPES[kernel32.GetDriveTypeW(wide(root))] ?? "unknown";
    return { root, type, label: await _label(root) };
  }));
}

/** KNOWNFOLDERIDs (KnownFolders.h). */
const FOLDERS = {
  profile: "5E6C858F-0E22-4760-9AFE-EA3317B67173",
  desktop: "B4BFCC3A-DB2C-424C-B029-7FE99A87C641",
  documents: "FDD39AD0-238F-46AF-ADB4-6C85480369C7",
  downloads: "374DE290-123F-4565-9164-39C4925E467B",
  pictures: "33E28130-4E1E-4676-835A-98395C3BC3BB",
  profiles: "0762D272-C50A-4BB0-A382-697DCD729B80",
} as const;

/** A GUID's 16 bytes as Windows keeps them (the first three fields little-endian). */
export function guidBytes(text: string): Uint8Array {
  const hex = text.replaceAll("-", "");
  const out = new Uint8Array(16);
  const view = new DataView(out.buffer);
  view.setUint32(0, parseInt(hex.slice(0, 8), 16), true);
  view.setUint16(4, parseInt(hex.slice(8, 12), 16), true);
  view.setUint16(6, parseInt(hex.slice(12, 16), 16), true);
  for (let i = 0; i < 8; i++) out[8 + i] = parseInt(hex.slice(16 + 2 * i, 18 + 2 * i), 16);
  return out;
}

/** A known folder's path, or null (none, or the shell could not say). */
function _known(id: keyof typeof FOLDERS): string | null {
  const { shell32, ole32 } = _win();
  const cell = new BigUint64Array(1);
  const result = shell32.SHGetKnownFolderPath(guidBytes(FOLDERS[id]), 0, null, cell);
  const pointer = Deno.UnsafePointer.create(cell[0]);
  try {
    return result === 0 && pointer ? readWideAt(pointer, 32767) || null : null;
  } finally {
    if (pointer) ole32.CoTaskMemFree(pointer);
  }
}

async function _isDir(path: string): Promise<boolean> {
  return await Deno.stat(path).then((info) => info.isDirectory, () => false);
}

async function _readable(path: string): Promise<boolean> {
  try {
    for await (const _ of Deno.readDir(path)) break;
    return true;
  } catch {
    return false;
  }
}

/** Profiles every account has that are not a person's. */
const NOT_PEOPLE = new Set(["public", "default", "default user", "all users"]);

async function _places(): Promise<Places> {
  const roots: Place[] = (await drives()).map((drive) => ({
    path: drive.root,
    label: drive.label ? `${drive.label} (${drive.root.slice(0, 2)})` : drive.root.slice(0, 2),
    kind: "drive",
  }));
  const home = _known("profile") ?? Deno.env.get("USERPROFILE") ?? null;
  const common: Place[] = [];
  if (home && await _isDir(home)) {
    common.push({ path: home, label: home.split("\\").pop() || home, kind: "home" });
  }
  // Pictures has no kind of its own in the protocol: it is shown as a documents place.
  for (const kind of ["desktop", "documents", "downloads", "pictures"] as const) {
    const path = _known(kind);
    if (!path || path === home || !await _isDir(path)) continue;
    const label = path.split("\\").pop() ?? kind;
    common.push({ path, label, kind: kind === "pictures" ? "documents" : kind });
  }
  const users: Place[] = [];
  const profiles = _known("profiles") ?? (home ? home.slice(0, home.lastIndexOf("\\")) : null);
  if (profiles) {
    const names: string[] = [];
    try {
      for await (const item of Deno.readDir(profiles)) {
        if (item.isDirectory && !NOT_PEOPLE.has(item.name.toLowerCase())) names.push(item.name);
      }
    } catch { /* no profiles folder to look in */ }
    for (const name of names.sort().slice(0, 500)) {
      const path = `${profiles}\\${name}`;
      if (home && path.toLowerCase() === home.toLowerCase()) continue;
      if (await _readable(path)) users.push({ path, label: name, kind: "user" });
    }
  }
  return { roots, common, users };
}

/** SHFILEOPSTRUCTW on 64-bit Windows (natural alignment). */
const OP = { func: 8, from: 16, flags: 32, aborted: 36, size: 56 } as const;
const FO_DELETE = 3;
/** FOF_SILENT | FOF_NOCONFIRMATION | FOF_ALLOWUNDO | FOF_NOERRORUI */
const DELETE_FLAGS = 0x0004 | 0x0010 | 0x0040 | 0x0400;
/** SHFileOperationW takes no `\\?\` path: MAX_PATH, its NUL included. */
const SHELL_PATH_MAX = 260;

/** Moves `path` to the Recycle Bin: only on a fixed drive (elsewhere there is none). */
async function _recycle(path: string): Promise<void> {
  const { kernel32, shell32 } = _win();
  const drive = /^[A-Z]:\\/.exec(path)?.[0];
  const type = drive ? DRIVE_TYPES[kernel32.GetDriveTypeW(wide(drive))] : "network";
  if (type !== "fixed") {
    throw new OpFailure(
      "no_trash",
      `${path} is on a ${type} drive, which has no Recycle Bin (delete it permanently)`,
    );
  }
  if (path.length + 1 > SHELL_PATH_MAX) {
    throw new OpFailure(
      "no_trash",
      `the Recycle Bin takes paths of up to ${
        SHELL_PATH_MAX - 1
      } characters (delete it permanently)`,
    );
  }
  const from = new Uint8Array((path.length + 2) * 2); // double NUL-terminated list of one
  from.set(wide(path));
  const op = new Uint8Array(OP.size);
  const view = new DataView(op.buffer);
  view.setUint32(OP.func, FO_DELETE, true);
  view.setBigUint64(OP.from, BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(from))), true);
  view.setUint16(OP.flags, DELETE_FLAGS, true);
  const result = await shell32.SHFileOperationW(op);
  if (view.getInt32(OP.aborted, true) !== 0) throw new OpFailure("cancelled", "cancelled");
  if (result !== 0) {
    throw new OpFailure(
      "io",
      `the Recycle Bin did not take ${path} (error 0x${(result >>> 0).toString(16)})`,
    );
  }
  if (await Deno.lstat(path).then(() => true, () => false)) {
    throw new OpFailure("io", `${path} is still there after moving it to the Recycle Bin`);
  }
}

export function windowsFiles(): FilesOs {
  return {
    name: "windows",
    separator: "\\",
    caseInsensitive: true,
    lengthUnit: "characters",
    length: (text) => text.length,
    nameMax: 255,
    pathMax: 32767,
    split: windowsSplit,
    join: windowsJoin,
    nameProblem: windowsNameProblem,
    // The agent's own unfinished uploads (`.rescue-<id>.part`) too, hidden by their dot on Linux.
    hidden: (name, path) =>
      name.startsWith(".rescue-") ||
      ((fileAttributes(path) ?? 0) & FILE_ATTRIBUTE_HIDDEN) !== 0,
    places: _places,
    trash: _recycle,
  };
}
