import { pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { instances } from "../cluster/schema.ts";
import { supportSessions } from "../support/schema.ts";

/**
 * Which instance holds a session's support app (its agent socket) now: viewers and the
 * customer's remote stream that land on another instance are relayed there. Written when the
 * agent says hello, removed when its socket closes; a dead instance's rows go with it.
 */
export const agentHomes = pgTable("agent_homes", {
  sessionId: uuid("session_id").primaryKey().references(() => supportSessions.id, {
    onDelete: "cascade",
  }),
  instanceId: uuid("instance_id").notNull().references(() => instances.id, {
    onDelete: "cascade",
  }),
  since: timestamp("since", { withTimezone: true }).notNull(),
  /**
   * What holds the session here: `agent` (the support app, or a customer's browser share that
   * stands in for it) or `presentation` (the technician's own screen shown with neither: a home
   * for the customer's page to meet it, which `/agent/join` does not count as an app).
   */
  kind: text("kind", { enum: ["agent", "presentation"] }).notNull().default("agent"),
});
