import { pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

const at = (name: string) => timestamp(name, { withTimezone: true });

/**
 * The running instances of the server on this database: who they are, where the others reach
 * them (`internal_url`, for relaying a viewer or a customer's page to the instance that holds
 * the agent) and when each last said it is alive. A row whose heartbeat is older than the
 * expiry is removed by any live instance; everything it held (customer streams, agent homes)
 * goes with it (`on delete cascade`).
 */
export const instances = pgTable("instances", {
  id: uuid("id").primaryKey(),
  internalUrl: text("internal_url").notNull(),
  startedAt: at("started_at").notNull(),
  heartbeatAt: at("heartbeat_at").notNull(),
});
