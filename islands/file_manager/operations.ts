/**
 * Copy, move, synchronise and replicate between the panes: the technician's side is always the
 * left pane and the customer's the right, so every file crosses through the queue as a download
 * or an upload (transfer.ts). Folders are walked first (a tree each side), created on the
 * target, then their files queued. Nothing on a source is deleted unless its copy was verified.
 */
import type { Entry } from "./entries.ts";
import { planReplicate, planSync, type ReplicatePlan, type Tree } from "./plan.ts";
import type { Job, TransferQueue } from "./queue.ts";
import type { LocalSide, RemoteSide, Side } from "./sides.ts";
import { download, upload } from "./transfer.ts";
import type { TransferFeed } from "./feed.ts";
import { downloadBundle, uploadBundle } from "./bundle.ts";

export interface Ops {
  remote: RemoteSide;
  local: LocalSide;
  queue: TransferQueue;
  feed: TransferFeed;
  /** A file arrived with the same SHA-256 on both ends. */
  verified?(copy: { from: Side; fromPath: string; toPath: string; sha256: string }): void;
}

export interface Outcome {
  done: number;
  failed: Job[];
}

const relParent = (rel: string) => (rel.includes("/") ? rel.slice(0, rel.lastIndexOf("/")) : "");
const relName = (rel: string) => rel.slice(rel.lastIndexOf("/") + 1);

/** Queues one file from `from` (its path) to `to` (a folder and a name). */
function queueFile(
  ops: Ops,
  from: Side,
  path: string,
  target: { folder: string; name: string; size: number },
): Promise<Job> {
  const local = ops.local.fs;
  const [, to] = sides(ops, from);
  const toPath = to.join(target.folder, target.name);
  const verified = (sha256: string) => {
    ops.verified?.({ from, fromPath: path, toPath, sha256 });
    return sha256;
  };
  if (from.id === "remote") {
    return ops.queue.add(
      { direction: "down", label: path, size: target.size },
      async (ctx) =>
        verified(
          await download(ops.remote.api, local, { remotePath: path, localPath: toPath }, ctx),
        ),
    );
  }
  return ops.queue.add(
    { direction: "up", label: path, size: target.size },
    async (ctx) =>
      verified(
        await upload(ops.remote.api, ops.feed, {
          blob: await local.file(path),
          folder: target.folder,
          name: target.name,
        }, ctx),
      ),
  );
}

function sides(ops: Ops, from: Side): [Side, Side] {
  return from.id === "remote" ? [ops.remote, ops.local] : [ops.local, ops.remote];
}

async function outcome(jobs: Promise<Job>[]): Promise<Outcome> {
  const ended = await Promise.all(jobs);
  return {
    done: ended.filter((j) => j.state === "done").length,
    failed: ended.filter((j) => j.state !== "done"),
  };
}

/** Relative files of `tree` → jobs copying them from `fromRoot` to `toRoot` (folders made first). */
async function queueTree(
  ops: Ops,
  from: Side,
  roots: { from: string; to: string },
  tree: Tree,
  only: { dirs: string[]; files: string[] },
): Promise<Promise<Job>[]> {
  const [, to] = sides(ops, from);
  for (const dir of only.dirs) {
    await to.mkdir(relParent(dir) ? to.join(roots.to, relParent(dir)) : roots.to, relName(dir));
  }
  return only.files.map((rel) =>
    queueFile(ops, from, from.join(roots.from, rel), {
      folder: relParent(rel) ? to.join(roots.to, relParent(rel)) : roots.to,
      name: relName(rel),
      size: tree.get(rel)?.size ?? 0,
    })
  );
}

/**
 * A selection with folders crosses as one bundle (one stream, every file hashed both ends);
 * plain files go one by one, each with its own line and hash in the queue.
 */
function queueBundle(
  ops: Ops,
  from: Side,
  folder: string,
  items: Entry[],
  target: string,
  hidden: boolean,
): Promise<Job> {
  const [, to] = sides(ops, from);
  const label = from.join(
    folder,
    items.length === 1 ? items[0].name : `{${items.map((i) => i.name).join(",")}}`,
  );
  const remember = (files: Map<string, string>) => {
    for (const [rel, sha256] of files) {
      ops.verified?.({
        from,
        fromPath: from.join(folder, rel),
        toPath: to.join(target, rel),
        sha256,
      });
    }
  };
  const names = items.map((i) => i.name);
  if (from.id === "remote") {
    return ops.queue.add({ direction: "down", label, size: 0 }, async (ctx) => {
      const got = await downloadBundle(
        ops.remote.api,
        ops.local.fs,
        {
          folder,
          names,
          hidden,
          target,
        },
        ctx,
        ops.feed,
      );
      remember(got.files);
      return { files: got.files.size, failed: got.failures.map((f) => `${f.path}: ${f.reason}`) };
    });
  }
  return ops.queue.add({ direction: "up", label, size: 0 }, async (ctx) => {
    const list: { path: string; kind: "file" | "dir" }[] = [];
    for (const item of items) {
      if (item.kind === "file") list.push({ path: item.name, kind: "file" });
      if (item.kind !== "dir") continue;
      list.push({ path: item.name, kind: "dir" });
      const tree = await ops.local.tree(ops.local.join(folder, item.name), hidden);
      for (const [rel, t] of tree) list.push({ path: `${item.name}/${rel}`, kind: t.kind });
    }
    const sent = await uploadBundle(
      ops.remote.api,
      ops.local.fs,
      { root: folder, items: list, folder: target },
      ctx,
      (id, progress) => ops.feed.watch(id, progress),
    );
    remember(sent.files);
    return { files: sent.files.size, failed: sent.failures.map((f) => `${f.path}: ${f.reason}`) };
  });
}

