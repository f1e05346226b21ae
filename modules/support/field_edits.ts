/**
 * Inline edit (SPEC Q3): a technician corrects the customer's name and the session's custom
 * fields while working on it; audited with the values before and after.
 */
import { eq } from "drizzle-orm";
import { changedValues, recordAudit } from "../audit/mod.ts";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { can } from "../permissions/mod.ts";
import { sessionForTechnician } from "./access.ts";
import { permissionRefusal, sessionRefusal } from "./engine.ts";
import { supportSessions } from "./schema.ts";

/** The name and custom fields of a session in a working status. */
export async function editFields(
  deps: AppDeps,
  user: CurrentUser,
  sessionId: string,
  patch: { customerName?: string; fields?: Record<string, string> },
): Promise<void> {
  if (!can(user, "inlineEdit")) {
    throw permissionRefusal("inlineEdit");
  }
  const { session } = await sessionForTechnician(deps, user, sessionId);
  const name = patch.customerName?.trim();
  if (name !== undefined && (name.length < 1 || name.length > 100)) {
    throw sessionRefusal("sessions.badName", "Name 1–100 characters");
  }
  for (const value of Object.values(patch.fields ?? {})) {
    if (value.length > 500) throw sessionRefusal("sessions.fieldTooLong", "Too long");
  }
  const now = deps.clock.now();
  const before = { customerName: session.customerName, ...session.fields };
  const after = {
    customerName: name ?? session.customerName,
    fields: { ...session.fields, ...(patch.fields ?? {}) },
  };
  await deps.db.transaction(async (tx) => {
    await tx.update(supportSessions).set({ ...after, updatedAt: now })
      .where(eq(supportSessions.id, sessionId));
    await recordAudit(tx, {
      orgId: session.orgId,
      actorId: user.id,
      actorEmail: user.email,
      action: "session.fields_edited",
      target: sessionId,
      details: changedValues(before, { customerName: after.customerName, ...after.fields }),
      at: now,
    });
  });
  deps.live.publish({ kind: "session", orgId: session.orgId, sessionId });
}
