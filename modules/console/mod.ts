/**
 * The technician console (SPEC Q1–Q7): the page at `/console` with its toolbar, queue tabs,
 * session list and session tabs, kept live by `/console/events`; the New session dialog
 * (PIN, link, e-mail, SMS); Start, Hold, End, Transfer and Return on a row; inline edits;
 * each session's workspace; and the technician's console options.
 */
export { consoleRoutes } from "./routes.tsx";
export { CONNECTION_METHODS, type ConnectionMethod } from "./methods.ts";

/**
 * `openConsoleStream(deps, { user, viewer, ctx, autoStart })` is one console's live stream
 * (server-sent events: `queue`, then `rows` and `log` as things change). Exported so a
 * benchmark or test can open streams without HTTP and count `deps.live` listeners.
 */
export { openConsoleStream } from "./stream.ts";
