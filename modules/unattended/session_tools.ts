/**
 * The tools an unattended session may use: those of the grant it was connected under, as the
 * customer left them ticked at approval (the device signed them with the approval). The app
 * registers this with remote (`approvedToolsFrom`), which limits the session's tool consent
 * to it when the device's agent attaches — whatever instance that is, so it is read from the
 * database. A session with no connected grant gets nothing.
 */
import { and, eq } from "drizzle-orm";
import type { AppDeps } from "../http/mod.ts";
import type { ApprovalTool } from "../../protocol/unattended_request.ts";
import { unattendedConnections, unattendedGrants } from "./schema.ts";

export async function approvedToolsOf(
  deps: AppDeps,
  sessionId: string,
): Promise<ApprovalTool[]> {
  const [row] = await deps.db.select({ tools: unattendedGrants.tools })
    .from(unattendedConnections)
    .innerJoin(unattendedGrants, eq(unattendedGrants.id, unattendedConnections.grantId))
    .where(and(
      eq(unattendedConnections.sessionId, sessionId),
      eq(unattendedConnections.outcome, "connected"),
    )).limit(1);
  return row?.tools ?? [];
}
