// Test-only helpers for the support module's own tests (not exported from mod.ts).
import { and, eq, isNull } from "drizzle-orm";
import type { TestApp } from "../../tests/support/app.ts";
import { queueEntries } from "./schema.ts";
export { createPrivateSession } from "./create.ts";
export { customerStreams } from "./customer_streams.ts";

export async function liveRows(t: TestApp, sessionId: string) {
  return await t.deps.db.select().from(queueEntries)
    .where(and(eq(queueEntries.sessionId, sessionId), isNull(queueEntries.removedAt)));
}
