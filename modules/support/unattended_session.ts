/**
 * A session with nobody present (unattended access, SPEC C8, modules/unattended): made by
 * the technician who connects from Computers, Active at once in that technician's queue —
 * no Connecting, no Waiting, no PIN — with the customer side already "connected" (the
 * device's service agent joins it with the token). Logged as unattended; `withinTx` lets
 * the caller write its own rows and audit entry in the same transaction.
 */
import type { Database } from "../db/mod.ts";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { randomToken } from "../tokens/mod.ts";
import { logEvent, replaceDeadlines, settingsFor, type SupportSession } from "./engine.ts";
import { queueSessionWebhook } from "./webhook_events.ts";
import { queueEntries, supportSessions } from "./schema.ts";

export interface NewUnattendedSession {
  /** The computer's name: the session's "customer". */
  deviceName: string;
  /** The agent's device id (its hello), so the device's history finds the session. */
  deviceId: string;
  /** Extra log data (the ticket reference, the approval). */
  log?: Record<string, string>;
}

export async function createUnattendedSession(
  deps: AppDeps,
  user: CurrentUser,
  input: NewUnattendedSession,
  withinTx: (tx: Database, session: SupportSession) => Promise<void>,
): Promise<SupportSession> {
  const now = deps.clock.now();
  const settings = await settingsFor(deps.db, user.groupId);
  const session = await deps.db.transaction(async (tx) => {
    const [session] = await tx.insert(supportSessions).values({
      orgId: user.orgId,
      kind: "private",
      method: "unattended",
      groupId: user.groupId,
      createdBy: user.id,
      customerName: input.deviceName.slice(0, 120),
      fields: {},
      token: randomToken(24),
      customerState: "connected",
      deviceId: input.deviceId,
      createdAt: now,
      updatedAt: now,
      connectedAt: now,
      pickedUpAt: now,
      leadUserId: user.id,
    }).returning();
    const [entry] = await tx.insert(queueEntries).values({
      sessionId: session.id,
      orgId: session.orgId,
      userId: user.id,
      role: "lead",
      status: "active",
      statusSince: now,
      createdAt: now,
    }).returning();
    await replaceDeadlines(tx, entry, "active", settings, now);
    await queueSessionWebhook(tx, {
      type: "session.created",
      key: `session.created:${session.id}`,
      sessionId: session.id,
      entry: { ...entry, status: "" },
      to: "active",
      at: now,
    });
    await logEvent(tx, session.id, "log.unattendedStarted", now, {
      device: session.customerName,
      ...input.log,
    }, { userId: user.id, name: user.name, author: "technician" });
    await withinTx(tx, session);
    return session;
  });
  deps.live.publish({ kind: "session", orgId: user.orgId, sessionId: session.id });
  return session;
}
