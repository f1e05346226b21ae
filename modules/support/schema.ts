import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { organisations, users } from "../auth/schema.ts";
import { channels } from "../channels/schema.ts";
import { technicianGroups } from "../org/schema.ts";
import { instances } from "../cluster/schema.ts";
import type { SessionOutcome } from "../sessions/mod.ts";
import type { NoDesktopReason } from "../../protocol/mod.ts";

const at = (name: string) => timestamp(name, { withTimezone: true });
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => "bytea",
});

export type SessionKind = "private" | "channel";
export type SessionMethod =
  | "pin"
  | "link"
  | "email"
  | "sms"
  | "channel"
  | "unattended"
  /** Pushed to a computer on the technician's network (LAN connect, modules/unattended). */
  | "lan";
/** Why a support app shares no screen (protocol hello's `noDesktop`). */
export interface NoDesktopReport {
  reason: NoDesktopReason;
  user?: string;
  detail?: string;
}

/** The customer's side of the connection, separate from every technician's queue entry. */
export type CustomerState = "pending" | "connected" | "lost" | "left";

/**
 * One support case: how the customer reaches it (PIN, link token), who it is, and the state
 * of the customer's connection. What each technician sees is in `queueEntries`.
 */
export const supportSessions = pgTable("support_sessions", {
  id: uuid("id").primaryKey().defaultRandom(),
  /** The short session ID technicians read out and search for. */
  number: serial("number").notNull(),
  orgId: uuid("org_id").notNull().references(() => organisations.id),
  kind: text("kind").$type<SessionKind>().notNull(),
  method: text("method").$type<SessionMethod>().notNull(),
  channelId: uuid("channel_id").references(() => channels.id),
  /** The group whose settings (timeouts, terms, template) apply. */
  groupId: uuid("group_id").references(() => technicianGroups.id),
  createdBy: uuid("created_by").references(() => users.id),
  customerName: text("customer_name").notNull(),
  customerContact: text("customer_contact").notNull().default(""),
  fields: jsonb("fields").$type<Record<string, string>>().notNull(),
  /** Six digits while the code can be entered; cleared when used, expired or locked. */
  pin: text("pin"),
  pinExpiresAt: at("pin_expires_at"),
  /** Wrong guesses counted against this code (see DECISIONS.md); locked at 10. */
  pinStrikes: integer("pin_strikes").notNull().default(0),
  /** The capability in the customer's link (/s/<token>) and page cookie. */
  token: text("token").notNull(),
  customerState: text("customer_state").$type<CustomerState>().notNull(),
  customerLanguage: text("customer_language"),
  termsAcceptedAt: at("terms_accepted_at"),
  chatEnabled: boolean("chat_enabled").notNull().default(true),
  leadUserId: uuid("lead_user_id").references(() => users.id),
  /** The support app's device id (its hello), so a device's earlier sessions are found. */
  deviceId: text("device_id"),
  createdAt: at("created_at").notNull(),
  updatedAt: at("updated_at").notNull(),
  endedAt: at("ended_at"),
  // What the reports read (modules/reports), written as it happens so they never replay logs:
  /** When the customer first connected: the session entered the queue (Waiting). */
  connectedAt: at("connected_at"),
  /** When a technician first picked it up (Start on Waiting): the end of the wait. */
  pickedUpAt: at("picked_up_at"),
  /** How many times it was transferred. */
  transfers: integer("transfers").notNull().default(0),
  /** How it ended (`SESSION_OUTCOMES`), written with `endedAt`. */
  outcome: text("outcome").$type<SessionOutcome>(),
  /**
   * Why the customer's support app shares no screen, as its last hello said (null: it shares
   * one, or no app joined): the queue and the workspace say it in words.
   */
  noDesktop: jsonb("no_desktop").$type<NoDesktopReport>(),
}, (t) => [
  uniqueIndex("support_sessions_token_idx").on(t.token),
  uniqueIndex("support_sessions_number_idx").on(t.number),
  // A code belongs to one session at a time (NULLs — used, expired, locked — don't clash).
  uniqueIndex("support_sessions_pin_key").on(t.pin),
  index("support_sessions_org_idx").on(t.orgId, t.createdAt),
  index("support_sessions_device_idx").on(t.orgId, t.deviceId),
  index("support_sessions_contact_idx").on(t.orgId, sql`lower(${t.customerContact})`),
  index("support_sessions_name_idx").on(t.orgId, sql`lower(${t.customerName})`),
  // The reports' one index: a period of an organisation, with every column they aggregate,
  // so PostgreSQL answers them from the index alone (an index-only scan).
  index("support_sessions_report_idx").on(
    t.orgId,
    t.createdAt,
    t.groupId,
    t.leadUserId,
    t.channelId,
    t.outcome,
    t.connectedAt,
    t.pickedUpAt,
    t.endedAt,
    t.transfers,
  ),
]);

export type EntryRole = "lead" | "transfer" | "collaborator";

/**
 * A session's row in one queue: a technician's (`userId`), a group's (`groupId`, a transfer
 * to the group) or a channel's (`channelId`, waiting for any technician who serves it). The
 * status is this row's view of the session (SPEC Q8); `previous` is where Reconnecting,
 * Rebooting and Offline return to. `version` grows with every change.
 */
