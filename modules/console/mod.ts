/**
 * The technician console (SPEC Q1–Q7): the page at `/console` with its toolbar, queue tabs,
 * session list and session tabs, kept live by `/console/events`; the New session dialog
 * (PIN, link, e-mail, SMS); Start, Hold, End, Transfer and Return on a row; inline edits;
 * each session's workspace; and the technician's console options.
 */
export { consoleRoutes } from "./routes.tsx";
export { CONNECTION_METHODS, type ConnectionMethod } from "./methods.ts";

/**
 * `startConsoleStream(deps, stream, { user, viewer, ctx, autoStart })` runs one console's
 * live stream (server-sent events: `queue`, then `rows` and `log` as things change) on a
 * `LiveStream` from `liveStream()`; `GET /console/events` is its one caller.
 */
export { startConsoleStream } from "./stream.ts";
/** What a viewer's queue rows may offer (`rowContextFor`), for a stream another page runs. */
export { type RowContext, rowContextFor } from "./queue_context.ts";
export { QueueHead } from "./queue_views.tsx";

/**
 * A session log line as technicians read it (`LogLineView`, the workspace's), and
 * `translateStored` for the i18n keys stored in the log — the history pages show past
 * sessions' logs with them.
 */
export { LogLineView, translateStored } from "./workspace_views.tsx";
/**
 * The file-manager island's mount (`FileManagerMount`): the workspace's File manager tab, and
 * an external technician's console (modules/external), whose routes are the same under `/x`.
 */
export { FileManagerMount } from "./file_manager_view.tsx";
/** The tools of a session as ARIA tabs (the workspace, an external technician's console). */
export { type Tool, ToolTabs } from "./tool_tabs.tsx";
