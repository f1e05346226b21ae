/**
 * Recordings in the database and on disk: the group's policy and folder, checking a folder
 * (absolute, created if missing, writable), the parts' rows, and a session's list.
 */
import { and, asc, eq } from "drizzle-orm";
import { join } from "node:path";
import { recordAudit } from "../audit/mod.ts";
import type { Database } from "../db/mod.ts";
import { type AppDeps, type ByteRange, parseByteRange } from "../http/mod.ts";
import { settingsFor } from "../support/mod.ts";
import type { RecordingPolicy } from "./policy.ts";
import { recordingFileName } from "./file_name.ts";
import type { PartStart } from "./recorder.ts";
import { recordings } from "./schema.ts";

export type RecordingRow = typeof recordings.$inferSelect;

/** The group's recording policy and the folder its recordings go to. */
export async function recordingSettings(
  deps: AppDeps,
  groupId: string | null,
): Promise<{ policy: RecordingPolicy; folder: string }> {
  const settings = await settingsFor(deps.db, groupId);
  return {
    policy: settings.recordingPolicy,
    folder: settings.recordingLocation || defaultRecordingFolder(deps.config.dataDir),
  };
}

/** Where recordings go when the group names no folder: `recordings/` in the data folder. */
export function defaultRecordingFolder(dataDir: string): string {
  return join(dataDir, "recordings");
}

/** The parts' rows, for the recorder. */
export function partStore(db: Database) {
  return {
    async opened(part: PartStart): Promise<string> {
      const [row] = await db.insert(recordings).values(part).returning({ id: recordings.id });
      return row.id;
    },
    async closed(id: string, end: { endedAt: Date; bytes: number }): Promise<void> {
      await db.update(recordings).set(end).where(eq(recordings.id, id));
    },
  };
}

/** A session's recording: its parts in order. */
export async function listRecordings(db: Database, sessionId: string): Promise<RecordingRow[]> {
  return await db.select().from(recordings).where(eq(recordings.sessionId, sessionId))
    .orderBy(asc(recordings.startedAt), asc(recordings.path));
}

export async function findRecording(
  db: Database,
  sessionId: string,
  id: string,
): Promise<RecordingRow | null> {
  if (!/^[0-9a-f-]{36}$/.test(id)) return null;
  const [row] = await db.select().from(recordings)
    .where(and(eq(recordings.sessionId, sessionId), eq(recordings.id, id)));
  return row ?? null;
}

/**
 * A part's file for download, opened, with the byte range `options.range` (the request's Range
 * header) asks of it, and an audit line naming who took it (the caller has checked that `user`
 * may read the session) — for a download from the first byte only: a player's seeks and a
 * resumed download are the same taking, not one line each. Null when there is no such part or
 * its file is gone; the caller sends the file (`fileResponse`), which closes it. `name` is what
 * to save it as (file_name.ts: the start in UTC, the customer, the part's number).
 */
export async function openRecording(
  deps: AppDeps,
  session: { id: string; orgId: string; customerName: string },
  id: string,
  user: { id: string; email?: string | null },
  options: { range?: string | null } = {},
): Promise<
  {
    file: Deno.FsFile;
    size: number;
    range: ByteRange | "unsatisfiable" | null;
    name: string;
    contentType: string;
  } | null
> {
  const row = await findRecording(deps.db, session.id, id);
  if (!row) return null;
  const webm = row.path.endsWith(".webm");
  const parts = await listRecordings(deps.db, session.id);
  const name = recordingFileName({
    startedAt: row.startedAt,
    number: parts.findIndex((p) => p.id === row.id) + 1,
    extension: webm ? "webm" : "mkv",
  }, session.customerName);
  const file = await Deno.open(row.path, { read: true }).catch(() => null);
  if (!file) return null;
  const { size } = await file.stat();
  const range = parseByteRange(options.range, size);
  if (range === null || (range !== "unsatisfiable" && range.start === 0)) {
    await recordAudit(deps.db, {
      orgId: session.orgId,
      actorId: user.id,
      actorEmail: user.email ?? null,
      action: "session.recording_downloaded",
      target: session.id,
      details: { recordingId: row.id, bytes: size },
      at: deps.clock.now(),
    }).catch((error) => {
      file.close();
      throw error;
    });
  }
  return { file, size, range, name, contentType: webm ? "video/webm" : "video/x-matroska" };
}

/** What a deletion did: the part is gone, there is none, or it is still being written. */
export type RecordingDeletion = "deleted" | "missing" | "unfinished";

/**
 * Deletes a part — its file, then its row — with an audit line naming who did (the caller has
 * checked that `user` is an admin who may read the session). A part still being written (no end
 * yet) is kept: its recorder would go on writing to a file nobody lists.
 */
export async function deleteRecording(
  deps: AppDeps,
  session: { id: string; orgId: string },
  id: string,
  user: { id: string; email?: string | null },
): Promise<RecordingDeletion> {
  const row = await findRecording(deps.db, session.id, id);
  if (!row) return "missing";
  if (!row.endedAt) return "unfinished";
  await Deno.remove(row.path).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
  await deps.db.delete(recordings).where(eq(recordings.id, row.id));
  await recordAudit(deps.db, {
    orgId: session.orgId,
    actorId: user.id,
    actorEmail: user.email ?? null,
    action: "session.recording_deleted",
    target: session.id,
    details: {
      recordingId: row.id,
      startedAt: row.startedAt.toISOString(),
      bytes: row.bytes,
      file: row.path.slice(row.path.lastIndexOf("/") + 1),
    },
    at: deps.clock.now(),
  });
  return "deleted";
}
