import { sql } from "drizzle-orm";
import { boolean, index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { organisations, users } from "../auth/schema.ts";
import { instances } from "../cluster/schema.ts";
import { technicianGroups } from "../org/schema.ts";

/** How the customer got the link: copied or the technician's own app, or our outboxes. */
export type LensSentVia = "link" | "email" | "sms";

/**
 * Why a Lens session's record ended: the session's own reasons (lens_session.ts
 * `LensEndReason`), or `instanceGone` when the instance that held it died (seen by another).
 */
export type LensRecordEnd =
  | "technician"
  | "customer"
  | "lost"
  | "expired"
  | "abandoned"
  | "instanceGone";

/**
 * Which instance holds a running Lens session (its werift peers and state live in that
 * instance's memory): the technician's requests (found by `user_id`, one session per
 * technician across the cluster) and the phone's (found by the SHA-256 of the link's token,
 * never the token itself) that land elsewhere are relayed there. Written at start, removed at
 * the end; a dead instance's rows go with its `instances` row.
 */
export const lensHomes = pgTable("lens_homes", {
  lensId: uuid("lens_id").primaryKey(),
  userId: uuid("user_id").notNull().unique(),
  tokenHash: text("token_hash").notNull().unique(),
  instanceId: uuid("instance_id").notNull().references(() => instances.id, {
    onDelete: "cascade",
  }),
  since: timestamp("since", { withTimezone: true }).notNull(),
});

/**
 * The record of every Lens session (SPEC M1), kept after it ends: who ran it (and the group
 * they were in then: the reports' scope), the customer's name given with an invitation, how
 * the link went (`link`: copied or sent from the technician's own app; `email`, `sms`: through
 * the product's outboxes), when it was created, went live (the phone's first picture) and
 * ended, why it ended (`LensRecordEnd`), whether the technician recorded it, and the instance
 * that held it. Written by the registry at start, first picture, recording, invitation and
 * end; a row whose instance died is closed (`instanceGone`) by whoever sees it gone.
 */
export const lensSessions = pgTable("lens_sessions", {
  id: uuid("id").primaryKey(),
  orgId: uuid("org_id").notNull().references(() => organisations.id),
  technicianId: uuid("technician_id").notNull().references(() => users.id),
  groupId: uuid("group_id").references(() => technicianGroups.id),
  customerName: text("customer_name"),
  sentVia: text("sent_via").$type<LensSentVia>().notNull().default("link"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
  liveAt: timestamp("live_at", { withTimezone: true }),
  endedAt: timestamp("ended_at", { withTimezone: true }),
  endReason: text("end_reason").$type<LensRecordEnd>(),
  recorded: boolean("recorded").notNull().default(false),
  // No reference: the record outlives the instance (a dead instance's row goes).
  instanceId: uuid("instance_id").notNull(),
}, (t) => [
  index("lens_sessions_org_created_idx").on(t.orgId, t.createdAt),
  index("lens_sessions_technician_ended_idx").on(t.technicianId, t.endedAt),
  index("lens_sessions_open_idx").on(t.instanceId).where(sql`${t.endedAt} is null`),
]);
