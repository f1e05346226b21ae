/**
 * Folders in one stream (`application/vnd.rescue.bundle`, protocol/files_bundle.ts): a tree of
 * many small files moves as one transfer instead of a request per file. Each file carries the
 * SHA-256 its sender computed; the receiver hashes what it got and keeps a file only when the
 * two agree (here: written under a temporary name, renamed into place). A broken stream resumes
 * at the first entry not yet complete.
 */
import {
  bundleEnd,
  bundleEntry,
  type BundleHeader,
  BundleReader,
  toHex,
} from "../../protocol/files_bundle.ts";
import type { LocalFs } from "./local_fs.ts";
import type { JobContext } from "./queue.ts";
import { ApiError, type RemoteApi, type Transfer } from "./remote_api.ts";
import { hashBlob, Sha256 } from "./sha256.ts";
import type { TransferFeed } from "./feed.ts";

const RETRIES = 6;

export interface BundleOutcome {
  /** Relative path → SHA-256 of every file that arrived verified. */
  files: Map<string, string>;
  failures: { path: string; reason: string }[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const final = (error: unknown) =>
  error instanceof ApiError && error.status >= 400 && error.status < 500 && error.code !== "offset";

/** Customer → technician: `names` of the customer's `folder` into the local `target`. */
export async function downloadBundle(
  api: RemoteApi,
  local: LocalFs,
  what: { folder: string; names: string[]; hidden: boolean; target: string },
  ctx: JobContext & { resize(size: number): void },
  feed: Pick<TransferFeed, "settled">,
): Promise<BundleOutcome> {
  const opened = await api.openBundleDownload(what.folder, what.names, what.hidden);
  ctx.resize(opened.size);
  const cancel = () => void api.cancel(opened.id).catch(() => {});
  ctx.signal.addEventListener("abort", cancel, { once: true });
  const outcome: BundleOutcome = { files: new Map(), failures: [] };
  let completed = 0;
  let bytesDone = 0;
  let tries = 0;
  const at = (rel: string) => (what.target === "" ? rel : `${what.target}/${rel}`);
  try {
    for (;;) {
      const reader = new BundleReader();
      let file: {
        header: BundleHeader;
        hash: Sha256;
        staged: Awaited<ReturnType<LocalFs["stage"]>>;
        got: number;
      } | null = null;
      try {
        const stream = (await api.downloadData(opened.id, completed, ctx.signal)).getReader();
        for (;;) {
          const { done, value } = await stream.read();
          if (done) break;
          for (const event of reader.push(value)) {
            if (event.kind === "entry") {
              const { header } = event;
              if (header.type === "dir") {
                await local.folder(at(header.path), true);
                completed++;
              } else if (header.type === "failed") {
                outcome.failures.push({ path: header.path, reason: "failed" });
                completed++;
              } else {
                const parent = header.path.includes("/")
                  ? header.path.slice(0, header.path.lastIndexOf("/"))
                  : "";
                await local.folder(at(parent), true);
                file = {
                  header,
                  hash: new Sha256(),
                  staged: await local.stage(at(header.path)),
                  got: 0,
                };
              }
            } else if (event.kind === "data" && file) {
              file.hash.update(event.bytes);
              await file.staged.writable.write(event.bytes.slice());
              file.got += event.bytes.length;
              ctx.progress(bytesDone + file.got);
            } else if (event.kind === "hash" && file) {
              await file.staged.writable.close();
              const mine = file.hash.hex();
              if (mine === toHex(event.sha256)) {
                await file.staged.commit();
                outcome.files.set(file.header.path, mine);
              } else {
                await file.staged.discard();
                outcome.failures.push({ path: file.header.path, reason: "hash_mismatch" });
              }
              bytesDone += file.header.size;
              completed++;
              file = null;
            }
          }
        }
        if (reader.ended) break;
        throw new Error("the bundle stopped before its end");
      } catch (error) {
        if (file) {
          await file.staged.writable.abort().catch(() => {});
          await file.staged.discard();
        }
        if (ctx.signal.aborted || final(error) || ++tries > RETRIES) throw error;
        await sleep(500 * tries);
      }
    }
    // Its end (the agent's list of files it could not read) comes on the file manager's stream.
    const done = await feed.settled(
      opened.id,
      () => api.transfer(opened.id, false, ctx.signal),
      ctx.signal,
    );
    if (done.state !== "done") throw new Error(done.error?.reason ?? done.state);
    for (const f of done.failures) outcome.failures.push({ path: f.path, reason: f.reason });
    return outcome;
  } finally {
    ctx.signal.removeEventListener("abort", cancel);
  }
}

/**
 * Technician → customer: the local `paths` (relative to `root`, folders before their files) as
 * one bundle into the customer's `folder`. The body is a Blob of the files themselves (read as
 * it is sent, never whole in memory), each after its header and before its hash.
 */
export async function uploadBundle(
  api: RemoteApi,
  local: LocalFs,
  what: { root: string; items: { path: string; kind: "file" | "dir" }[]; folder: string },
  ctx: JobContext & { resize(size: number): void },
  watch: (id: string, progress: (t: Transfer) => void) => () => void,
): Promise<BundleOutcome> {
  const parts: { header: BundleHeader; file?: File; sha256?: Uint8Array }[] = [];
  let size = 0;
  for (const item of what.items) {
    if (item.kind === "dir") {
      parts.push({ header: { path: item.path, type: "dir", size: 0, mtime: null, mode: null } });
      continue;
    }
    const file = await local.file(what.root === "" ? item.path : `${what.root}/${item.path}`);
    const hex = await hashBlob(file, ctx.signal);
    const sha256 = new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)));
    parts.push({
      header: {
        path: item.path,
        type: "file",
        size: file.size,
        mtime: file.lastModified,
        mode: null,
      },
      file,
      sha256,
    });
    size += file.size;
  }
  ctx.resize(size);
  const body = (from: number) => {
    const pieces: BlobPart[] = [];
    for (const part of parts.slice(from)) {
      pieces.push(bundleEntry(part.header) as Uint8Array<ArrayBuffer>);
      if (part.file) pieces.push(part.file, part.sha256! as Uint8Array<ArrayBuffer>);
    }
    pieces.push(bundleEnd({ entries: parts.length, bytes: size }) as Uint8Array<ArrayBuffer>);
    return new Blob(pieces);
  };
  let transfer = await api.openBundleUpload(what.folder);
  const unwatch = watch(transfer.id, (t) => ctx.progress(t.bytes));
  const cancel = () => void api.cancel(transfer.id).catch(() => {});
  ctx.signal.addEventListener("abort", cancel, { once: true });
  let tries = 0;
  try {
    while (transfer.state !== "done") {
      try {
        transfer = await api.uploadData(
          transfer.id,
          transfer.entries,
          body(transfer.entries),
          ctx.signal,
        );
        if (transfer.state === "failed" || transfer.state === "cancelled") {
          throw new Error(transfer.error?.reason ?? transfer.state);
        }
      } catch (error) {
        if (ctx.signal.aborted || final(error) || ++tries > RETRIES) throw error;
        await sleep(500 * tries);
        transfer = await api.openBundleUpload(what.folder, transfer.id);
      }
    }
    const outcome: BundleOutcome = { files: new Map(), failures: [] };
    const failed = new Set(transfer.failures.map((f) => f.path));
    for (const f of transfer.failures) outcome.failures.push({ path: f.path, reason: f.reason });
    for (const part of parts) {
      if (part.sha256 && !failed.has(part.header.path)) {
        outcome.files.set(part.header.path, toHex(part.sha256));
      }
    }
    return outcome;
  } finally {
    unwatch();
    ctx.signal.removeEventListener("abort", cancel);
  }
}
