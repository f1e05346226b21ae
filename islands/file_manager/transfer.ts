/**
 * One file across: download (customer → technician) and upload (technician → customer), each
 * hashed on this side and compared with the SHA-256 the agent reports — a mismatch fails the
 * job and leaves no file under the real name on either side. A break resumes: a download asks
 * for the data again from the byte it has (the server also resumes the agent's leg by itself), an
 * upload re-opens the transfer by its id and continues from the agent's last verified chunk.
 */
import { ApiError, type RemoteApi } from "./remote_api.ts";
import type { LocalFs } from "./local_fs.ts";
import type { JobContext } from "./queue.ts";
import { hashBlob, Sha256 } from "./sha256.ts";
import type { TransferFeed } from "./feed.ts";

const RETRIES = 6;
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason)), {
      once: true,
    });
  });

/** A refusal that trying again will not change (4xx, but not a moved offset). */
function final(error: unknown): boolean {
  return error instanceof ApiError && error.status >= 400 && error.status < 500 &&
    error.code !== "offset";
}

export class HashMismatch extends Error {}

/**
 * The SHA-256 the agent computed while sending (the transfer's, once done). When the transfer
 * does not say "done" within a few seconds of its last byte, the agent hashes the file as it is
 * on the customer's disk now (`files.hash`): the comparison stays end to end either way.
 */
async function agentHash(api: RemoteApi, id: string, path: string, signal: AbortSignal) {
  for (let i = 0; i < 25; i++) {
    const transfer = await api.transfer(id, false, signal);
    if (transfer.state === "done" && transfer.sha256) return transfer.sha256;
    if (transfer.state === "failed" && transfer.error?.code !== "cancelled") {
      throw new Error(transfer.error?.reason ?? transfer.state);
    }
    if (transfer.state === "cancelled" || transfer.state === "failed") break;
    await sleep(200, signal);
  }
  return (await api.hash(path, signal)).sha256;
}

export async function download(
  api: RemoteApi,
  local: LocalFs,
  file: { remotePath: string; localPath: string },
  ctx: JobContext,
): Promise<string> {
  const opened = await api.openDownload(file.remotePath);
  const staged = await local.stage(file.localPath);
  const hash = new Sha256();
  let received = 0;
  let tries = 0;
  const cancel = () => void api.cancel(opened.id).catch(() => {});
  ctx.signal.addEventListener("abort", cancel, { once: true });
  try {
    while (received < opened.size || tries === 0) {
      try {
        const reader = (await api.downloadData(opened.id, received, ctx.signal)).getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          hash.update(value);
          await staged.writable.write(value);
          received += value.length;
          ctx.progress(received);
        }
        if (received >= opened.size) break;
        tries++;
      } catch (error) {
        if (ctx.signal.aborted || final(error) || ++tries > RETRIES) throw error;
        await sleep(500 * tries, ctx.signal);
      }
    }
    await staged.writable.close();
    const mine = hash.hex();
    const theirs = await agentHash(api, opened.id, file.remotePath, ctx.signal);
    if (theirs !== mine) throw new HashMismatch(`${theirs} ≠ ${mine}`);
    await staged.commit();
    return mine;
  } catch (error) {
    await staged.writable.abort().catch(() => {});
    await staged.discard();
    throw error;
  } finally {
    ctx.signal.removeEventListener("abort", cancel);
  }
}

export async function upload(
  api: RemoteApi,
  feed: TransferFeed,
  file: { blob: File; folder: string; name: string },
  ctx: JobContext,
): Promise<string> {
  const { blob } = file;
  const sha256 = await hashBlob(blob, ctx.signal);
  const open = (id?: string) =>
    api.openUpload({
      folder: file.folder,
      name: file.name,
      size: blob.size,
      mtime: blob.lastModified,
      sha256,
      id,
    }, ctx.signal);
  let transfer = await open();
  const unwatch = feed.watch(transfer.id, (t) => ctx.progress(t.bytes));
  const cancel = () => void api.cancel(transfer.id).catch(() => {});
  ctx.signal.addEventListener("abort", cancel, { once: true });
  let tries = 0;
  try {
    while (transfer.state !== "done") {
      try {
        transfer = await api.uploadData(
          transfer.id,
          transfer.offset,
          blob.slice(transfer.offset),
          ctx.signal,
        );
        if (transfer.state !== "done" && transfer.offset >= blob.size) {
          const id = transfer.id;
          transfer = await feed.settled(id, () => api.transfer(id, false, ctx.signal), ctx.signal);
        }
        if (transfer.state === "failed" || transfer.state === "cancelled") {
          throw new Error(transfer.error?.reason ?? transfer.state);
        }
      } catch (error) {
        if (ctx.signal.aborted || final(error) || ++tries > RETRIES) throw error;
        await sleep(500 * tries, ctx.signal);
        transfer = await open(transfer.id);
      }
      ctx.progress(transfer.offset);
    }
    if (transfer.sha256 !== sha256) throw new HashMismatch(`${transfer.sha256} ≠ ${sha256}`);
    return sha256;
  } finally {
    unwatch();
    ctx.signal.removeEventListener("abort", cancel);
  }
}
