import { jsonb, pgTable, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "../auth/schema.ts";

/** SPEC Q7: each technician's console options (validated by `ConsoleOptionsSchema`). */
export const consoleOptions = pgTable("console_options", {
  userId: uuid("user_id").primaryKey().references(() => users.id, { onDelete: "cascade" }),
  options: jsonb("options").$type<Record<string, unknown>>().notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
});
