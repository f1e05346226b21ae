import { index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { organisations, users } from "../auth/schema.ts";

const at = (name: string) => timestamp(name, { withTimezone: true });

/** SPEC T2: a technician's predefined chat replies and URLs, in the order shown. */
export const predefinedReplies = pgTable("predefined_replies", {
  id: uuid("id").primaryKey().defaultRandom(),
  orgId: uuid("org_id").notNull().references(() => organisations.id),
  userId: uuid("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  kind: text("kind").$type<"reply" | "url">().notNull(),
  title: text("title").notNull(),
  body: text("body").notNull(),
  position: integer("position").notNull().default(0),
  createdAt: at("created_at").notNull(),
  updatedAt: at("updated_at").notNull(),
}, (t) => [index("predefined_replies_user_idx").on(t.userId, t.kind, t.position)]);
