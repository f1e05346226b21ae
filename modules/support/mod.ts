/**
 * Support sessions (SPEC C1–C5, C7, Q1–Q8, T1–T3, T5): creating them, the customer's
 * connection, each technician's queue row moved by the state machine of modules/sessions,
 * persisted deadlines, chat and the session log, files, notes — and who sees what. Every
 * change is written in one transaction and then announced on `deps.live`.
 */
export {
  type Entry,
  loadSession,
  sessionRefusal,
  settingsFor,
  type SupportSession,
} from "./engine.ts";
export {
  createChannelSession,
  type CreatedSession,
  createPrivateSession,
  customerLink,
  type NewChannelSession,
  type NewPrivateSession,
  type PrivateMethod,
  type SmsSender,
} from "./create.ts";
export { checkPin, PIN_POLICY, type PinVerdict } from "./pin.ts";
export {
  acceptTerms,
  CHAT_MAX,
  customerChat,
  customerConnected,
  customerLeft,
  customerLost,
  findByToken,
  pinRefused,
  setCustomerLanguage,
  termsDeclined,
} from "./customer.ts";
/**
 * The customer's side over HTTP: `/pin`, the Instant Chat page `/s/:token` and its live
 * stream; `customerStreams(deps)` holds that app's open streams and grace timers.
 */
export { customerRoutes } from "./customer_routes.tsx";
export {
  type CustomerStreamOptions,
  CustomerStreams,
  customerStreams,
} from "./customer_streams.ts";
export {
  endSession,
  holdSession,
  returnTransfer,
  startSession,
  transferSession,
  type TransferTarget,
} from "./actions.ts";
export {
  editFields,
  type LogLine,
  logSessionEvent,
  pushUrl,
  readLog,
  readLogLine,
  readNotes,
  saveNote,
  sessionActivity,
  sessionForTechnician,
  setChatEnabled,
  technicianChat,
} from "./talk.ts";
/**
 * Files both ways: `readUpload` takes the file of a request without reading it,
 * `storeFile` streams it into `deps.files` (size cap, a customer's per-session quota,
 * MD5 and SHA-256 logged), `openFile` streams it back (also rows from before the store).
 */
export {
  CUSTOMER_BYTES_FACTOR,
  CUSTOMER_FILES_MAX,
  customerBytesQuota,
  DEFAULT_FILE_LIMIT,
  fileLimit,
  type IncomingFile,
  type OpenedFile,
  openFile,
  readUpload,
  type SessionFile,
  storeFile,
} from "./files.ts";
export {
  loadSnapshots,
  queueFor,
  type QueueRow,
  type SessionSnapshot,
  snapshotMemo,
  type Viewer,
  viewerFor,
  type Visibility,
  visibilityOf,
  visibleRows,
} from "./queue.ts";
export { fireDueDeadlines, startSessionTimers } from "./timers.ts";
/** For the metrics scrape: sessions waiting now, and how late the oldest due deadline is. */
export { type QueueGauges, queueGauges } from "./gauges.ts";
export { channelSessionHooks } from "./channel_hooks.tsx";
export { channelAvailability, isTechnicianAvailable, presenceOf } from "./presence.ts";
export {
  queueEntries,
  sessionDeadlines,
  sessionFiles,
  sessionLog,
  sessionNotes,
  supportSessions,
} from "./schema.ts";
