import { eq } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import type { GroupSettings } from "./settings.ts";
import { technicianStatus } from "./schema.ts";

/** SPEC A5 as the rest of the product sees it. */
export type Presence = "online" | "away" | "busy" | "offline";

export interface PresenceInput {
  chosen: "online" | "away";
  lastActivityAt: Date;
}

/**
 * Away when the technician says so or has been idle for the group's idle minutes; Busy at
 * the group's active-session limit; Offline without a live sign-in.
 */
export function effectivePresence(
  status: PresenceInput | null,
  options: { signedIn: boolean; settings: GroupSettings; activeSessions: number; now: Date },
): Presence {
  if (!options.signedIn || !status) return "offline";
  if (status.chosen === "away") return "away";
  const idleMs = options.now.getTime() - status.lastActivityAt.getTime();
  if (idleMs >= options.settings.idleToAway * 60_000) return "away";
  if (options.activeSessions >= options.settings.maxActiveSessions) return "busy";
  return "online";
}

/** Records activity (at most once a minute per person, to keep requests cheap). */
export async function touchActivity(
  db: Database,
  userId: string,
  last: Date | null,
  now: Date,
): Promise<void> {
  if (last && now.getTime() - last.getTime() < 60_000) return;
  await db.insert(technicianStatus).values({
    userId,
    lastActivityAt: now,
    signedIn: true,
    updatedAt: now,
  }).onConflictDoUpdate({
    target: technicianStatus.userId,
    set: { lastActivityAt: now, signedIn: true, updatedAt: now },
  });
}

export async function chooseStatus(
  db: Database,
  userId: string,
  chosen: "online" | "away",
  now: Date,
): Promise<void> {
  await db.insert(technicianStatus).values({
    userId,
    chosen,
    lastActivityAt: now,
    signedIn: true,
    updatedAt: now,
  }).onConflictDoUpdate({
    target: technicianStatus.userId,
    set: { chosen, lastActivityAt: now, updatedAt: now },
  });
}

export async function statusOf(db: Database, userId: string) {
  const [row] = await db.select().from(technicianStatus).where(eq(technicianStatus.userId, userId));
  return row;
}
