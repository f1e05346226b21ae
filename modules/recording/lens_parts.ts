/**
 * A Lens session's recording in the database and on disk: its parts' rows (`recordings` with
 * `lens_id`), their list, a part opened for playing or download (audited once, as a session's
 * part: `lens.recording_downloaded`), and an admin's deletion (file, then row, audited
 * `lens.recording_deleted`). The caller has checked who may read the Lens session (lens's
 * `readableLens`).
 */
import { and, asc, eq } from "drizzle-orm";
import { recordAudit } from "../audit/mod.ts";
import type { Database } from "../db/mod.ts";
import { type AppDeps, type ByteRange, parseByteRange } from "../http/mod.ts";
import { markLensRecorded } from "../lens/mod.ts";
import { recordingFileName } from "./file_name.ts";
import type { PartStart } from "./recorder.ts";
import { recordings } from "./schema.ts";
import type { RecordingDeletion, RecordingRow } from "./service.ts";

/** The rows of a Lens session's parts (`part.sessionId` is the Lens session's id). */
export function lensPartStore(db: Database) {
  return {
    async opened(part: PartStart): Promise<string> {
      const { sessionId: lensId, ...rest } = part;
      const [row] = await db.insert(recordings).values({ ...rest, lensId })
        .returning({ id: recordings.id });
      // The record and the reports say "recorded" once a file really is on the server.
      await markLensRecorded(db, lensId);
      return row.id;
    },
    async closed(id: string, end: { endedAt: Date; bytes: number }): Promise<void> {
      await db.update(recordings).set(end).where(eq(recordings.id, id));
    },
  };
}

/** A Lens session's recording: its parts in order. */
export async function listLensRecordings(db: Database, lensId: string): Promise<RecordingRow[]> {
  return await db.select().from(recordings).where(eq(recordings.lensId, lensId))
    .orderBy(asc(recordings.startedAt), asc(recordings.path));
}

async function _find(db: Database, lensId: string, id: string): Promise<RecordingRow | null> {
  if (!/^[0-9a-f-]{36}$/.test(id)) return null;
  const [row] = await db.select().from(recordings)
    .where(and(eq(recordings.lensId, lensId), eq(recordings.id, id)));
  return row ?? null;
}

/**
 * A Lens part's file for playing or download, with the range the request asks (as a session's
 * part, service.ts `openRecording`): audited once per taking from the first byte.
 */
export async function openLensRecording(
  deps: AppDeps,
  lens: { id: string; orgId: string; customerName: string | null },
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
  const row = await _find(deps.db, lens.id, id);
  if (!row) return null;
  const webm = row.path.endsWith(".webm");
  const parts = await listLensRecordings(deps.db, lens.id);
  const name = "lens-" + recordingFileName({
    startedAt: row.startedAt,
    number: parts.findIndex((p) => p.id === row.id) + 1,
    extension: webm ? "webm" : "mkv",
  }, lens.customerName ?? "");
  const file = await Deno.open(row.path, { read: true }).catch(() => null);
  if (!file) return null;
  const { size } = await file.stat();
  const range = parseByteRange(options.range, size);
  if (range === null || (range !== "unsatisfiable" && range.start === 0)) {
    await recordAudit(deps.db, {
      orgId: lens.orgId,
      actorId: user.id,
      actorEmail: user.email ?? null,
      action: "lens.recording_downloaded",
      target: lens.id,
      details: { recordingId: row.id, bytes: size },
      at: deps.clock.now(),
    }).catch((error) => {
      file.close();
      throw error;
    });
  }
  return { file, size, range, name, contentType: webm ? "video/webm" : "video/x-matroska" };
}

/** Deletes a finished Lens part — file, then row — audited; one still written is kept. */
export async function deleteLensRecording(
  deps: AppDeps,
  lens: { id: string; orgId: string },
  id: string,
  user: { id: string; email?: string | null },
): Promise<RecordingDeletion> {
  const row = await _find(deps.db, lens.id, id);
  if (!row) return "missing";
  if (!row.endedAt) return "unfinished";
  await Deno.remove(row.path).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
  await deps.db.transaction(async (tx) => {
    await tx.delete(recordings).where(eq(recordings.id, row.id));
    await recordAudit(tx, {
      orgId: lens.orgId,
      actorId: user.id,
      actorEmail: user.email ?? null,
      action: "lens.recording_deleted",
      target: lens.id,
      details: {
        recordingId: row.id,
        startedAt: row.startedAt.toISOString(),
        bytes: row.bytes,
        file: row.path.slice(row.path.lastIndexOf("/") + 1),
      },
      at: deps.clock.now(),
    });
  });
  return "deleted";
}