export const queueEntries = pgTable("queue_entries", {
  id: uuid("id").primaryKey().defaultRandom(),
  sessionId: uuid("session_id").notNull().references(() => supportSessions.id, {
    onDelete: "cascade",
  }),
  orgId: uuid("org_id").notNull().references(() => organisations.id),
  userId: uuid("user_id").references(() => users.id),
  groupId: uuid("group_id").references(() => technicianGroups.id),
  channelId: uuid("channel_id").references(() => channels.id),
  role: text("role").$type<EntryRole>().notNull(),
  status: text("status").notNull(),
  previous: text("previous"),
  statusSince: at("status_since").notNull(),
  fromUserId: uuid("from_user_id").references(() => users.id),
  note: text("note").notNull().default(""),
  /**
   * The permission set for this session (collaborators, external technicians): their
   * group's permissions are intersected with it (modules/collaboration `sessionPermissions`);
   * null = the holder's group permissions.
   */
  permissions: jsonb("permissions").$type<string[]>(),
  /** When the lead offered this collaborator the lead (a hand-over waiting for Start). */
  leadOfferedAt: at("lead_offered_at"),
  version: integer("version").notNull().default(1),
  createdAt: at("created_at").notNull(),
  removedAt: at("removed_at"),
}, (t) => [
  index("queue_entries_session_idx").on(t.sessionId),
  index("queue_entries_user_idx").on(t.userId, t.removedAt),
  index("queue_entries_org_live_idx").on(t.orgId, t.removedAt),
]);

/** Persisted timers (SPEC Q8): fired once, in the transaction that marks them fired. */
export const sessionDeadlines = pgTable("session_deadlines", {
  id: uuid("id").primaryKey().defaultRandom(),
  entryId: uuid("entry_id").notNull().references(() => queueEntries.id, { onDelete: "cascade" }),
  kind: text("kind").notNull(),
  at: at("at").notNull(),
  firedAt: at("fired_at"),
  cancelledAt: at("cancelled_at"),
}, (t) => [index("session_deadlines_due_idx").on(t.at)]);

export type LogKind = "chat" | "status" | "event" | "file" | "url";
export type LogAuthor = "technician" | "customer" | "system";

/** The session log (SPEC T1): chat, status changes and events, written as they happen. */
export const sessionLog = pgTable("session_log", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  sessionId: uuid("session_id").notNull().references(() => supportSessions.id, {
    onDelete: "cascade",
  }),
  at: at("at").notNull(),
  kind: text("kind").$type<LogKind>().notNull(),
  author: text("author").$type<LogAuthor>().notNull(),
  userId: uuid("user_id").references(() => users.id),
  authorName: text("author_name").notNull().default(""),
  /** Chat text, or the i18n key of an event (rendered in each reader's language). */
  body: text("body").notNull(),
  data: jsonb("data").$type<Record<string, string | number | boolean | null>>().notNull(),
  /**
   * The line's place in its session's log, in commit order: drawn when the writing transaction
   * commits, under a per-session lock (trigger `session_log_order`, migration 0013), so a reader
   * that has seen `seq` n never later finds a line below n. Readers page by it, not by `id`
   * (ids are drawn at insert, and a slow transaction commits a lower id after a higher one).
   */
  seq: bigint("seq", { mode: "number" }),
  /** The sender's key for one message (a chat draft): a resent request stores it once. */
  clientKey: text("client_key"),
}, (t) => [
  index("session_log_session_idx").on(t.sessionId, t.id),
  index("session_log_seq_idx").on(t.sessionId, t.seq),
  uniqueIndex("session_log_client_key_idx").on(t.sessionId, t.clientKey)
    .where(sql`${t.clientKey} is not null`),
  // Full-text search over chat (modules/history): the same expression as its queries.
  index("session_log_chat_fts_idx").using("gin", sql`to_tsvector('simple', ${t.body})`)
    .where(sql`${t.kind} = 'chat'`),
]);

export type FileDirection = "to_customer" | "to_technician";

/** Files sent during a session (SPEC T3), with both fingerprints. */
export const sessionFiles = pgTable("session_files", {
  id: uuid("id").primaryKey().defaultRandom(),
  sessionId: uuid("session_id").notNull().references(() => supportSessions.id, {
    onDelete: "cascade",
  }),
  direction: text("direction").$type<FileDirection>().notNull(),
  name: text("name").notNull(),
  contentType: text("content_type").notNull(),
  size: integer("size").notNull(),
  md5: text("md5").notNull(),
  sha256: text("sha256").notNull(),
  /**
   * Files sent before content moved to the file store; new files are kept on disk by their
   * SHA-256 (`FileStore`) and leave this empty, so no big value crosses the database link.
   */
  content: bytea("content"),
  uploadedBy: uuid("uploaded_by").references(() => users.id),
  createdAt: at("created_at").notNull(),
  downloadedAt: at("downloaded_at"),
}, (t) => [index("session_files_session_idx").on(t.sessionId)]);

/** Technician notes written during a session (SPEC T5). */
export const sessionNotes = pgTable("session_notes", {
  id: uuid("id").primaryKey().defaultRandom(),
  sessionId: uuid("session_id").notNull().references(() => supportSessions.id, {
    onDelete: "cascade",
  }),
  userId: uuid("user_id").notNull().references(() => users.id),
  body: text("body").notNull(),
  createdAt: at("created_at").notNull(),
  updatedAt: at("updated_at").notNull(),
}, (t) => [
  index("session_notes_session_idx").on(t.sessionId),
  index("session_notes_fts_idx").using("gin", sql`to_tsvector('simple', ${t.body})`),
]);

/**
 * How many customer streams (pages and the support app) of a session each instance holds
 * open now. The customer counts as connected while any live instance holds one; a grace
 * timer that ends on one instance looks here before calling the customer lost.
 */
export const customerStreamHolds = pgTable("customer_stream_holds", {
  sessionId: uuid("session_id").notNull().references(() => supportSessions.id, {
    onDelete: "cascade",
  }),
  instanceId: uuid("instance_id").notNull().references(() => instances.id, {
    onDelete: "cascade",
  }),
  streams: integer("streams").notNull(),
}, (t) => [primaryKey({ columns: [t.sessionId, t.instanceId] })]);