/** Copies `items` of `folder` on `from` into `target` on the other side; folders go whole. */
export async function copyItems(
  ops: Ops,
  from: Side,
  folder: string,
  items: Entry[],
  target: string,
  hidden: boolean,
): Promise<Outcome & { copied: string[] }> {
  const wanted = items.filter((i) => i.kind === "file" || i.kind === "dir");
  if (wanted.some((i) => i.kind === "dir")) {
    const job = await queueBundle(ops, from, folder, wanted, target, hidden);
    const ok = job.state === "done";
    return {
      done: ok ? job.files ?? 0 : 0,
      failed: ok ? [] : [job],
      copied: ok ? wanted.map((i) => i.name) : [],
    };
  }
  const jobs = wanted.map((item) =>
    queueFile(ops, from, from.join(folder, item.name), {
      folder: target,
      name: item.name,
      size: item.size,
    })
  );
  const ended = await Promise.all(jobs);
  return {
    done: ended.filter((j) => j.state === "done").length,
    failed: ended.filter((j) => j.state !== "done"),
    copied: wanted.filter((_, i) => ended[i].state === "done").map((i) => i.name),
  };
}

/** Copy, then delete on the source the items whose every file arrived verified. */
export async function moveItems(
  ops: Ops,
  from: Side,
  folder: string,
  items: Entry[],
  target: string,
  hidden: boolean,
): Promise<Outcome & { removeFailures: string[] }> {
  const copied = await copyItems(ops, from, folder, items, target, hidden);
  const failures = copied.copied.length
    ? await from.remove(copied.copied.map((name) => from.join(folder, name)))
    : [];
  return { ...copied, removeFailures: failures.map((f) => `${f.path}: ${f.reason}`) };
}

/** Equal sizes with different times: the hashes decide whether the content differs. */
async function addHashes(a: Side, aRoot: string, ta: Tree, b: Side, bRoot: string, tb: Tree) {
  for (const [rel, left] of ta) {
    const right = tb.get(rel);
    if (left.kind !== "file" || right?.kind !== "file" || left.size !== right.size) continue;
    if (left.mtime === right.mtime) continue;
    const [ha, hb] = await Promise.all([a.hash(a.join(aRoot, rel)), b.hash(b.join(bRoot, rel))]);
    (ta as Map<string, typeof left>).set(rel, { ...left, sha256: ha });
    (tb as Map<string, typeof right>).set(rel, { ...right, sha256: hb });
  }
}

/** Synchronises the two panes' folders both ways, the newer file winning. */
export async function synchronise(
  ops: Ops,
  folders: { local: string; remote: string },
  hidden: boolean,
): Promise<Outcome & { conflicts: string[]; unchanged: number }> {
  const [tl, tr] = await Promise.all([
    ops.local.tree(folders.local, hidden),
    ops.remote.tree(folders.remote, hidden),
  ]);
  await addHashes(ops.local, folders.local, tl, ops.remote, folders.remote, tr);
  const plan = planSync(tl, tr);
  const up = await queueTree(ops, ops.local, { from: folders.local, to: folders.remote }, tl, {
    dirs: plan.dirsToB,
    files: plan.aToB,
  });
  const down = await queueTree(ops, ops.remote, { from: folders.remote, to: folders.local }, tr, {
    dirs: plan.dirsToA,
    files: plan.bToA,
  });
  return {
    ...(await outcome([...up, ...down])),
    conflicts: plan.conflicts,
    unchanged: plan.unchanged,
  };
}

/** Plans a mirror of `from`'s folder onto the other side's (nothing changes yet). */
export async function planMirror(
  ops: Ops,
  from: Side,
  folders: { from: string; to: string },
  hidden: boolean,
): Promise<{ plan: ReplicatePlan; source: Tree }> {
  const [, to] = sides(ops, from);
  const [source, target] = await Promise.all([
    from.tree(folders.from, hidden),
    to.tree(folders.to, hidden),
  ]);
  await addHashes(from, folders.from, source, to, folders.to, target);
  return { plan: planReplicate(source, target), source };
}

/** Carries out a confirmed mirror plan: deletions, folders, then the copies. */
export async function replicate(
  ops: Ops,
  from: Side,
  folders: { from: string; to: string },
  planned: { plan: ReplicatePlan; source: Tree },
): Promise<Outcome & { removeFailures: string[] }> {
  const [, to] = sides(ops, from);
  const { plan, source } = planned;
  const failures = plan.remove.length
    ? await to.remove(plan.remove.map((rel) => to.join(folders.to, rel)))
    : [];
  const jobs = await queueTree(ops, from, { from: folders.from, to: folders.to }, source, {
    dirs: plan.dirs,
    files: plan.copy,
  });
  return {
    ...(await outcome(jobs)),
    removeFailures: failures.map((f) => `${f.path}: ${f.reason}`),
  };
}
