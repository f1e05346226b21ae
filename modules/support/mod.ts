/**
 * Support sessions (SPEC C1–C5, C7, Q1–Q8, T1–T3, T5): creating them, the customer's
 * connection, each technician's queue row moved by the state machine of modules/sessions,
 * persisted deadlines, chat and the session log, files, notes — and who sees what. Every
 * change is written in one transaction and then announced on `deps.live`.
 *
 * The surface is what the console, the remote view, the API and the app's composition use;
 * tests reach further through `test_support.ts`.
 */

/**
 * A session and who may work on it: `sessionForTechnician` is the one access check behind
 * every technician action (a session the caller cannot see is "not found"); `isWorkedNow`
 * says whether someone works it now, not held (remote view stops otherwise); `settingsFor`
 * reads the group settings a session or technician works under; `invitedGrant` is the same
 * rule for an external technician (its inviter's group, narrowed to its invitation's set).
 */
export { type Entry, loadSession, settingsFor, type SupportSession } from "./engine.ts";
export {
  type Granted,
  invitedGrant,
  isWorkedNow,
  sessionForTechnician,
  sessionGrant,
} from "./access.ts";
/**
 * The same question for every session tool route, a technician's or an external technician's
 * (its routes under `/x`): `sessionForCaller` — the session, what the caller may do in it, and
 * who it is for the log and audit (`auditActor` names a guest in an entry's details).
 */
export {
  auditActor,
  type CallerInSession,
  type SessionActor,
  sessionForCaller,
  technicianActor,
} from "./caller.ts";

/**
 * For the module that adds technicians to a session (modules/collaboration): the engine's
 * one way to move a row (`applyEvent`, inside the caller's transaction), the live rows, an
 * event line, and the refusals every surface answers alike. `isTechniciansOnly` says a chat
 * line is the technicians' private chat, which no customer-facing reader shows.
 */
export { applyEvent, liveEntries, logEvent, permissionRefusal, sessionRefusal } from "./engine.ts";
export { isTechniciansOnly } from "./customer_log_view.tsx";

/**
 * Creating sessions: a private one by PIN, link, e-mail or SMS (`createPrivateSession`),
 * and the hooks through which a channel's public form creates one (`channelSessionHooks`).
 */
export { createPrivateSession, type SmsSender } from "./create.ts";
/** A session with nobody present, Active at once (unattended access, modules/unattended). */
export { createUnattendedSession } from "./unattended_session.ts";
export { channelSessionHooks } from "./channel_hooks.tsx";

/**
 * The customer's side: their token, connection and language (the agent reports them too),
 * PIN entry, the pages `/pin` and `/s/:token` (`customerRoutes`), and `customerStreams(deps)`,
 * which holds that app's open customer streams and grace timers.
 */
export {
  customerConnected,
  customerLeft,
  findByToken,
  noDesktopWords,
  pinRefused,
  recordDevice,
  recordNoDesktop,
  setCustomerLanguage,
} from "./customer.ts";
export { checkPin } from "./pin.ts";
export { customerRoutes } from "./customer_routes.tsx";
/** The customer pages' shell, for pages other modules add under `/s/:token` (the survey). */
export { CustomerShell } from "./customer_views.tsx";
export { customerStreams } from "./customer_streams.ts";

/**
 * A restart of the customer's computer (SPEC R8, Q8 Rebooting): the technician's request and
 * the restart's outcome in the log and the audit, the agent's announcement (rows go
 * Rebooting), and the same device's return (`agentReturned`: rows go back).
 */
export {
  agentReturned,
  rebootAnnounced,
  rebooting,
  type RebootModeName,
  rebootNotDone,
  rebootRequested,
} from "./reboot.ts";

/** A technician's buttons (Start, Hold, End, Transfer, return) and inline field edits. */
export {
  endSession,
  holdSession,
  returnTransfer,
  startSession,
  transferSession,
  type TransferTarget,
} from "./actions.ts";
/**
 * What else happens in the transaction that ends a session, however it ends (a technician's
 * End, the customer leaving, a deadline): registered per app by the composition.
 */
export { type SessionEnd, type WhenEnded, whenSessionEnds } from "./end_hooks.ts";
export { editFields } from "./field_edits.ts";

/**
 * Talking: the technician's chat, switching chat off, pushing a URL, notes, and the session
 * log both sides read (`logSessionEvent` writes an event line and tells everyone showing it).
 */
export {
  CHAT_MAX,
  externalChat,
  newChatKey,
  pushUrl,
  setChatEnabled,
  technicianChat,
} from "./chat.ts";
export { readNotes, saveNote } from "./notes.ts";
export {
  agentExpectedBack,
  type LogLine,
  logSessionEvent,
  readLog,
  readLogLine,
} from "./session_log.ts";

/**
 * Files both ways: `readUpload` takes the file of a request without reading it,
 * `storeFile` streams it into `deps.files` (size cap, a customer's per-session quota,
 * MD5 and SHA-256 logged), `openFile` streams it back (also rows from before the store).
 */
export { fileLimit, openFile, readUpload, storeFile } from "./files.ts";

/**
 * Queues: who a technician is to the queue (`viewerFor`), the rows it sees (`queueFor`,
 * `visibleRows`), snapshots for single-row refreshes, and presence for transfer targets.
 */
export {
  loadSnapshots,
  queueFor,
  type QueueRow,
  type SessionSnapshot,
  snapshotMemo,
  type Viewer,
  viewerFor,
  visibleRows,
} from "./queue.ts";
export { isTechnicianAvailable, presenceOf } from "./presence.ts";

/**
 * Time: `startSessionTimers` fires the persisted deadlines as they come due (once per app),
 * `fireDueDeadlines` fires what is due at a given moment (what the timers call; tests call it
 * with a set clock); `sessionActivity` pushes a session's inactivity deadline back for work
 * that is not chat.
 */
export {
  expireConnecting,
  fireDueDeadlines,
  sessionActivity,
  startSessionTimers,
} from "./timers.ts";
/** For the metrics scrape: sessions waiting now, and how late the oldest due deadline is. */
export { type QueueGauges, queueGauges } from "./gauges.ts";

/**
 * The tables, for the modules that read past sessions (history and search, reports): they
 * read, never write — every change goes through the functions above.
 */
export { queueEntries, sessionFiles, sessionLog, sessionNotes, supportSessions } from "./schema.ts";
