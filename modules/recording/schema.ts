import { bigint, index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "../auth/schema.ts";
import { supportSessions } from "../support/schema.ts";

/**
 * One part file of a session's screen recording (SPEC R5): a recording is the list of its
 * session's parts in order — a new part starts at each start, and when the codec or the
 * screen's size changes. `path` is the file on the server (under the group's recording folder);
 * `endedAt` is null while it is written (a part a killed server left open is finished at the
 * next start: shutdown.ts).
 */
export const recordings = pgTable("recordings", {
  id: uuid("id").primaryKey().defaultRandom(),
  sessionId: uuid("session_id").notNull().references(() => supportSessions.id, {
    onDelete: "cascade",
  }),
  /** The technician who started it (for a group that records always: who was watching). */
  userId: uuid("user_id").references(() => users.id, { onDelete: "set null" }),
  startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
  endedAt: timestamp("ended_at", { withTimezone: true }),
  bytes: bigint("bytes", { mode: "number" }).notNull().default(0),
  /** "vp8", "vp9" or "h264". */
  codec: text("codec").notNull(),
  width: integer("width").notNull(),
  height: integer("height").notNull(),
  path: text("path").notNull(),
}, (t) => [index("recordings_session_idx").on(t.sessionId, t.startedAt)]);
