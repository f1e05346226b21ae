import { pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { instances } from "../cluster/schema.ts";

/**
 * Which instance holds a running Lens session (its werift peers and state live in that
 * instance's memory): the technician's requests (found by `user_id`, one session per
 * technician across the cluster) and the phone's (found by the SHA-256 of the link's token,
 * never the token itself) that land elsewhere are relayed there. Written at start, removed at
 * the end; a dead instance's rows go with its `instances` row.
 */
export const lensHomes = pgTable("lens_homes", {
  lensId: uuid("lens_id").primaryKey(),
  userId: uuid("user_id").notNull().unique(),
  tokenHash: text("token_hash").notNull().unique(),
  instanceId: uuid("instance_id").notNull().references(() => instances.id, {
    onDelete: "cascade",
  }),
  since: timestamp("since", { withTimezone: true }).notNull(),
});
