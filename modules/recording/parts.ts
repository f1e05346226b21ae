/**
 * A recording's parts, one implementation for a support session's (`recordings.session_id`)
 * and a Lens session's (`recordings.lens_id`): their list, one part found, a part opened for
 * playing or download (audited once per taking), and an admin's deletion (file, then row with
 * its audit line). What differs is the owner's kind: the column, the audit action's prefix
 * (`session.` / `lens.`) and the Lens file name's `lens-`. The caller has checked who may read
 * the owner (history's `readableSession`, lens's `readableLens`).
 */
import { and, asc, eq } from "drizzle-orm";
import { recordAudit } from "../audit/mod.ts";
import type { Database } from "../db/mod.ts";
import { type AppDeps, type ByteRange, parseByteRange } from "../http/mod.ts";
import { recordingFileName } from "./file_name.ts";
import { recordings } from "./schema.ts";

export type RecordingRow = typeof recordings.$inferSelect;

/** Whose parts: a support session's or a Lens session's. */
export type PartOwnerKind = "session" | "lens";

/** The owner of parts: its kind, its id, its organisation (for the audit lines). */
export interface PartOwner {
  kind: PartOwnerKind;
  id: string;
  orgId: string;
}

/** A part opened for playing or download; the caller sends it (`fileResponse` closes it). */
export interface OpenedPart {
  file: Deno.FsFile;
  size: number;
  range: ByteRange | "unsatisfiable" | null;
  name: string;
  contentType: string;
}

/** What a deletion did: the part is gone, there is none, or it is still being written. */
export type RecordingDeletion = "deleted" | "missing" | "unfinished";

const _ownerColumn = (kind: PartOwnerKind) =>
  kind === "session" ? recordings.sessionId : recordings.lensId;

/** The owner's parts in order. */
export async function listParts(
  db: Database,
  kind: PartOwnerKind,
  ownerId: string,
): Promise<RecordingRow[]> {
  return await db.select().from(recordings).where(eq(_ownerColumn(kind), ownerId))
    .orderBy(asc(recordings.startedAt), asc(recordings.path));
}

/** One of the owner's parts, or null (also for an id that is no UUID). */
export async function findPart(
  db: Database,
  kind: PartOwnerKind,
  ownerId: string,
  id: string,
): Promise<RecordingRow | null> {
  if (!/^[0-9a-f-]{36}$/.test(id)) return null;
  const [row] = await db.select().from(recordings)
    .where(and(eq(_ownerColumn(kind), ownerId), eq(recordings.id, id)));
  return row ?? null;
}

/**
 * A part's file for playing or download, opened, with the byte range `options.range` (the
 * request's Range header) asks of it, and an audit line naming who took it
 * (`<kind>.recording_downloaded`) — for a taking from the first byte only: a player's seeks and
 * a resumed download are the same taking, not one line each. Null when there is no such part or
 * its file is gone. `name` is what to save it as (file_name.ts: the start in UTC, the customer,
 * the part's number; `lens-` before a Lens part's).
 */
export async function openPart(
  deps: AppDeps,
  owner: PartOwner & { customerName: string | null },
  id: string,
  user: { id: string; email?: string | null },
  options: { range?: string | null } = {},
): Promise<OpenedPart | null> {
  const row = await findPart(deps.db, owner.kind, owner.id, id);
  if (!row) return null;
  const webm = row.path.endsWith(".webm");
  const parts = await listParts(deps.db, owner.kind, owner.id);
  const name = (owner.kind === "lens" ? "lens-" : "") + recordingFileName({
    startedAt: row.startedAt,
    number: parts.findIndex((p) => p.id === row.id) + 1,
    extension: webm ? "webm" : "mkv",
  }, owner.customerName ?? "");
  const file = await Deno.open(row.path, { read: true }).catch(() => null);
  if (!file) return null;
  const { size } = await file.stat();
  const range = parseByteRange(options.range, size);
  if (range === null || (range !== "unsatisfiable" && range.start === 0)) {
    await recordAudit(deps.db, {
      orgId: owner.orgId,
      actorId: user.id,
      actorEmail: user.email ?? null,
      action: `${owner.kind}.recording_downloaded`,
      target: owner.id,
      details: { recordingId: row.id, bytes: size },
      at: deps.clock.now(),
    }).catch((error) => {
      file.close();
      throw error;
    });
  }
  return { file, size, range, name, contentType: webm ? "video/webm" : "video/x-matroska" };
}

/**
 * Deletes a part — its file, then its row with the audit line naming who did
 * (`<kind>.recording_deleted`), in one transaction — (the caller has checked that `user` is an
 * admin who may read the owner). A part still being written (no end yet) is kept: its recorder
 * would go on writing to a file nobody lists.
 */
export async function deletePart(
  deps: AppDeps,
  owner: PartOwner,
  id: string,
  user: { id: string; email?: string | null },
): Promise<RecordingDeletion> {
  const row = await findPart(deps.db, owner.kind, owner.id, id);
  if (!row) return "missing";
  if (!row.endedAt) return "unfinished";
  await Deno.remove(row.path).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
  await deps.db.transaction(async (tx) => {
    await tx.delete(recordings).where(eq(recordings.id, row.id));
    await recordAudit(tx, {
      orgId: owner.orgId,
      actorId: user.id,
      actorEmail: user.email ?? null,
      action: `${owner.kind}.recording_deleted`,
      target: owner.id,
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
