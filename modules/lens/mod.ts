/**
 * Lens (SPEC M1): a customer's phone camera and microphone streamed to the technician over
 * the remote view's media path — received by the server's werift peer and relayed to the
 * technician's browser untranscoded — with the technician's freeze, screenshot, zoom, mute,
 * record and drawing (seen on the phone too), and the customer's pause, mute, flashlight and
 * disconnect. One Lens session per technician at a time, in memory on the instance that
 * started it (its home, `lens_homes`: requests landing elsewhere are relayed there), each
 * with its record in `lens_sessions` (created, live, ended and why, recorded: the technician's
 * recent list and the reports read it). `lensRoutes` are the technician's page
 * (`/console/lens`, `lens` permission) and the customer's (`/lens/<token>`);
 * `lensRegistry(deps)` holds the running sessions.
 */
export { lensRoutes } from "./routes.tsx";
export { lensRegistry } from "./registry.ts";
/**
 * The records of Lens sessions whose instance is gone, closed (`instanceGone`) when it is seen
 * gone — at every start and on the heartbeat's `onGone` (main.ts) — and this instance's own
 * closed when it stops cleanly (`closeLensRecordsHere`, before it deregisters).
 */
export { closeLensRecordsHere, closeLensRecordsOfGoneInstances } from "./record.ts";
/**
 * The place for a Lens session's recorder (recorder_slot.ts): modules/recording provides it,
 * the app registers it; the phone's frames and sound reach it on the session's home.
 */
export {
  type LensFrameRecorder,
  type LensRecordAction,
  lensRecordersFrom,
  type LensRecorderSource,
  type RecordedLens,
} from "./recorder_slot.ts";
/**
 * Who may read a Lens session's record and so its recordings (readable.ts); its home, for a
 * part left open (lens_home.ts); its record says a recording was stored (record.ts).
 */
export { mayReadLens, type ReadableLens, readableLens } from "./readable.ts";
export { lensHomeOf } from "./lens_home.ts";
export { markLensRecorded } from "./record.ts";
export { lensSessions } from "./schema.ts";
