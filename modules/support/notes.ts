/**
 * Notes (SPEC T5): one private note per technician and session, kept after the session
 * ends; any technician who may read the session may keep one. Saving is audited (not the
 * text: the note is its writer's).
 */
import { and, asc, eq } from "drizzle-orm";
import { recordAudit } from "../audit/mod.ts";
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
  await deps.db.transaction(async (tx) => {
    if (existing) {
      await tx.update(sessionNotes).set({ body: text, updatedAt: now })
        .where(eq(sessionNotes.id, existing.id));
    } else {
      await tx.insert(sessionNotes).values({
        sessionId,
        userId: user.id,
        body: text,
        createdAt: now,
        updatedAt: now,
      });
    }
    // The note is private to its writer: the audit keeps that it changed, not what it says.
    await recordAudit(tx, {
      orgId: user.orgId,
      actorId: user.id,
      actorEmail: user.email,
      action: "session.note_saved",
      target: sessionId,
      details: { characters: text.length, first: !existing },
      at: now,
    });
  });
}

export async function readNotes(db: Database, sessionId: string) {
  return await db.select().from(sessionNotes).where(eq(sessionNotes.sessionId, sessionId))
    .orderBy(asc(sessionNotes.createdAt));
}
