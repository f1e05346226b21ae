/**
 * Who is in a session (SPEC K3): its lead and collaborators — invited, working, held — as the
 * workspace lists them, lead first.
 */
import { eq } from "drizzle-orm";
import { users } from "../auth/mod.ts";
import type { AppDeps } from "../http/mod.ts";
import { normalisePermissions, type Permission } from "../permissions/mod.ts";
import { queueEntries } from "../support/mod.ts";

const PRESENT = new Set(["lead", "collaborator"]);

/** Someone in the session, as the workspace lists them. */
export interface Participant {
  entryId: string;
  userId: string;
  name: string;
  role: "lead" | "collaborator";
  status: string;
  permissions: Permission[] | null;
  leadOffered: boolean;
  invitedBy: string | null;
}

/** The session's lead and collaborators (invited, working, held), lead first. */
export async function collaboratorsOf(deps: AppDeps, sessionId: string): Promise<Participant[]> {
  const rows = await deps.db.select({ entry: queueEntries, name: users.name })
    .from(queueEntries).innerJoin(users, eq(users.id, queueEntries.userId))
    .where(eq(queueEntries.sessionId, sessionId));
  return rows
    .filter(({ entry }) => !entry.removedAt && PRESENT.has(entry.role))
    .map(({ entry, name }) => ({
      entryId: entry.id,
      userId: entry.userId!,
      name,
      role: entry.role as "lead" | "collaborator",
      status: entry.status,
      permissions: entry.permissions ? normalisePermissions(entry.permissions) : null,
      leadOffered: entry.leadOfferedAt !== null,
      invitedBy: entry.fromUserId,
    }))
    .sort((a, b) => (a.role === "lead" ? 0 : 1) - (b.role === "lead" ? 0 : 1));
}
