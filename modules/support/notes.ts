/**
 * Notes (SPEC T5): one private note per technician and session, kept after the session
 * ends; any technician who may read the session may keep one.
 */
import { and, asc, eq } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { sessionForTechnician } from "./access.ts";
import { sessionRefusal } from "./engine.ts";
import { sessionNotes } from "./schema.ts";

export async function saveNote(
  deps: AppDeps,
  user: CurrentUser,
  sessionId: string,
  body: string,
): Promise<void> {
  const text = body.trim();
  if (text.length > 10_000) throw sessionRefusal("sessions.noteTooLong", "Too long");
  await sessionForTechnician(deps, user, sessionId, "read");
  const now = deps.clock.now();
  const [existing] = await deps.db.select().from(sessionNotes).where(
    and(eq(sessionNotes.sessionId, sessionId), eq(sessionNotes.userId, user.id)),
  );
  if (existing) {
    await deps.db.update(sessionNotes).set({ body: text, updatedAt: now })
      .where(eq(sessionNotes.id, existing.id));
  } else {
    await deps.db.insert(sessionNotes).values({
      sessionId,
      userId: user.id,
      body: text,
      createdAt: now,
      updatedAt: now,
    });
  }
}

export async function readNotes(db: Database, sessionId: string) {
  return await db.select().from(sessionNotes).where(eq(sessionNotes.sessionId, sessionId))
    .orderBy(asc(sessionNotes.createdAt));
}
