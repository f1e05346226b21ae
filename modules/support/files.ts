/**
 * Files sent in a session (SPEC T3), either way, with MD5 and SHA-256 for both sides to
 * compare. The bytes stream from the request into `deps.files` (content-addressed on disk)
 * and never cross the database link: on PGlite one big value held the single connection,
 * and everyone else's requests, for seconds. The row keeps name, size and fingerprints;
 * rows from before the file store still carry `content` and are served from it.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Context } from "hono";
import type { Database } from "../db/mod.ts";
import {
  FileTooLarge,
  multipartBoundary,
  readMultipart,
  safeFileName,
  type StoredContent,
} from "../files/mod.ts";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { sessionRefusal, type SupportSession } from "./engine.ts";
import { type FileDirection, sessionFiles, sessionLog, supportSessions } from "./schema.ts";

export type SessionFile = Omit<typeof sessionFiles.$inferSelect, "content">;

export const DEFAULT_FILE_LIMIT = 25 * 1024 * 1024;

/** Most files whoever holds a customer link may send in one session. */
export const CUSTOMER_FILES_MAX = 20;

/** A customer's files in one session may total this many times FILE_LIMIT_MB. */
export const CUSTOMER_BYTES_FACTOR = 10;

/** Room for the multipart envelope around a file at the limit (plain form posts). */
const MULTIPART_SLACK = 64 * 1024;

/** The configured limit for files sent in a session (FILE_LIMIT_MB), either way. */
export function fileLimit(deps: AppDeps): number {
  return deps.config.fileLimitBytes ?? DEFAULT_FILE_LIMIT;
}

/** The total a customer may send in one session. */
export function customerBytesQuota(deps: AppDeps): number {
  return CUSTOMER_BYTES_FACTOR * fileLimit(deps);
}

/** A file to store: its bytes in hand (small, made by the server) or streaming in. */
export type IncomingFile =
  & { name: string; type: string }
  & ({ bytes: Uint8Array } | { body: ReadableStream<Uint8Array> });

/**
 * Stores a file with both fingerprints and logs them for both sides to compare. The body
 * is read once, straight to disk, and refused past `limit` — or, for a customer, past what
 * is left of the session's quota (`files.quotaFiles`, `files.quotaBytes`).
 */
export async function storeFile(
  deps: AppDeps,
  session: SupportSession,
  file: IncomingFile,
  from: { direction: FileDirection; user?: CurrentUser },
  limit: number,
): Promise<SessionFile> {
  const quota = from.user ? undefined : customerBytesQuota(deps);
  let maxBytes = limit;
  if (quota !== undefined) {
    const used = await _customerUse(deps.db, session.id);
    _checkQuota(used, quota, 1);
    maxBytes = Math.min(limit, quota - used.bytes);
  }
  const body = "bytes" in file ? ReadableStream.from([file.bytes]) : file.body;
  let stored: StoredContent;
  try {
    stored = await deps.files.put(body, { maxBytes });
  } catch (error) {
    if (!(error instanceof FileTooLarge)) throw error;
    if (maxBytes < limit) throw sessionRefusal("files.quotaBytes", "Session quota");
    throw sessionRefusal("files.tooLarge", "Too large");
  }
  if (stored.size === 0) throw sessionRefusal("files.empty", "Empty file");
  const name = safeFileName(file.name);
  const now = deps.clock.now();
  const { row, logId } = await deps.db.transaction(async (tx) => {
    if (quota !== undefined) {
      // Uploads of one session run one at a time past this point: the quota holds under races.
      await tx.select({ id: supportSessions.id }).from(supportSessions)
        .where(eq(supportSessions.id, session.id)).for("update");
      _checkQuota(await _customerUse(tx, session.id), quota, stored.size);
    }
    const [row] = await tx.insert(sessionFiles).values({
      sessionId: session.id,
      direction: from.direction,
      name,
      contentType: /^[\w.+-]+\/[\w.+-]+$/.test(file.type) ? file.type : "application/octet-stream",
      size: stored.size,
      md5: stored.md5,
      sha256: stored.sha256,
      content: null,
      uploadedBy: from.user?.id ?? null,
      createdAt: now,
    }).returning();
    const [line] = await tx.insert(sessionLog).values({
      sessionId: session.id,
      at: now,
      kind: "file",
      author: from.user ? "technician" : "customer",
      userId: from.user?.id ?? null,
      authorName: from.user?.name ?? session.customerName,
      body: name,
      data: {
        fileId: row.id,
        size: row.size,
        md5: stored.md5,
        sha256: stored.sha256,
        direction: from.direction,
      },
    }).returning({ id: sessionLog.id });
    return { row, logId: line.id };
  });
  deps.live.publish({ kind: "log", orgId: session.orgId, sessionId: session.id, logId });
  const { content: _content, ...meta } = row;
  return meta;
}

