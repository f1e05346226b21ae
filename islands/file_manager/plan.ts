/**
 * What synchronise and replicate do, decided over two folder trees before anything moves, so the
 * technician sees (and confirms) the deletions first and a test can check each rule.
 *
 * - Synchronise (both directions, newer wins): a file on one side only is copied over; a file on
 *   both is copied from the newer side; equal content (same SHA-256 when both are known, else
 *   same size and time within the tolerance) stays. Same time but different size is a conflict:
 *   listed, nothing copied. A file on one side and a folder on the other is a conflict too.
 * - Replicate (mirror source → target): what differs or is missing on the target is copied, and
 *   whatever the target has beyond the source is deleted (listed for confirmation: a folder once,
 *   not each file in it).
 */

/** One file or folder of a tree, by its path relative to the tree's root ("a/b.txt"). */
export interface TreeItem {
  kind: "file" | "dir";
  size: number;
  mtime: number;
  sha256?: string;
}
export type Tree = ReadonlyMap<string, TreeItem>;

/** File times differing by less than this are equal (FAT keeps 2 s, copies may round). */
export const TIME_TOLERANCE_MS = 2_000;

export interface SyncPlan {
  /** Folders to create on B, then files to copy A → B (paths relative to the roots). */
  dirsToB: string[];
  aToB: string[];
  dirsToA: string[];
  bToA: string[];
  conflicts: string[];
  unchanged: number;
}

export interface ReplicatePlan {
  dirs: string[];
  copy: string[];
  /** On the target, deepest first (a folder listed once, its contents not). */
  remove: string[];
  unchanged: number;
}

function sameContent(a: TreeItem, b: TreeItem): boolean {
  if (a.sha256 && b.sha256) return a.sha256 === b.sha256;
  return a.size === b.size && Math.abs(a.mtime - b.mtime) < TIME_TOLERANCE_MS;
}

const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

/** Plans a two-way synchronisation of trees A and B. */
export function planSync(a: Tree, b: Tree): SyncPlan {
  const plan: SyncPlan = {
    dirsToB: [],
    aToB: [],
    dirsToA: [],
    bToA: [],
    conflicts: [],
    unchanged: 0,
  };
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort(byPath);
  for (const path of paths) {
    const left = a.get(path);
    const right = b.get(path);
    if (left && !right) (left.kind === "dir" ? plan.dirsToB : plan.aToB).push(path);
    else if (right && !left) (right.kind === "dir" ? plan.dirsToA : plan.bToA).push(path);
    else if (left && right) {
      if (left.kind !== right.kind) plan.conflicts.push(path);
      else if (left.kind === "dir" || sameContent(left, right)) plan.unchanged++;
      else if (Math.abs(left.mtime - right.mtime) < TIME_TOLERANCE_MS) plan.conflicts.push(path);
      else (left.mtime > right.mtime ? plan.aToB : plan.bToA).push(path);
    }
  }
  // Inside a conflicting path nothing is decided: its children stay as they are.
  const blocked = (path: string) => plan.conflicts.some((c) => path.startsWith(`${c}/`));
  for (const key of ["dirsToB", "aToB", "dirsToA", "bToA"] as const) {
    plan[key] = plan[key].filter((path) => !blocked(path));
  }
  return plan;
}

/** Plans mirroring `source` onto `target`. */
export function planReplicate(source: Tree, target: Tree): ReplicatePlan {
  const plan: ReplicatePlan = { dirs: [], copy: [], remove: [], unchanged: 0 };
  const extra: string[] = [];
  for (const [path, item] of [...source].sort(([x], [y]) => byPath(x, y))) {
    const there = target.get(path);
    if (there && there.kind !== item.kind) extra.push(path);
    if (item.kind === "dir") {
      if (!there || there.kind !== "dir") plan.dirs.push(path);
      else plan.unchanged++;
    } else if (!there || there.kind !== "file" || !sameContent(item, there)) plan.copy.push(path);
    else plan.unchanged++;
  }
  for (const path of target.keys()) if (!source.has(path)) extra.push(path);
  // A folder that goes takes its contents: list only the top-most.
  const gone = new Set(extra);
  plan.remove = extra
    .filter((path) => {
      for (let up = parentOf(path); up; up = parentOf(up)) if (gone.has(up)) return false;
      return true;
    })
    .sort((x, y) => y.split("/").length - x.split("/").length || byPath(x, y));
  return plan;
}
