import { index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { organisations, users } from "../auth/schema.ts";

/**
 * Where a monitoring stands (SPEC K4): waiting for the technician's consent, on, or over —
 * `refused` by the technician, `ended` by the admin, `closed` because the technician signed
 * out (the manual's "Closed"), `revoked` because the admin's right over the technician went
 * (the technician left the admin's groups, or the admin its admin role).
 */
export type MonitoringStatus = "asked" | "active" | "refused" | "ended" | "closed" | "revoked";

/**
 * One admin monitoring one technician (SPEC K4). `asked` while the technician's consent is
 * awaited (the group setting `monitoringAuthorisation`), `active` while the admin watches,
 * `refused`, `ended`, `closed` or `revoked` after. `seenAt` is pushed on while the admin's monitor page is open: a
 * monitoring whose page has been gone for a while no longer counts (a closed laptop).
 */
export const monitorings = pgTable("monitorings", {
  id: uuid("id").primaryKey().defaultRandom(),
  orgId: uuid("org_id").notNull().references(() => organisations.id, { onDelete: "cascade" }),
  adminId: uuid("admin_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  technicianId: uuid("technician_id").notNull().references(() => users.id, {
    onDelete: "cascade",
  }),
  status: text("status").$type<MonitoringStatus>().notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
  seenAt: timestamp("seen_at", { withTimezone: true }).notNull(),
  endedAt: timestamp("ended_at", { withTimezone: true }),
}, (t) => [index("monitorings_technician_idx").on(t.technicianId, t.status)]);
