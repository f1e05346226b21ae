/**
 * Recordings in the database and on disk: the group's policy and folder, checking a folder
 * (absolute, created if missing, writable), and the parts' rows for the recorder (listed,
 * opened and deleted by parts.ts).
 */
import { eq } from "drizzle-orm";
import { join } from "node:path";
import type { Database } from "../db/mod.ts";
import type { AppDeps } from "../http/mod.ts";
import { markLensRecorded } from "../lens/mod.ts";
import { settingsFor } from "../support/mod.ts";
import type { RecordingPolicy } from "./policy.ts";
import type { PartEnd, PartStart } from "./recorder.ts";
import type { PartOwnerKind } from "./parts.ts";
import { recordings } from "./schema.ts";

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

/**
 * The parts' rows, for the recorder: a session's, or a Lens session's (`part.sessionId` is then
 * the Lens session's id, written as `lens_id`, and the Lens session is marked recorded).
 */
export function partStore(db: Database, kind: PartOwnerKind = "session") {
  return {
    async opened(part: PartStart): Promise<string> {
      const { sessionId: lensId, ...rest } = part;
      const [row] = await db.insert(recordings).values(kind === "lens" ? { ...rest, lensId } : part)
        .returning({ id: recordings.id });
      // The record and the reports say "recorded" once a file really is on the server.
      if (kind === "lens") await markLensRecorded(db, lensId);
      return row.id;
    },
    async closed(id: string, end: PartEnd): Promise<void> {
      await db.update(recordings).set(end).where(eq(recordings.id, id));
    },
  };
}
