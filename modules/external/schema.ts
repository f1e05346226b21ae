import { sql } from "drizzle-orm";
import {
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { organisations, users } from "../auth/schema.ts";
import { supportSessions } from "../support/schema.ts";

const at = (name: string) => timestamp(name, { withTimezone: true });

/** SPEC L3: the organisation's approved external technicians (not user accounts). */
export const externalTechnicians = pgTable("external_technicians", {
  id: uuid("id").primaryKey().defaultRandom(),
  orgId: uuid("org_id").notNull().references(() => organisations.id),
  name: text("name").notNull(),
  email: text("email").notNull(),
  organisation: text("organisation").notNull().default(""),
  createdAt: at("created_at").notNull(),
  updatedAt: at("updated_at").notNull(),
}, (t) => [
  uniqueIndex("external_technicians_email_idx").on(t.orgId, sql`lower(${t.email})`),
]);

export type ExternalMethod = "link" | "email" | "pin";
export type GuestEnd = "removed" | "expired" | "ended";

/**
 * SPEC K2: one invitation of an external person into one session, and its access. The link
 * token, the PIN and the browser's access cookie are stored only as SHA-256 fingerprints;
 * the link and the PIN are used once (`joinedAt`), the cookie then carries the access.
 */
export const externalGuests = pgTable("external_guests", {
  id: uuid("id").primaryKey().defaultRandom(),
  orgId: uuid("org_id").notNull().references(() => organisations.id),
  sessionId: uuid("session_id").notNull().references(() => supportSessions.id, {
    onDelete: "cascade",
  }),
  /** The approved person invited; null for someone not on the list. */
  approvedId: uuid("approved_id").references(() => externalTechnicians.id, {
    onDelete: "set null",
  }),
  name: text("name").notNull(),
  email: text("email").notNull(),
  organisation: text("organisation").notNull().default(""),
  method: text("method").$type<ExternalMethod>().notNull(),
  /** The page language: the inviter's for a link or e-mail; chosen on the PIN page. */
  language: text("language"),
  /** The permission set for this session (a subset of the inviter's at the time). */
  permissions: jsonb("permissions").$type<string[]>().notNull(),
  invitedBy: uuid("invited_by").notNull().references(() => users.id),
  linkHash: text("link_hash"),
  pinHash: text("pin_hash"),
  accessHash: text("access_hash"),
  expiresAt: at("expires_at").notNull(),
  createdAt: at("created_at").notNull(),
  joinedAt: at("joined_at"),
  endedAt: at("ended_at"),
  endReason: text("end_reason").$type<GuestEnd>(),
  pinStrikes: integer("pin_strikes").notNull().default(0),
}, (t) => [
  index("external_guests_session_idx").on(t.sessionId),
  uniqueIndex("external_guests_link_idx").on(t.linkHash),
  uniqueIndex("external_guests_pin_idx").on(t.pinHash),
  uniqueIndex("external_guests_access_idx").on(t.accessHash),
]);
