/**
 * The file manager's Linux layer: POSIX paths (PATH_MAX 4096, NAME_MAX 255 bytes), dot files
 * hidden, places from the mount table, XDG user folders and /etc/passwd, and the freedesktop
 * trash (trash.ts).
 */
import type { Place } from "../../protocol/files.ts";
import { type FilesOs, type Places, posixNameProblem } from "./os.ts";
import { trashEntry } from "./trash.ts";

const utf8 = new TextEncoder();

/** File systems that are not places a person keeps files in. */
const VIRTUAL_FS = new Set([
  "proc",
  "sysfs",
  "devtmpfs",
  "devpts",
  "tmpfs",
  "cgroup",
  "cgroup2",
  "securityfs",
  "pstore",
  "bpf",
  "debugfs",
  "tracefs",
  "configfs",
  "fusectl",
  "mqueue",
  "hugetlbfs",
  "autofs",
  "binfmt_misc",
  "efivarfs",
  "rpc_pipefs",
  "nsfs",
  "overlay",
  "squashfs",
  "ramfs",
]);

/** The mount table's escapes (`\040` for a space). */
function _unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal) => String.fromCharCode(parseInt(octal, 8)));
}

export interface LinuxOptions {
  home?: string;
  /** For tests: where the mount table and passwd are read. */
  mountsFile?: string;
  passwdFile?: string;
  /** The freedesktop XDG_DATA_HOME (the home trash is `<it>/Trash`). */
  dataHome?: string;
  uid?: number;
}

export function linuxFiles(options: LinuxOptions = {}): FilesOs {
  const home = options.home ?? Deno.env.get("HOME") ?? "/";
  const uid = options.uid ?? Deno.uid() ?? 0;
  const dataHome = options.dataHome ?? Deno.env.get("XDG_DATA_HOME") ?? `${home}/.local/share`;
  const os: FilesOs = {
    name: "linux",
    separator: "/",
    caseInsensitive: false,
    lengthUnit: "bytes",
    length: (text) => utf8.encode(text).byteLength,
    nameMax: 255,
    pathMax: 4096,
    split(path) {
      if (!path.startsWith("/")) return null;
      if (path === "/") return { root: "/", parts: [] };
      const parts = path.slice(1).split("/");
      // A single trailing slash is allowed ("/home/ann/").
      if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
      if (parts.some((part) => part === "" || part === "." || part === "..")) return null;
      return { root: "/", parts };
    },
    join(root, parts) {
      return root + parts.join("/");
    },
    nameProblem: posixNameProblem,
    hidden: (name) => name.startsWith("."),
    places: () => _places(home, uid, options),
    trash: async (path) => void await trashEntry(path, { home, dataHome, uid }),
  };
  return os;
}

async function _isDir(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

async function _readable(path: string): Promise<boolean> {
  try {
    for await (const _ of Deno.readDir(path)) break;
    return true;
  } catch {
    return false;
  }
}

async function _places(home: string, uid: number, options: LinuxOptions): Promise<Places> {
  const roots: Place[] = [{ path: "/", label: "/", kind: "root" }];
  const mounts = await Deno.readTextFile(options.mountsFile ?? "/proc/self/mounts").catch(() => "");
  const seen = new Set(["/"]);
  for (const line of mounts.split("\n")) {
    const [device, rawPoint, fsType] = line.split(" ");
    if (!device || !rawPoint || !fsType || VIRTUAL_FS.has(fsType)) continue;
    const point = _unescape(rawPoint);
    if (seen.has(point) || !point.startsWith("/") || point.startsWith("/proc")) continue;
    if (point.startsWith("/sys") || point.startsWith("/dev") || point === "/boot/efi") continue;
    if (!device.startsWith("/") && !fsType.startsWith("fuse") && fsType !== "nfs") continue;
    seen.add(point);
    roots.push({ path: point, label: point.split("/").pop() || point, kind: "mount" });
  }
  const common: Place[] = [];
  if (await _isDir(home)) common.push({ path: home, label: "Home", kind: "home" });
  const dirs = await _userDirs(home);
  for (
    const [kind, key, fallback] of [
      ["desktop", "XDG_DESKTOP_DIR", "Desktop"],
      ["documents", "XDG_DOCUMENTS_DIR", "Documents"],
      ["downloads", "XDG_DOWNLOAD_DIR", "Downloads"],
    ] as const
  ) {
    const path = dirs.get(key) ?? `${home}/${fallback}`;
    if (path !== home && await _isDir(path)) {
      common.push({ path, label: path.split("/").pop() ?? fallback, kind });
    }
  }
  const users: Place[] = [];
  const passwd = await Deno.readTextFile(options.passwdFile ?? "/etc/passwd").catch(() => "");
  for (const line of passwd.split("\n")) {
    const [name, , rawUid, , , dir] = line.split(":");
    const id = Number(rawUid);
    if (!name || !dir || !Number.isInteger(id) || id === uid) continue;
    if ((id < 1000 || id >= 65534) && id !== 0) continue;
    if (dir === home || !dir.startsWith("/") || users.length >= 500) continue;
    if (await _readable(dir)) users.push({ path: dir, label: name, kind: "user" });
  }
  return { roots, common, users };
}

/** `~/.config/user-dirs.dirs` (xdg-user-dirs): `XDG_DESKTOP_DIR="$HOME/Desktop"`. */
async function _userDirs(home: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const text = await Deno.readTextFile(`${home}/.config/user-dirs.dirs`).catch(() => "");
  for (const line of text.split("\n")) {
    const match = /^(XDG_[A-Z]+_DIR)="(.*)"\s*$/.exec(line.trim());
    if (!match) continue;
    const value = match[2].replace(/^\$HOME/, home);
    if (value.startsWith("/") && !value.includes("/../")) out.set(match[1], value);
  }
  return out;
}
