import { integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Counters of one fixed window per limited action and key (`session.create:user:<id>`,
 * `customer.chat:session:<id>` …), shared by every instance through the database. The
 * limiter weighs the previous window in (a sliding estimate); old windows are swept.
 */
export const rateLimits = pgTable("rate_limits", {
  key: text("key").notNull(),
  windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
  count: integer("count").notNull(),
}, (t) => [primaryKey({ columns: [t.key, t.windowStart] })]);
