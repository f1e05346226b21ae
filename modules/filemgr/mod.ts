/**
 * The file manager on the customer's computer (issue 16, SPEC R6; docs/files_api.md): the
 * technician's JSON routes under `/console/sessions/:id/file-manager/` (browse, edit, delete,
 * transfers and their events), each behind the `fileManager` permission and the customer's
 * `files` consent, each logged in the session log and the audit log; and the agent's data
 * connection (`/agent/file-data/:ticket`), which carries the bytes beside the control socket.
 * Both legs of a transfer meet on the agent's home instance (relayed there in a cluster).
 */
import { Hono } from "hono";
import type { AppDeps, AppEnv } from "../http/mod.ts";
import { browseRoutes, fileGate, PREFIX } from "./browse_routes.ts";
import { transferRoutes } from "./transfer_routes.ts";
import { fileManagerHub, type TransferView, viewOf } from "./hub.ts";

export { agentFileRoutes } from "./agent_routes.ts";
/** The customer's page: whether the file manager is open and what moves (`/s/:token/file-manager/events`). */
export { customerFileRoutes } from "./customer_routes.ts";
export type { TransferView } from "./hub.ts";

export const fileManagerRoutes = new Hono<AppEnv>()
  .use(`${PREFIX}/*`, ...fileGate)
  .route("/", browseRoutes)
  .route("/", transferRoutes);

/** For the customer's page: whether the file manager is open, and what moves. */
export function fileActivity(
  deps: AppDeps,
  sessionId: string,
): { open: boolean; transfers: TransferView[] } {
  const hub = fileManagerHub(deps);
  return { open: hub.isOpen(sessionId), transfers: hub.ofSession(sessionId).map(viewOf) };
}

/** Calls `listener(sessionId)` on every change of a session's file activity. */
export function onFileActivity(deps: AppDeps, listener: (sessionId: string) => void): () => void {
  const hub = fileManagerHub(deps);
  hub.activity.add(listener);
  return () => void hub.activity.delete(listener);
}