/** A session's file opened for download: its row, its size and a stream of its bytes. */
export interface OpenedFile {
  file: SessionFile;
  size: number;
  body: ReadableStream<Uint8Array>;
}

/** The file `fileId` of this session sent in `direction`, streamed from the store. */
export async function openFile(
  deps: AppDeps,
  sessionId: string,
  fileId: string,
  direction: FileDirection,
): Promise<OpenedFile | undefined> {
  if (!/^[0-9a-f-]{36}$/.test(fileId)) return undefined;
  const [row] = await deps.db.select().from(sessionFiles).where(and(
    eq(sessionFiles.id, fileId),
    eq(sessionFiles.sessionId, sessionId),
    eq(sessionFiles.direction, direction),
  ));
  if (!row) return undefined;
  const { content, ...file } = row;
  if (content) {
    return { file, size: content.length, body: ReadableStream.from([new Uint8Array(content)]) };
  }
  const opened = await deps.files.open(row.sha256);
  return opened && { file, ...opened };
}

/**
 * The file of an upload request, not read yet: scripts send the bytes as the raw body with
 * the name in `X-File-Name` (percent-encoded); a plain form (no JavaScript) sends multipart,
 * read as a stream too (the CSRF check only peeks at its leading `_csrf`). Undefined when no
 * file was chosen. A declared length past the limit is refused before anything is read.
 */
export async function readUpload(
  c: Context,
  limit: number,
): Promise<(IncomingFile & { body: ReadableStream<Uint8Array> }) | undefined> {
  const declared = Number(c.req.header("content-length") ?? 0);
  const rawName = c.req.header("x-file-name");
  if (rawName !== undefined) {
    if (declared > limit) throw sessionRefusal("files.tooLarge", "Too large");
    let name = rawName;
    try {
      name = decodeURIComponent(rawName);
    } catch { /* not percent-encoded: take it as it is */ }
    const type = c.req.header("content-type") ?? "";
    return { name, type, body: c.req.raw.body ?? ReadableStream.from([]) };
  }
  if (declared > limit + MULTIPART_SLACK) throw sessionRefusal("files.tooLarge", "Too large");
  const boundary = multipartBoundary(c.req.header("content-type"));
  if (boundary && c.req.raw.body && !c.req.raw.bodyUsed) {
    let upload;
    try {
      upload = await readMultipart(c.req.raw.body, boundary);
    } catch {
      throw new Refusal(400, "errors.badForm");
    }
    if (!upload.file || upload.file.field !== "file") return undefined;
    if (!upload.file.name) {
      await upload.file.body.cancel();
      return undefined;
    }
    return { name: upload.file.name, type: upload.file.type, body: upload.file.body };
  }
  // Already parsed by someone before us (within the route's body cap): use that.
  let form: Record<string, unknown>;
  try {
    form = await c.req.parseBody();
  } catch {
    throw new Refusal(400, "errors.badForm");
  }
  const file = form.file;
  if (!(file instanceof File) || (file.size === 0 && !file.name)) return undefined;
  return { name: file.name, type: file.type, body: file.stream() };
}

async function _customerUse(
  db: Database,
  sessionId: string,
): Promise<{ count: number; bytes: number }> {
  const [use] = await db.select({
    count: sql<number>`count(*)::int`,
    bytes: sql<number>`coalesce(sum(${sessionFiles.size}), 0)::bigint`,
  }).from(sessionFiles).where(and(
    eq(sessionFiles.sessionId, sessionId),
    eq(sessionFiles.direction, "to_technician"),
  ));
  return { count: Number(use.count), bytes: Number(use.bytes) };
}

/** Refuses one more file of `adding` bytes when the session's count or total would pass. */
function _checkQuota(used: { count: number; bytes: number }, quota: number, adding: number) {
  if (used.count >= CUSTOMER_FILES_MAX) {
    throw sessionRefusal("files.quotaFiles", "Session file count");
  }
  if (used.bytes + adding > quota) throw sessionRefusal("files.quotaBytes", "Session quota");
}
