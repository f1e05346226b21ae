import { pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { organisations } from "../auth/schema.ts";
import { channels } from "../channels/schema.ts";
import { technicianGroups } from "../org/schema.ts";

const at = (name: string) => timestamp(name, { withTimezone: true });

/**
 * A calling card (SPEC C6): one per channel, the branded support app a customer keeps on the
 * computer and opens to connect by PIN or through the channel. The logo's bytes are in the
 * file store (`logoSha256`, PNG/JPEG/WebP typed by magic bytes); colours are `#rrggbb`.
 */
export const callingCards = pgTable("calling_cards", {
  id: uuid("id").primaryKey().defaultRandom(),
  orgId: uuid("org_id").notNull().references(() => organisations.id),
  channelId: uuid("channel_id").notNull().references(() => channels.id, { onDelete: "cascade" }),
  name: text("name").notNull(),
  text: text("text").notNull().default(""),
  helpUrl: text("help_url").notNull().default(""),
  accent: text("accent").notNull(),
  background: text("background").notNull(),
  logoSha256: text("logo_sha256"),
  logoType: text("logo_type"),
  createdAt: at("created_at").notNull(),
  updatedAt: at("updated_at").notNull(),
}, (t) => [uniqueIndex("calling_cards_channel_idx").on(t.channelId)]);

/** The technician groups a card is assigned to (whose technicians may deploy it). */
export const callingCardGroups = pgTable("calling_card_groups", {
  cardId: uuid("card_id").notNull().references(() => callingCards.id, { onDelete: "cascade" }),
  groupId: uuid("group_id").notNull().references(() => technicianGroups.id, {
    onDelete: "cascade",
  }),
}, (t) => [primaryKey({ columns: [t.cardId, t.groupId] })]);
