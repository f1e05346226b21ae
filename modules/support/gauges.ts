/**
 * What the metrics scrape reads of the queue, straight from the database (the source of
 * truth, shared by every instance on PostgreSQL): how many sessions wait for a technician,
 * and how late the deadline worker is — the age of the oldest deadline that is due and has
 * neither fired nor been cancelled (0 when none is overdue).
 */
import { and, countDistinct, eq, isNull, lte, min } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import { queueEntries, sessionDeadlines } from "./schema.ts";

export interface QueueGauges {
  waitingSessions: number;
  deadlineLagSeconds: number;
}

export async function queueGauges(db: Database, now: Date): Promise<QueueGauges> {
  const [waiting] = await db.select({ n: countDistinct(queueEntries.sessionId) })
    .from(queueEntries)
    .where(and(eq(queueEntries.status, "waiting"), isNull(queueEntries.removedAt)));
  const [overdue] = await db.select({ oldest: min(sessionDeadlines.at) }).from(sessionDeadlines)
    .where(and(
      lte(sessionDeadlines.at, now),
      isNull(sessionDeadlines.firedAt),
      isNull(sessionDeadlines.cancelledAt),
    ));
  const oldest = overdue?.oldest ? new Date(overdue.oldest) : null;
  return {
    waitingSessions: Number(waiting?.n ?? 0),
    deadlineLagSeconds: oldest ? Math.max(0, (now.getTime() - oldest.getTime()) / 1000) : 0,
  };
}
