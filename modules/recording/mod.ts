/**
 * Screen recording (SPEC R5): the agent's encoded frames written as they pass the server into
 * Matroska/WebM part files (no re-encoding) under the group's recording folder, while the
 * group's policy wants it and the customer allows view; the customer's page says so while it
 * records. The app registers `sessionRecorders(deps)` with remote (`recordersFrom`).
 */
export { sessionRecorders } from "./session_recorders.ts";
/**
 * A server that stops finishes the parts it is writing first (main.ts, on SIGTERM/SIGINT); one
 * that starts, or sees another instance gone, finishes the parts a killed server left open.
 */
export { finishInterruptedParts, finishRecordings } from "./shutdown.ts";
/** Start and stop for a technician (policy `optional` and `recordSessions`). */
export { recordingRoutes } from "./routes.ts";
/**
 * A session's parts for its record page, a part to play or download (audited once per taking)
 * and an admin's deletion — the same for a Lens session's parts (kind "lens"); the caller checks
 * who may read the owner (modules/history for a session's).
 */
export {
  deletePart,
  listParts,
  openPart,
  type PartOwner,
  type RecordingDeletion,
  type RecordingRow,
} from "./parts.ts";
export { defaultRecordingFolder } from "./service.ts";
/** A part's file and an admin's Delete, answered alike for a session's and a Lens session's. */
export { mayDeleteRecordings, partDeleteAnswer, partFileAnswer } from "./part_routes.tsx";
/**
 * The group's "Delete recordings after N days": a sweep every instance runs hourly (main.ts),
 * each expired part deleted once, audited with `reason: "retention"` (retention.ts).
 */
export { deleteExpiredRecordings, startRecordingRetention } from "./retention.ts";
export { recordingHref, RecordingList } from "./views.tsx";
/** Whether the remote view's toolbar offers Record / Stop to a technician (policy.ts). */
export { offersRecordButton, type RecordingPolicy } from "./policy.ts";
export { recordings } from "./schema.ts";
/**
 * Lens recordings: the app registers `lensRecorders(deps)` with lens (`lensRecordersFrom`), so
 * a Lens session's phone video and Opus sound are written as its parts (`recordings.lens_id`)
 * under its group's policy, folder and retention; `lensRecordingRoutes` is its recordings'
 * page (play, download, an admin's delete; who may read the Lens session).
 */
export { lensRecorders } from "./lens_recorders.ts";
export { lensRecordingRoutes } from "./lens_routes.tsx";
export { lensRecordingsHref } from "./views.tsx";
