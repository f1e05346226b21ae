/**
 * Which session changes other systems hear about (modules/webhooks): created, picked up,
 * transferred, ended. Called from the places sessions change — `applyEvent` (every status
 * move), the creation of a session's first queue row, and `transferSession` (which names
 * the sender and the recipient) — inside their transactions, so an event is queued exactly when its change commits. Each has a key
 * (`session.ended:<session>`), so a session ends once for a receiver however many of its
 * rows reach an end.
 */
import { eq } from "drizzle-orm";
import { users } from "../auth/mod.ts";
import type { Database } from "../db/mod.ts";
import type { SessionEvent } from "../sessions/mod.ts";
import { publishWebhookEvent, type WebhookEventType } from "../webhooks/mod.ts";
import { type queueEntries, supportSessions } from "./schema.ts";

type Entry = typeof queueEntries.$inferSelect;

const ENDED = new Set(["closed", "timed_out", "closed_by_waiting_customer", "removed"]);
/** Moves that end a row, not the session: the transfer handing it to someone else. */
const NOT_AN_END = new Set(["transfer_accepted", "transfer_cancelled_by_sender"]);

/** The webhook event a status move of `entry` is, if any, and its key. */
export function sessionWebhookFor(
  entry: Pick<Entry, "sessionId" | "id" | "role" | "status" | "version">,
  event: SessionEvent,
  to: string,
): { type: WebhookEventType; key: string } | null {
  if (event.type === "start" && entry.status === "waiting") {
    return { type: "session.picked_up", key: `session.picked_up:${entry.sessionId}` };
  }
  // A transfer's event is queued by `transferSession` itself, once it knows the recipient.
  if (
    entry.role === "lead" && ENDED.has(to) && !ENDED.has(entry.status) &&
    !NOT_AN_END.has(event.type)
  ) {
    return { type: "session.ended", key: `session.ended:${entry.sessionId}` };
  }
  return null;
}

/**
 * Queues the session's webhook event in `tx`: its type, and as data the session as it is
 * now (who, how, which group or channel) plus the technician of the row that moved.
 */
export async function queueSessionWebhook(
  tx: Database,
  change: {
    type: WebhookEventType;
    key: string;
    sessionId: string;
    entry: Pick<Entry, "id" | "userId" | "status">;
    to: string;
    at: Date;
    /** More of the event's data (a transfer's sender and recipient). */
    extra?: Record<string, unknown>;
  },
): Promise<void> {
  const [session] = await tx.select().from(supportSessions)
    .where(eq(supportSessions.id, change.sessionId));
  if (!session) return;
  const [technician] = change.entry.userId
    ? await tx.select({ id: users.id, name: users.name, email: users.email }).from(users)
      .where(eq(users.id, change.entry.userId))
    : [];
  await publishWebhookEvent(tx, {
    orgId: session.orgId,
    type: change.type,
    key: change.key,
    at: change.at,
    data: {
      session: {
        id: session.id,
        number: session.number,
        kind: session.kind,
        method: session.method,
        customerName: session.customerName,
        customerContact: session.customerContact,
        fields: session.fields,
        groupId: session.groupId,
        channelId: session.channelId,
        deviceId: session.deviceId,
        createdAt: session.createdAt.toISOString(),
      },
      entry: { id: change.entry.id, from: change.entry.status, to: change.to },
      technician: technician ?? null,
      ...change.extra,
    },
  });
}
