/**
 * Transfers (docs/files_api.md "Transfers"): open a download or an upload (the agent checks
 * and prepares it under a transfer id), stream its data (streams.ts), commit, cancel, and
 * follow the consent and every transfer of the session as server-sent events (the file
 * manager's one stream).
 */
import { Hono } from "hono";
import { z } from "zod";
import { type AppEnv, liveStream, socketOrigin } from "../http/mod.ts";
import { NAME_MAX, PATH_MAX, PATHS_MAX, TRANSFER_ID } from "../../protocol/files.ts";
import { BUNDLE_TYPE } from "../../protocol/files_bundle.ts";
import { attachmentDisposition } from "../files/mod.ts";
import { fileCaller, FileRefusal, fileWorker, refusalBody, statusOf } from "./access.ts";
import { ask, jsonBody, query } from "./call.ts";
import { json, PREFIX } from "./browse_routes.ts";
import {
  fileManagerHub,
  newTransferId,
  type ServerTransfer,
  type TransferView,
  viewOf,
} from "./hub.ts";
import { toolConsent, type ToolState } from "../remote/mod.ts";
import { downloadBody, finish, uploadBody } from "./streams.ts";
import { settleUpload, uploadOverSocket } from "./upload_socket.ts";

const path = z.string().min(1).max(PATH_MAX);
const name = z.string().min(1).max(NAME_MAX);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const DownloadSchema = z.union([
  z.strictObject({ path }),
  z.strictObject({
    folder: path,
    names: z.array(name).min(1).max(PATHS_MAX),
    hidden: z.boolean().optional(),
  }),
]);

const UploadSchema = z.union([
  z.strictObject({
    folder: path,
    name,
    size: count,
    mtime: count.nullable().optional(),
    sha256: sha256.nullable().optional(),
    overwrite: z.boolean().optional(),
    id: z.string().regex(TRANSFER_ID).optional(),
  }),
  z.strictObject({
    folder: path,
    bundle: z.literal(true),
    overwrite: z.boolean().optional(),
    id: z.string().regex(TRANSFER_ID).optional(),
  }),
]);

const FromSchema = z.object({ from: z.coerce.number().int().min(0).optional() });

function _transfer(
  base: Pick<ServerTransfer, "id" | "sessionId" | "by" | "direction" | "mode" | "path" | "names">,
): ServerTransfer {
  const now = new Date().toISOString();
  return {
    ...base,
    size: 0,
    bytes: 0,
    offset: 0,
    entries: 0,
    state: "open",
    sha256: null,
    failures: [],
    error: null,
    rate: 0,
    startedAt: now,
    updatedAt: now,
    abort: null,
    samples: [],
    lastSent: 0,
    logged: false,
  };
}

const FINAL = new Set(["done", "failed", "cancelled"]);

