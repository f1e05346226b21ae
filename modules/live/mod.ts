/**
 * Live updates: `LiveHub` fans out "this session / log line / presence changed" notices
 * inside the process to every open console and customer page of the organisation. One hub
 * per app (it travels in `AppDeps.live`), so tests can run many apps side by side.
 */
export { type LiveEvent, LiveHub, type LiveListener, type LiveListenerKind } from "./hub.ts";
