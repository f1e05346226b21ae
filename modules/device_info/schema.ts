import { pgTable, timestamp, uuid } from "drizzle-orm/pg-core";
import { instances } from "../cluster/schema.ts";
import { supportSessions } from "../support/schema.ts";

/**
 * Which instance holds a session's device board (its values and the customer page's held
 * question live in that instance's memory): the technician's Device tab and the customer's
 * reports that land elsewhere are relayed there. Claimed by the first request about the
 * session — for the instance holding its agent when it has one, else the one that got it —
 * and kept until the session's row goes. A dead instance leaves the row with no instance
 * (`set null`, not a cascade): the next request claims the board again and knows its values
 * were lost with the server, which the technician's tab says.
 */
export const deviceHomes = pgTable("device_homes", {
  sessionId: uuid("session_id").primaryKey().references(() => supportSessions.id, {
    onDelete: "cascade",
  }),
  instanceId: uuid("instance_id").references(() => instances.id, { onDelete: "set null" }),
  since: timestamp("since", { withTimezone: true }).notNull(),
});
