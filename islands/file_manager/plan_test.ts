import assert from "node:assert/strict";
import { planReplicate, planSync, type Tree, type TreeItem } from "./plan.ts";

const T0 = 1_700_000_000_000;
const f = (size: number, mtime: number, sha256?: string): TreeItem => ({
  kind: "file",
  size,
  mtime: T0 + mtime,
  sha256,
});
const d: TreeItem = { kind: "dir", size: 0, mtime: 0 };
const tree = (items: Record<string, TreeItem>): Tree => new Map(Object.entries(items));

Deno.test("planSync() copies one-sided files both ways, the newer of two, and keeps equal ones", () => {
  const a = tree({
    "only-a.txt": f(1, 0),
    "newer-a.txt": f(5, 60_000),
    "newer-b.txt": f(5, 0),
    "same.txt": f(7, 0),
    "same-hash.txt": f(3, 0, "aa"),
    "docs": d,
    "docs/a.md": f(2, 0),
  });
  const b = tree({
    "only-b.txt": f(1, 0),
    "newer-a.txt": f(9, 0),
    "newer-b.txt": f(5, 60_000),
    "same.txt": f(7, 1_000),
    "same-hash.txt": f(3, 90_000, "aa"),
    "logs": d,
    "logs/x.log": f(4, 0),
  });
  const plan = planSync(a, b);
  assert.deepEqual(plan.dirsToB, ["docs"]);
  assert.deepEqual(plan.aToB, ["docs/a.md", "newer-a.txt", "only-a.txt"]);
  assert.deepEqual(plan.dirsToA, ["logs"]);
  assert.deepEqual(plan.bToA, ["logs/x.log", "newer-b.txt", "only-b.txt"]);
  assert.deepEqual(plan.conflicts, []);
  assert.equal(plan.unchanged, 2);
});

Deno.test("planSync() lists same-time different-size files and file/folder clashes as conflicts", () => {
  const plan = planSync(
    tree({ "x.txt": f(1, 0), "clash": d, "clash/in.txt": f(1, 0) }),
    tree({ "x.txt": f(2, 500), "clash": f(3, 0) }),
  );
  assert.deepEqual(plan.conflicts, ["clash", "x.txt"]);
  assert.deepEqual([...plan.aToB, ...plan.bToA, ...plan.dirsToA, ...plan.dirsToB], []);
});

Deno.test("planReplicate() copies what differs and removes the target's extras, a folder once", () => {
  const source = tree({
    "keep.txt": f(1, 0),
    "changed.txt": f(2, 5_000),
    "new": d,
    "new/n.txt": f(1, 0),
    "was-file": d,
  });
  const target = tree({
    "keep.txt": f(1, 500),
    "changed.txt": f(2, 0),
    "extra.log": f(1, 0),
    "old": d,
    "old/deep": d,
    "old/deep/x.txt": f(1, 0),
    "was-file": f(1, 0),
  });
  const plan = planReplicate(source, target);
  assert.deepEqual(plan.dirs, ["new", "was-file"]);
  assert.deepEqual(plan.copy, ["changed.txt", "new/n.txt"]);
  assert.deepEqual(plan.remove, ["extra.log", "old", "was-file"]);
  assert.equal(plan.unchanged, 1);
});

Deno.test("planReplicate() of equal trees does nothing", () => {
  const same = tree({ "a": d, "a/b.txt": f(1, 0, "x") });
  const plan = planReplicate(same, same);
  assert.deepEqual([plan.dirs, plan.copy, plan.remove], [[], [], []]);
  assert.equal(plan.unchanged, 2);
});
