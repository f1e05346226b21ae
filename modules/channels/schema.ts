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
import { organisations } from "../auth/schema.ts";
import { technicianGroups } from "../org/schema.ts";

const at = (name: string) => timestamp(name, { withTimezone: true });

/** SPEC A7: admin-defined fields ("name" is built in; these are the extra ones). */
export const customFields = pgTable("custom_fields", {
  id: uuid("id").primaryKey().defaultRandom(),
  orgId: uuid("org_id").notNull().references(() => organisations.id),
  label: text("label").notNull(),
  position: integer("position").notNull().default(0),
  maxLength: integer("max_length").notNull().default(200),
  active: boolean("active").notNull().default(true),
  createdAt: at("created_at").notNull(),
});

export interface OpeningHours {
  timeZone: string;
  /** Per ISO weekday 1 (Monday) … 7: a list of ["HH:MM", "HH:MM"] ranges; empty = closed. */
  days: Record<string, [string, string][]>;
  /** When false the channel is open around the clock. */
  enabled: boolean;
}

/** SPEC A6: a public link/form that puts customers in the channel queue. At most 10. */
export const channels = pgTable("channels", {
  id: uuid("id").primaryKey().defaultRandom(),
  orgId: uuid("org_id").notNull().references(() => organisations.id),
  name: text("name").notNull(),
  /** The unguessable public path segment: /c/<slug>. */
  slug: text("slug").notNull(),
  active: boolean("active").notNull().default(true),
  /** Custom fields the form asks for, in order, each required or optional. */
  fields: jsonb("fields").$type<{ fieldId: string; required: boolean }[]>().notNull(),
  openingHours: jsonb("opening_hours").$type<OpeningHours>().notNull(),
  unavailableAction: text("unavailable_action").$type<"message" | "callback">().notNull(),
  unavailableMessage: text("unavailable_message").notNull().default(""),
  createdAt: at("created_at").notNull(),
  updatedAt: at("updated_at").notNull(),
}, (t) => [uniqueIndex("channels_slug_idx").on(t.slug)]);

export const channelGroups = pgTable("channel_groups", {
  channelId: uuid("channel_id").notNull().references(() => channels.id, { onDelete: "cascade" }),
  groupId: uuid("group_id").notNull().references(() => technicianGroups.id, {
    onDelete: "cascade",
  }),
}, (t) => [primaryKey({ columns: [t.channelId, t.groupId] })]);

/** Customer details left when nobody could take the session ("collect details"). */
export const callbackRequests = pgTable("callback_requests", {
  id: uuid("id").primaryKey().defaultRandom(),
  channelId: uuid("channel_id").notNull().references(() => channels.id, { onDelete: "cascade" }),
  name: text("name").notNull(),
  contact: text("contact").notNull(),
  values: jsonb("values").$type<Record<string, string>>().notNull(),
  createdAt: at("created_at").notNull(),
  handledAt: at("handled_at"),
}, (t) => [index("callback_requests_channel_idx").on(t.channelId, t.createdAt)]);
