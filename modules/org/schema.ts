import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { organisations, users } from "../auth/schema.ts";
import type { GroupSettings } from "./settings.ts";

const at = (name: string) => timestamp(name, { withTimezone: true });

/** Technician groups; `parentId` nests them (a child inherits nothing implicitly). */
export const technicianGroups = pgTable("technician_groups", {
  id: uuid("id").primaryKey().defaultRandom(),
  orgId: uuid("org_id").notNull().references(() => organisations.id),
  parentId: uuid("parent_id"),
  name: text("name").notNull(),
  description: text("description").notNull().default(""),
  /** Permission names from modules/permissions; unknown names are dropped on read. */
  permissions: jsonb("permissions").$type<string[]>().notNull(),
  settings: jsonb("settings").$type<GroupSettings>().notNull(),
  createdAt: at("created_at").notNull(),
  updatedAt: at("updated_at").notNull(),
}, (t) => [uniqueIndex("technician_groups_org_name_idx").on(t.orgId, t.name)]);

/** Which group a technician belongs to (one each). */
export const groupMembers = pgTable("group_members", {
  userId: uuid("user_id").primaryKey().references(() => users.id, { onDelete: "cascade" }),
  groupId: uuid("group_id").notNull().references(() => technicianGroups.id),
}, (t) => [index("group_members_group_idx").on(t.groupId)]);

/** Which groups an admin (not master admin) manages. */
export const groupAdmins = pgTable("group_admins", {
  groupId: uuid("group_id").notNull().references(() => technicianGroups.id, {
    onDelete: "cascade",
  }),
  userId: uuid("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
}, (t) => [primaryKey({ columns: [t.groupId, t.userId] })]);

/** Set-password links sent to invited technicians and admins. */
export const invitations = pgTable("invitations", {
  id: uuid("id").primaryKey().defaultRandom(),
  userId: uuid("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  tokenHash: text("token_hash").notNull(),
  invitedBy: uuid("invited_by"),
  createdAt: at("created_at").notNull(),
  expiresAt: at("expires_at").notNull(),
  usedAt: at("used_at"),
}, (t) => [uniqueIndex("invitations_token_idx").on(t.tokenHash)]);

/**
 * Password reset links ("Forgot your password?" or an admin's "Send a password reset link"):
 * only the SHA-256 of the token is kept; a link works once, for an hour, and a newer one for
 * the same person replaces it (the older row is deleted). `requestedBy`: the admin who sent
 * it, null when the person asked. `failedCodes`: wrong 2FA codes tried with this link; the
 * fifth uses the link up (`usedAt` set), so the link, not the account's sign-in lock, limits
 * its 2FA step.
 */
export const passwordResets = pgTable("password_resets", {
  id: uuid("id").primaryKey().defaultRandom(),
  userId: uuid("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  tokenHash: text("token_hash").notNull(),
  requestedBy: uuid("requested_by"),
  createdAt: at("created_at").notNull(),
  expiresAt: at("expires_at").notNull(),
  usedAt: at("used_at"),
  failedCodes: integer("failed_codes").notNull().default(0),
}, (t) => [
  uniqueIndex("password_resets_token_idx").on(t.tokenHash),
  index("password_resets_user_idx").on(t.userId),
]);

/** SPEC A5: what a technician chose (online/away) and when it last did anything. */
export const technicianStatus = pgTable("technician_status", {
  userId: uuid("user_id").primaryKey().references(() => users.id, { onDelete: "cascade" }),
  chosen: text("chosen").$type<"online" | "away">().notNull().default("online"),
  lastActivityAt: at("last_activity_at").notNull(),
  signedIn: boolean("signed_in").notNull().default(false),
  updatedAt: at("updated_at").notNull(),
});
