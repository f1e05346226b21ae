// What tests need beyond mod.ts: the tables to inspect, the limits to aim at, the customer's
// chat and lost connection as a page would cause them. Tests and their fixtures only — other
// modules' code imports mod.ts (tools/check_boundaries.ts refuses anything else).
import { and, eq, isNull } from "drizzle-orm";
import type { TestApp } from "../../tests/support/app.ts";
import { queueEntries } from "./schema.ts";
export { createPrivateSession } from "./create.ts";
export { customerStreams } from "./customer_streams.ts";
export { customerChat } from "./chat.ts";
export { customerLost } from "./customer.ts";
export { CUSTOMER_FILES_MAX, DEFAULT_FILE_LIMIT } from "./files.ts";
export { queueEntries, sessionFiles, supportSessions } from "./schema.ts";

export async function liveRows(t: TestApp, sessionId: string) {
  return await t.deps.db.select().from(queueEntries)
    .where(and(eq(queueEntries.sessionId, sessionId), isNull(queueEntries.removedAt)));
}
