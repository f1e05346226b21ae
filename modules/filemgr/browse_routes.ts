/**
 * Browsing and editing on the customer's computer (docs/files_api.md "Browsing and
 * editing"): each route checks the caller (access.ts), asks the agent one operation, logs
 * what it did and answers with the agent's result as JSON.
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { z } from "zod";
import type { AppEnv } from "../http/mod.ts";
import { relayToAgentHome } from "../remote/mod.ts";
import { PATH_MAX, PATHS_MAX, TEXT_MAX_BYTES, TREE_MAX } from "../../protocol/files.ts";
import { fileCaller, FileRefusal, refusalBody, statusOf } from "./access.ts";
import { ask, jsonBody, query } from "./call.ts";
import { listText, recordFiles, recordListed, sizeText } from "./record.ts";

export const PREFIX = "/console/sessions/:id/file-manager";

const path = z.string().min(1).max(PATH_MAX);
const name = z.string().min(1).max(1024);
const flag = z.enum(["0", "1"]).optional().transform((v) => v === "1");
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

/** Answers a `FileRefusal` as JSON with its status; anything else goes on up. */
export function json(
  handler: (c: Context<AppEnv>) => Promise<Response>,
): (c: Context<AppEnv>) => Promise<Response> {
  return async (c) => {
    try {
      return await handler(c);
    } catch (error) {
      if (!(error instanceof FileRefusal)) throw error;
      // deno-lint-ignore no-explicit-any -- every status of the table is a valid one
      return c.json(refusalBody(c, error), statusOf(error.code) as any);
    }
  };
}

/** Signed in (or a guest under `/x`) first (401 JSON), then to the agent's home instance. */
export const fileGate: MiddlewareHandler<AppEnv>[] = [
  async (c, next) => {
    if (!c.get("user") && !c.get("guest")) {
      return c.json(refusalBody(c, new FileRefusal("signed_out")), 401);
    }
    await next();
  },
  relayToAgentHome,
];

export const browseRoutes = new Hono<AppEnv>()
  .get(
    `${PREFIX}/roots`,
    json(async (c) => {
      const { session } = await fileCaller(c);
      return c.json(await ask(c, session.id, { kind: "files.roots" }));
    }),
  )
  .get(
    `${PREFIX}/list`,
    json(async (c) => {
      const { session, actor } = await fileCaller(c);
      const q = query(c, z.object({ path, hidden: flag }));
      const result = await ask(c, session.id, {
        kind: "files.list",
        path: q.path,
        hidden: q.hidden,
      });
      await recordListed(c.get("deps"), session, actor, result.path);
      return c.json(result);
    }),
  )
  .get(
    `${PREFIX}/stat`,
    json(async (c) => {
      const { session } = await fileCaller(c);
      const q = query(c, z.object({ path }));
      return c.json(await ask(c, session.id, { kind: "files.stat", path: q.path }));
    }),
  )
  .get(
    `${PREFIX}/tree`,
    json(async (c) => {
      const { session, actor } = await fileCaller(c);
      const q = query(
        c,
        z.object({
          path,
          hidden: flag,
          max: z.coerce.number().int().min(1).max(TREE_MAX).optional(),
        }),
      );
      const result = await ask(c, session.id, {
        kind: "files.tree",
        path: q.path,
        hidden: q.hidden,
        max: q.max ?? TREE_MAX,
      });
      await recordListed(c.get("deps"), session, actor, result.path);
      return c.json(result);
    }),
  )
  .post(
    `${PREFIX}/mkdir`,
    json(async (c) => {
      const { session, actor } = await fileCaller(c);
      const body = await jsonBody(c, z.strictObject({ folder: path, name }));
      const result = await ask(c, session.id, { kind: "files.mkdir", ...body });
      await recordFiles(c.get("deps"), session, actor, {
        key: "log.files.created",
        action: "session.files_changed",
        data: { path: result.path },
        details: { op: "mkdir", path: result.path },
      });
      return c.json(result);
    }),
  )
  .post(
    `${PREFIX}/rename`,
    json(async (c) => {
      const { session, actor } = await fileCaller(c);
      const body = await jsonBody(c, z.strictObject({ path, newName: name }));
      const result = await ask(c, session.id, { kind: "files.rename", ...body });
      await recordFiles(c.get("deps"), session, actor, {
        key: "log.files.renamed",
        action: "session.files_changed",
        data: { path: body.path, to: result.path },
        details: { op: "rename", path: body.path, to: result.path },
      });
      return c.json(result);
    }),
  )
  .post(
    `${PREFIX}/delete`,
    json(async (c) => {
      const { session, actor } = await fileCaller(c);
      const body = await jsonBody(
        c,
        z.strictObject({
          paths: z.array(path).min(1).max(PATHS_MAX),
          permanent: z.boolean().optional(),
        }),
      );
      const permanent = body.permanent ?? false;
      const result = await ask(c, session.id, {
        kind: "files.delete",
        paths: body.paths,
        permanent,
      });
      if (result.deleted.length > 0) {
        const t = c.get("t");
        await recordFiles(c.get("deps"), session, actor, {
          key: "log.files.deleted",
          action: "session.files_changed",
          data: {
            paths: listText(result.deleted.map((d) => d.path)),
            how: permanent ? t("log.files.permanently") : t("log.files.toTrash"),
          },
          details: {
            op: "delete",
            permanent,
            paths: result.deleted.map((d) => d.path).slice(0, 1000),
            failures: result.failures.length,
          },
        });
      }
      return c.json(result);
    }),
  )
  .get(
    `${PREFIX}/text`,
    json(async (c) => {
      const { session, actor } = await fileCaller(c);
      const q = query(c, z.object({ path }));
      const result = await ask(c, session.id, { kind: "files.readText", path: q.path });
      await recordFiles(c.get("deps"), session, actor, {
        key: "log.files.textOpened",
        action: "session.files_read",
        data: { path: result.path },
        details: { op: "readText", path: result.path, bytes: result.size, sha256: result.sha256 },
      });
      return c.json(result);
    }),
  )
  .post(
    `${PREFIX}/text`,
    json(async (c) => {
      const { session, actor } = await fileCaller(c);
      const body = await jsonBody(
        c,
        z.strictObject({
          path,
          text: z.string().max(TEXT_MAX_BYTES),
          expectSha256: sha256.nullable(),
        }),
      );
      const result = await ask(c, session.id, { kind: "files.writeText", ...body });
      await recordFiles(c.get("deps"), session, actor, {
        key: "log.files.textSaved",
        action: "session.files_changed",
        data: { path: result.path, size: sizeText(result.size), sha256: result.sha256 },
        details: { op: "writeText", path: result.path, bytes: result.size, sha256: result.sha256 },
      });
      return c.json(result);
    }),
  )
  .get(
    `${PREFIX}/hash`,
    json(async (c) => {
      const { session, actor } = await fileCaller(c);
      const q = query(c, z.object({ path }));
      const abort = new AbortController();
      c.req.raw.signal.addEventListener("abort", () => abort.abort(), { once: true });
      const result = await ask(c, session.id, { kind: "files.hash", path: q.path }, {
        signal: abort.signal,
      });
      await recordFiles(c.get("deps"), session, actor, {
        key: "log.files.hashed",
        action: "session.files_read",
        data: { path: result.path, sha256: result.sha256 },
        details: { op: "hash", path: result.path, bytes: result.size, sha256: result.sha256 },
      });
      return c.json(result);
    }),
  );
