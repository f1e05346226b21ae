import {
  bigint,
  bigserial,
  index,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

/**
 * Who did what, when, from where: one row per privileged action or security event. Each
 * organisation's entries form a hash chain (`seq` 1, 2, …; `hash` covers the entry and
 * `prevHash`, the hash of the entry before): changing, removing or inserting a row breaks it.
 */
export const auditLog = pgTable("audit_log", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  orgId: uuid("org_id"),
  actorId: uuid("actor_id"),
  actorEmail: text("actor_email"),
  action: text("action").notNull(),
  target: text("target"),
  ip: text("ip"),
  details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
  /** The entry's place in its chain (null only for rows written before chaining existed). */
  seq: bigint("seq", { mode: "number" }),
  prevHash: text("prev_hash"),
  hash: text("hash"),
}, (t) => [
  index("audit_log_org_created_idx").on(t.orgId, t.createdAt),
  index("audit_log_action_idx").on(t.action),
  uniqueIndex("audit_log_chain_idx").on(t.orgId, t.seq),
]);

/**
 * The end of each chain (`chain`: the organisation's id, or "-" for entries of none): its
 * last `seq` and `hash`. A writer locks this row to append, so concurrent writers take
 * turns and every entry links to the one committed before it.
 */
export const auditChainHeads = pgTable("audit_chain_heads", {
  chain: text("chain").primaryKey(),
  seq: bigint("seq", { mode: "number" }).notNull(),
  hash: text("hash").notNull(),
});
