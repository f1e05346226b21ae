/**
 * Recordings across a server's stop and start. A server that stops (SIGTERM, SIGINT: an
 * upgrade, a restart) finishes the parts it is writing before it exits, as a Stop would; one
 * that was killed (or lost power) left its parts open, so the next start — and any instance
 * that sees another one gone — finishes what nobody writes any more (part_repair.ts). Without
 * this a restart left every recording in progress "unfinished", 0.0 MB on its record page, and
 * its file without a length to seek by.
 */
import { and, eq, isNull } from "drizzle-orm";
import type { AppDeps } from "../http/mod.ts";
import { lensHomeOf } from "../lens/mod.ts";
import { homeOf, remoteHub } from "../remote/mod.ts";
import { lensRecordersHere } from "./lens_recorders.ts";
import { finishPartFile } from "./part_repair.ts";
import { recordings } from "./schema.ts";
import { recorderOf } from "./session_recorders.ts";

/** Stops every recording this app is writing; resolves once their parts are on disk. */
export async function finishRecordings(deps: AppDeps): Promise<void> {
  const stops = remoteHub(deps).all().map((remote) => recorderOf(remote)?.stop(null));
  const lens = lensRecordersHere(deps).map((recorder) => recorder.stop(null));
  await Promise.allSettled([...stops, ...lens]);
}

/**
 * Finishes the parts left open by a server that stopped without closing them: rows with no
 * end, not written here, whose session's support app is not on another live instance (that
 * one may still be writing). Each file gets its sizes and Duration, each row its end (its start
 * plus the last frame's time) and size; a file that is gone ends its row at its start.
 * Returns how many it finished.
 */
export async function finishInterruptedParts(deps: AppDeps): Promise<number> {
  const open = await deps.db.select().from(recordings).where(isNull(recordings.endedAt));
  const writtenHere = new Set([
    ...remoteHub(deps).all().flatMap((remote) => [...recorderOf(remote)?.unsettledPaths ?? []]),
    ...lensRecordersHere(deps).flatMap((recorder) => [...recorder.unsettledPaths]),
  ]);
  let finished = 0;
  for (const row of open) {
    if (writtenHere.has(row.path)) continue;
    // Its support app, or its Lens session, still on another live instance: written there.
    const home = row.sessionId
      ? await homeOf(deps, row.sessionId)
      : await lensHomeOf(deps, row.lensId!);
    if (home.kind === "elsewhere") continue;
    const end = await _finish(row.path).catch((error) => {
      deps.log.warn("recording part not finished", { path: row.path, error: String(error) });
      return null;
    });
    if (!end) continue;
    await deps.db.update(recordings)
      .set({
        endedAt: new Date(row.startedAt.getTime() + end.durationMs),
        bytes: end.bytes,
        durationMs: end.durationMs,
      })
      .where(and(eq(recordings.id, row.id), isNull(recordings.endedAt)));
    finished++;
  }
  return finished;
}

async function _finish(path: string): Promise<{ bytes: number; durationMs: number } | null> {
  try {
    return await finishPartFile(path) ?? { bytes: (await Deno.stat(path)).size, durationMs: 0 };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { bytes: 0, durationMs: 0 };
    throw error;
  }
}
