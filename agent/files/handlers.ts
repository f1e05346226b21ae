/**
 * The agent's handlers for the file manager's operations (protocol/files.ts,
 * docs/files_api.md). The runner (agent/ops/runner.ts) has already refused them without the
 * customer's `files` grant; each handler checks its paths (paths.ts) and answers with a
 * result or an `OpFailure`. Tests pass their own OS layer and clock.
 */
import type { z } from "zod";
import type { FILE_OPS } from "../../protocol/files.ts";
import type { OpContext, OpEnv, OpHandlers } from "../ops/mod.ts";
import { OpFailure } from "../ops/mod.ts";
import type { FilesOs } from "./os.ts";
import { linuxFiles } from "./linux.ts";
import { windowsFiles } from "./windows.ts";
import {
  deleteEntries,
  listFolder,
  makeFolder,
  renameEntry,
  statEntry,
  walkTree,
} from "./browse.ts";
import { readText, sha256, writeText } from "./text.ts";
import { openRegular } from "./paths.ts";
import { type Transfer, Transfers } from "./transfers.ts";
import { sendBundle, sendFile, throttled } from "./send.ts";
import { commitFile, receiveBundle, receiveFile } from "./receive.ts";

export interface FileHandlerOptions {
  os?: FilesOs;
  now?: () => number;
}

type Spec = typeof FILE_OPS[number];
type Kind = Spec["kind"];
type Of<K extends Kind> = Extract<Spec, { kind: K }>;
/** Typed from this feature's own specs (a widened kind elsewhere cannot blur them). */
type FileHandlers = {
  [K in Kind]: (
    request: z.infer<Of<K>["request"]>,
    ctx: OpContext,
  ) => Promise<z.infer<Of<K>["result"]>>;
};

/** How often abandoned transfers are looked for. */
const SWEEP_MS = 60 * 60 * 1000;

function _os(env: OpEnv): FilesOs {
  if (env.os === "linux") return linuxFiles();
  if (env.os === "windows") return windowsFiles();
  // The interface (os.ts) is ready for it; its layer is not written yet.
  throw new OpFailure("not_available", `the file manager is not built for ${env.os} yet`);
}

export function fileHandlers(env: OpEnv, options: FileHandlerOptions = {}): OpHandlers {
  if (!options.os && env.os === "darwin") return {};
  const os = options.os ?? _os(env);
  const transfers = new Transfers({
    os,
    dataDir: env.dataDir,
    leg: { serverUrl: env.serverUrl, token: env.token },
    now: options.now,
  });
  transfers.sweep().catch((error) => env.log(`file transfers sweep: ${error}`));
  const timer = setInterval(() => transfers.sweep().catch(() => {}), SWEEP_MS);
  Deno.unrefTimer(timer);

  /** Runs a stream of `t`, replacing one still running (its connection broke). */
  const stream = async <R>(
    t: Transfer,
    run: (signal: AbortSignal) => Promise<R>,
    outer: AbortSignal,
  ) => {
    await transfers.stopRunning(t);
    const abort = new AbortController();
    const onAbort = () => abort.abort(outer.reason);
    outer.addEventListener("abort", onAbort, { once: true });
    const done = run(abort.signal);
    t.running = { abort, done };
    try {
      return await done;
    } finally {
      outer.removeEventListener("abort", onAbort);
      if (t.running?.done === done) t.running = null;
      t.touched = transfers.now();
    }
  };

  const handlers: FileHandlers = {
    "files.roots": async () => ({ separator: os.separator, ...(await os.places()) }),
    "files.list": (request) => listFolder(os, request.path, request.hidden),
    "files.stat": (request) => statEntry(os, request.path),
    "files.tree": (request) => walkTree(os, request.path, request.hidden, request.max),
    "files.mkdir": (request) => makeFolder(os, request.folder, request.name),
    "files.rename": (request) => renameEntry(os, request.path, request.newName),
    "files.delete": (request) => deleteEntries(os, request.paths, request.permanent),
    "files.readText": (request) => readText(os, request.path),
    "files.writeText": (request) => writeText(os, request.path, request.text, request.expectSha256),
    "files.hash": async (request, ctx) => {
      const { path, file, info } = await openRegular(os, request.path);
      try {
        const hash = sha256();
        const buffer = new Uint8Array(1024 * 1024);
        const progress = throttled(ctx.emit);
        let bytes = 0;
        while (true) {
          if (ctx.signal.aborted) throw new OpFailure("cancelled", "cancelled");
          const n = file.readSync(buffer); // sync: see send.ts
          if (n === null) break;
          hash.update(buffer.subarray(0, n));
          bytes += n;
          progress({ bytes, entries: 0 });
        }
        if (bytes !== info.size) throw new OpFailure("changed", `${path} changed while hashed`);
        return { path, size: bytes, sha256: hash.digest("hex") };
      } finally {
        file.close();
      }
    },
    "files.open": (request) => transfers.open(request),
    "files.send": (request, ctx) => {
      const t = transfers.get(request.id);
      return stream(t, (signal) => {
        const c = { signal, emit: ctx.emit };
        if (t.kind === "download-file") {
          return sendFile(transfers, t, request.ticket, request.from, c);
        }
        if (t.kind === "download-bundle") {
          return sendBundle(transfers, t, request.ticket, request.from, c);
        }
        throw new OpFailure("invalid", "this transfer is an upload");
      }, ctx.signal);
    },
    "files.receive": (request, ctx) => {
      const t = transfers.get(request.id);
      return stream(t, (signal) => {
        const c = { signal, emit: ctx.emit };
        if (t.kind === "upload-file") {
          return receiveFile(transfers, t, request.ticket, request.from, c);
        }
        if (t.kind === "upload-bundle") {
          return receiveBundle(transfers, t, request.ticket, request.from, c);
        }
        throw new OpFailure("invalid", "this transfer is a download");
      }, ctx.signal);
    },
    "files.commit": async (request) => {
      const t = transfers.get(request.id);
      if (t.kind !== "upload-file") throw new OpFailure("invalid", "only a file upload commits");
      if (t.running) throw new OpFailure("busy", "data is still arriving");
      return await commitFile(transfers, t, request.sha256);
    },
    "files.cancel": (request) => transfers.cancel(request.id),
  };
  return handlers as unknown as OpHandlers;
}
