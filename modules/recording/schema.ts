import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "../auth/schema.ts";
import { lensSessions } from "../lens/schema.ts";
import { supportSessions } from "../support/schema.ts";

/** A stretch of a part where the picture was not live: ms on the part's timeline, and why. */
export interface NotLiveStretch {
  startMs: number;
  endMs: number;
  /** The agent's capture pause reason ("secure_desktop", …). */
  reason: string;
}

/**
 * One part file of a session's screen recording (SPEC R5): a recording is the list of its
 * session's parts in order — a new part starts at each start, and when the codec or the
 * screen's size changes. `path` is the file on the server (under the group's recording folder);
 * `endedAt` is null while it is written (a part a killed server left open is finished at the
 * next start: shutdown.ts). A part belongs to a support session (`session_id`) or to a Lens
 * session (`lens_id`: the phone's camera and microphone, lens_recorders.ts) — exactly one.
 */
export const recordings = pgTable("recordings", {
  id: uuid("id").primaryKey().defaultRandom(),
  sessionId: uuid("session_id").references(() => supportSessions.id, { onDelete: "cascade" }),
  lensId: uuid("lens_id").references(() => lensSessions.id, { onDelete: "cascade" }),
  /** The technician who started it (for a group that records always: who was watching). */
  userId: uuid("user_id").references(() => users.id, { onDelete: "set null" }),
  startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
  endedAt: timestamp("ended_at", { withTimezone: true }),
  bytes: bigint("bytes", { mode: "number" }).notNull().default(0),
  /** "vp8", "vp9" or "h264" (a Lens part with the phone's microphone also holds Opus). */
  codec: text("codec").notNull(),
  width: integer("width").notNull(),
  height: integer("height").notNull(),
  path: text("path").notNull(),
  /**
   * Where the picture was not live, on the part's timeline (its chapters, recorder.ts), written
   * when the part is finished: [] all live; null not known (not finished, or a part from before
   * migration 0039 — its file's chapters still say it).
   */
  notLive: jsonb("not_live").$type<NotLiveStretch[]>(),
  /**
   * How long the part's file plays (its Duration: the last frame's time, or a frozen stretch's end
   * after it), written when the part is finished; null before migration 0040 or while written.
   * It is what the record page shows: the server's clock at the part's start and end (`endedAt`)
   * can differ from it by a second and more on a busy server (frames queue before they are
   * written, and carry their capture times).
   */
  durationMs: integer("duration_ms"),
}, (t) => [
  index("recordings_session_idx").on(t.sessionId, t.startedAt),
  index("recordings_lens_idx").on(t.lensId, t.startedAt),
  check("recordings_one_owner", sql`(${t.sessionId} is null) <> (${t.lensId} is null)`),
]);