export const transferRoutes = new Hono<AppEnv>()
  .post(
    `${PREFIX}/downloads`,
    json(async (c) => {
      const { session, actor } = await fileCaller(c);
      const body = await jsonBody(c, DownloadSchema);
      const bundle = "names" in body;
      const id = newTransferId();
      const opened = await ask(c, session.id, {
        kind: "files.open",
        id,
        direction: "download",
        mode: bundle ? "bundle" : "file",
        path: bundle ? body.folder : body.path,
        names: bundle ? body.names : [],
        name: null,
        size: null,
        mtime: null,
        sha256: null,
        overwrite: false,
        hidden: bundle ? body.hidden ?? false : false,
      });
      const t = _transfer({
        id,
        sessionId: session.id,
        by: actor,
        direction: "download",
        mode: bundle ? "bundle" : "file",
        path: opened.path,
        names: bundle ? body.names : [],
      });
      t.size = opened.size;
      t.entries = opened.entries;
      t.failures = opened.failures;
      fileManagerHub(c.get("deps")).add(t);
      return c.json(viewOf(t));
    }),
  )
  .post(
    `${PREFIX}/uploads`,
    json(async (c) => {
      const { session, actor } = await fileCaller(c);
      const body = await jsonBody(c, UploadSchema);
      const hub = fileManagerHub(c.get("deps"));
      const bundle = "bundle" in body;
      const id = body.id ?? newTransferId();
      const known = body.id ? hub.find(session.id, body.id) : null;
      if (known?.abort) throw new FileRefusal("busy");
      const opened = await ask(c, session.id, {
        kind: "files.open",
        id,
        direction: "upload",
        mode: bundle ? "bundle" : "file",
        path: body.folder,
        names: [],
        name: bundle ? null : body.name,
        size: bundle ? null : body.size,
        mtime: bundle ? null : body.mtime ?? null,
        sha256: bundle ? null : body.sha256 ?? null,
        overwrite: body.overwrite ?? false,
        hidden: false,
      });
      const t = known ?? _transfer({
        id,
        sessionId: session.id,
        by: actor,
        direction: "upload",
        mode: bundle ? "bundle" : "file",
        path: opened.path,
        names: bundle ? [] : [body.name],
      });
      t.size = opened.size;
      t.offset = opened.offset;
      t.bytes = bundle ? opened.size : opened.offset;
      t.entries = opened.entries;
      t.failures = opened.failures;
      t.sha256 = opened.sha256;
      if (FINAL.has(t.state) && !opened.done) (t.state = "open", t.error = null, t.logged = false);
      if (known) hub.changed(t, true);
      else hub.add(t);
      return c.json(viewOf(t));
    }),
  )
  .get(
    `${PREFIX}/transfers`,
    json(async (c) => {
      const { session } = await fileCaller(c);
      const hub = fileManagerHub(c.get("deps"));
      return c.json({ transfers: hub.ofSession(session.id).map(viewOf) });
    }),
  )
  .get(
    `${PREFIX}/transfers/:tid`,
    json(async (c) => {
      const { session } = await fileCaller(c);
      const hub = fileManagerHub(c.get("deps"));
      const t = hub.find(session.id, c.req.param("tid") ?? "");
      if (!t) throw new FileRefusal("no_transfer");
      if (c.req.query("wait") === "1" && (t.state === "running" || t.state === "waiting")) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => (stop(), resolve()), 30_000);
          const stop = hub.listen(session.id, (view) => {
            if (view.id === t.id && view.state !== "running" && view.state !== "waiting") {
              clearTimeout(timer);
              stop();
              resolve();
            }
          });
        });
      }
      return c.json(viewOf(t));
    }),
  )
  .get(
    `${PREFIX}/transfers/:tid/data`,
    json(async (c) => {
      const { session } = await fileCaller(c);
      const deps = c.get("deps");
      const t = fileManagerHub(deps).find(session.id, c.req.param("tid") ?? "");
      if (!t || t.direction !== "download") throw new FileRefusal("no_transfer");
      const from = query(c, FromSchema).from ?? 0;
      if (from > (t.mode === "file" ? t.size : t.entries)) throw new FileRefusal("offset");
      if (t.mode === "file") (t.bytes = from, t.offset = from);
      t.abort = new AbortController();
      // Served by Deno's HTTP server (not read in-process): the chunks can be freed early.
      const toSocket = !!(c.env as Partial<Deno.ServeHandlerInfo> | undefined)?.remoteAddr;
      const body = await downloadBody(deps, session, t, from, {
        signal: t.abort.signal,
        toSocket,
      });
      const headers = new Headers({
        "content-type": t.mode === "file" ? "application/octet-stream" : BUNDLE_TYPE,
        "cache-control": "no-store",
        "content-disposition": attachmentDisposition(
          t.mode === "file" ? t.path.split(/[\\/]/).pop() || "file" : "files.bundle",
        ),
      });
      if (t.mode === "file") headers.set("content-length", String(t.size - from));
      return new Response(body, { headers });
    }),
  )
  .post(
    `${PREFIX}/transfers/:tid/data`,
    json(async (c) => {
      const { session } = await fileCaller(c);
      const deps = c.get("deps");
      const hub = fileManagerHub(deps);
      const t = hub.find(session.id, c.req.param("tid") ?? "");
      if (!t || t.direction !== "upload") throw new FileRefusal("no_transfer");
      const from = query(c, FromSchema).from ?? 0;
      const expected = t.mode === "file" ? t.offset : t.entries;
      if (from !== expected) throw new FileRefusal("offset", "", { offset: expected });
      if (!c.req.raw.body) throw new FileRefusal("invalid", "no body");
      if (t.abort) throw new FileRefusal("busy");
      // This request's own controller: Deno aborts a request's signal after a successful
      // answer too, which must not stop the next data request of the same transfer.
      const abort = t.abort = new AbortController();
      const stop = () => abort.abort();
      c.req.raw.signal.addEventListener("abort", stop, { once: true });
      const outcome = await uploadBody(deps, t, from, c.req.raw.body, abort.signal);
      c.req.raw.signal.removeEventListener("abort", stop);
      if (t.abort === abort) t.abort = null;
      return c.json(settleUpload(deps, session, t, outcome, abort.signal.aborted));
    }),
  )
  .get(
    `${PREFIX}/transfers/:tid/socket`,
    json(async (c) => {
      // Cookies ride along on a cross-site upgrade: only our own pages' sockets (a 403),
      // checked before anything else answers an upgrade.
      const upgrade = c.req.header("upgrade")?.toLowerCase() === "websocket";
      if (upgrade) await socketOrigin({ browser: true })(c, () => Promise.resolve());
      const { session } = await fileCaller(c);
      const deps = c.get("deps");
      const t = fileManagerHub(deps).find(session.id, c.req.param("tid") ?? "");
      if (!t || t.direction !== "upload") throw new FileRefusal("no_transfer");
      if (!upgrade) {
        throw new FileRefusal("invalid", "a WebSocket upgrade is expected");
      }
      const from = query(c, FromSchema).from ?? 0;
      const expected = t.mode === "file" ? t.offset : t.entries;
      if (from !== expected) throw new FileRefusal("offset", "", { offset: expected });
      if (t.abort) throw new FileRefusal("busy");
      const { socket, response } = Deno.upgradeWebSocket(c.req.raw);
      socket.binaryType = "arraybuffer";
      uploadOverSocket(
        deps,
        session,
        t,
        from,
        socket,
        (view) =>
          view instanceof FileRefusal
            ? { status: statusOf(view.code), body: refusalBody(c, view) }
            : { status: 200, body: view },
      );
      return response;
    }),
  )
  .post(
    `${PREFIX}/transfers/:tid/commit`,
    json(async (c) => {
      const { session } = await fileCaller(c);
      const deps = c.get("deps");
      const t = fileManagerHub(deps).find(session.id, c.req.param("tid") ?? "");
      if (!t || t.direction !== "upload" || t.mode !== "file") {
        throw new FileRefusal("no_transfer");
      }
      const body = await jsonBody(c, z.strictObject({ sha256 }));
      const outcome = await ask(c, session.id, {
        kind: "files.commit",
        id: t.id,
        sha256: body.sha256,
      }).catch((error) => {
        if (error instanceof FileRefusal && error.code === "hash_mismatch") {
          finish(deps, session, t, "failed", { code: error.code, reason: error.detail });
        }
        throw error;
      });
      t.sha256 = outcome.sha256;
      t.path = outcome.path;
      finish(deps, session, t, "done");
      return c.json(viewOf(t));
    }),
  )
  .post(
    `${PREFIX}/transfers/:tid/cancel`,
    json(async (c) => {
      const { session } = await fileCaller(c);
      const deps = c.get("deps");
      const t = fileManagerHub(deps).find(session.id, c.req.param("tid") ?? "");
      if (!t) throw new FileRefusal("no_transfer");
      t.abort?.abort();
      await ask(c, session.id, { kind: "files.cancel", id: t.id });
      if (!FINAL.has(t.state)) {
        finish(deps, session, t, "cancelled", { code: "cancelled", reason: "cancelled" });
      }
      return c.json(viewOf(t));
    }),
  )
  .get(
    `${PREFIX}/events`,
    json(async (c) => {
      // The file manager's one stream (a browser has six HTTP/1.1 connections per server):
      // the customer's consent as `state` events (what `…/agent/events` says), and while
      // files are allowed every transfer of the session as `transfer` events — all of them
      // on each (re)connect, so a page that lost the stream catches up on what it missed.
      const { session } = await fileWorker(c);
      const deps = c.get("deps");
      const hub = fileManagerHub(deps);
      const consent = toolConsent(deps, session);
      return await liveStream(c, (stream) => {
        let following: (() => void) | null = null;
        const transfer = (view: TransferView) =>
          stream.send({ event: "transfer", data: JSON.stringify(view) });
        const state = (now: ToolState) => {
          stream.send({ event: "state", data: JSON.stringify(now) });
          // Only while allowed: the customer's page counts the file manager open meanwhile.
          const open = consent.allows("files");
          if (open && !following) {
            for (const t of hub.ofSession(session.id)) transfer(viewOf(t));
            following = hub.listen(session.id, transfer);
          } else if (!open && following) {
            following();
            following = null;
          }
        };
        state(consent.state);
        consent.listeners.add(state);
        stream.onClose(() => {
          consent.listeners.delete(state);
          following?.();
        });
      });
    }),
  );
