import {
  boolean,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import { organisations, users } from "../auth/schema.ts";
import { supportSessions } from "../support/schema.ts";

const at = (name: string) => timestamp(name, { withTimezone: true });

/**
 * SPEC R10: scripts a technician deploys in sessions — a technician's own library
 * (`ownerId` set) or the organisation's nested scripts (`ownerId` null, kept by admins).
 * The script and its resource file live in the file store by SHA-256; the row has names,
 * sizes and the hashes.
 */
export const scripts = pgTable("scripts", {
  id: uuid("id").primaryKey().defaultRandom(),
  orgId: uuid("org_id").notNull().references(() => organisations.id),
  ownerId: uuid("owner_id").references(() => users.id, { onDelete: "cascade" }),
  name: text("name").notNull(),
  fileName: text("file_name").notNull(),
  scriptSha256: text("script_sha256").notNull(),
  scriptSize: integer("script_size").notNull(),
  resourceName: text("resource_name"),
  resourceSha256: text("resource_sha256"),
  resourceSize: integer("resource_size"),
  targetOs: text("target_os").$type<"any" | "linux" | "windows" | "darwin">().notNull(),
  runAtStart: boolean("run_at_start").notNull().default(false),
  favourite: boolean("favourite").notNull().default(false),
  timeoutSeconds: integer("timeout_seconds").notNull(),
  position: integer("position").notNull().default(0),
  createdAt: at("created_at").notNull(),
  updatedAt: at("updated_at").notNull(),
}, (t) => [
  index("scripts_owner_idx").on(t.orgId, t.ownerId, t.position),
]);

export type ScriptRunStatus =
  | "running"
  | "finished"
  | "timedOut"
  | "stopped"
  | "declined"
  | "failed";

/**
 * One deployment of a script in a session: who ran what (the script's SHA-256 as sent), how
 * it ended, and the full output (bounded) in the file store for download.
 */
export const scriptRuns = pgTable("script_runs", {
  id: uuid("id").primaryKey().defaultRandom(),
  sessionId: uuid("session_id").notNull().references(() => supportSessions.id, {
    onDelete: "cascade",
  }),
  scriptId: uuid("script_id").references(() => scripts.id, { onDelete: "set null" }),
  /** "manual" or "start" (run at session start: once per session and script). */
  trigger: text("trigger").$type<"manual" | "start">().notNull(),
  name: text("name").notNull(),
  scriptSha256: text("script_sha256").notNull(),
  resourceSha256: text("resource_sha256"),
  startedBy: uuid("started_by").references(() => users.id),
  startedAt: at("started_at").notNull(),
  endedAt: at("ended_at"),
  status: text("status").$type<ScriptRunStatus>().notNull(),
  exitCode: integer("exit_code"),
  /** The agent's or the server's reason when the run failed or was refused. */
  reason: text("reason"),
  outputSha256: text("output_sha256"),
  outputSize: integer("output_size"),
  outputTruncated: boolean("output_truncated").notNull().default(false),
}, (t) => [
  index("script_runs_session_idx").on(t.sessionId, t.startedAt),
  uniqueIndex("script_runs_start_once_idx").on(t.sessionId, t.scriptId)
    .where(sql`${t.trigger} = 'start'`),
]);
