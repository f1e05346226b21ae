import { and, asc, count, desc, eq, inArray, isNull, lte, or, type SQL, sql } from "drizzle-orm";
import {
  integer,
  type PgColumn,
  type PgTable,
  pgTable,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { clampPage, type Database } from "../db/mod.ts";

const at = (name: string) => timestamp(name, { withTimezone: true });

/**
 * The delivery columns every outbox table has, declared once so the queries below are
 * type-checked. Never created or queried under this name: a store casts its real table
 * (`mail_outbox`, `sms_outbox`) to it, and drizzle takes the name and the full column list
 * from the real table object at run time.
 */
const _shared = pgTable("outbox", {
  id: uuid("id").primaryKey(),
  orgId: uuid("org_id"),
  status: text("status").$type<OutboxStatus>().notNull(),
  attempts: integer("attempts").notNull(),
  lastError: text("last_error"),
  createdAt: at("created_at").notNull(),
  nextAttemptAt: at("next_attempt_at"),
  sentAt: at("sent_at"),
});

export type OutboxStatus = "held" | "pending" | "sent" | "failed";

/** Every status a message can have, in the order the admin filter lists them. */
export const OUTBOX_STATUSES: readonly OutboxStatus[] = ["pending", "held", "sent", "failed"];

/** A message's delivery state; each outbox's rows add the message itself. */
export type OutboxRow = typeof _shared.$inferSelect;

/** A table with the outbox columns whose rows are `Row`. */
export type OutboxTable<Row extends OutboxRow> =
  & PgTable
  & { [K in keyof OutboxRow]: PgColumn }
  & { $inferSelect: Row };

/**
 * Which messages an admin may see: the master admin (`all`) every message of the
 * organisation and those of none (system mail); an admin only the messages about the
 * groups it manages (`groupIds`) — an invitation to one of their people, a session of
 * one of their groups. A message about nobody's group is the master admin's alone.
 */
export interface OutboxScope {
  orgId: string;
  all: boolean;
  groupIds: readonly string[];
}

/**
 * Which rows are about one of `groupIds` (never empty): each outbox says so for its own
 * messages, from what the rows reference. Without it only the master admin sees a row.
 */
export type OutboxGroupFilter = (groupIds: readonly string[]) => SQL;

export interface OutboxQuery {
  status?: OutboxStatus;
  page?: number;
  pageSize?: number;
}

/** One page of an outbox, newest first, with the total for the pager. */
export interface OutboxPage<Row> {
  rows: Row[];
  total: number;
  page: number;
  pageSize: number;
}

/** The queries every outbox runs against its table: the admin list, resend, and delivery. */
export class OutboxStore<Row extends OutboxRow> {
  readonly #table: typeof _shared;
  readonly #aboutGroups?: OutboxGroupFilter;

  constructor(table: OutboxTable<Row>, options: { aboutGroups?: OutboxGroupFilter } = {}) {
    this.#table = table as unknown as typeof _shared;
    this.#aboutGroups = options.aboutGroups;
  }

  /** One page of messages in scope, newest first, plus the total for the pager. */
  async list(db: Database, scope: OutboxScope, query: OutboxQuery = {}): Promise<OutboxPage<Row>> {
    const table = this.#table;
    const filters = [this.#inScope(scope)];
    if (query.status) filters.push(eq(table.status, query.status));
    const where = and(...filters);
    const [{ total }] = await db.select({ total: count() }).from(table).where(where);
    const { page, pageSize } = clampPage(query, Number(total));
    const rows = await db.select().from(table).where(where)
      .orderBy(desc(table.createdAt), desc(table.id))
      .limit(pageSize).offset((page - 1) * pageSize);
    return { rows: rows as Row[], total: Number(total), page, pageSize };
  }

  /** The message with `id` if the scope may see it. */
  async find(db: Database, scope: OutboxScope, id: string): Promise<Row | undefined> {
    const [row] = await db.select().from(this.#table)
      .where(and(eq(this.#table.id, id), this.#inScope(scope)));
    return row as Row | undefined;
  }

  /**
   * Makes messages deliverable again from scratch: pending, no attempts, due now. Either the
   * listed ids, or (`ids` omitted) every held or failed message in scope. Returns the rows
   * as they were before the reset, for the audit trail.
   */
  async resetForResend(
    db: Database,
    scope: OutboxScope,
    options: { now: Date; ids?: string[] },
  ): Promise<Row[]> {
    const table = this.#table;
    const which = options.ids
      ? inArray(table.id, options.ids)
      : inArray(table.status, ["held", "failed"]);
    const before = await db.select().from(table).where(and(which, this.#inScope(scope)))
      .for("update");
    if (before.length === 0) return [];
    await db.update(table).set({
      status: "pending",
      attempts: 0,
      lastError: null,
      nextAttemptAt: options.now,
    }).where(inArray(table.id, before.map((r) => r.id)));
    return before as Row[];
  }

  /**
   * Marks rows as being delivered by pushing `nextAttemptAt` past the claim window in one
   * UPDATE; a concurrent deliverer (another instance) skips the rows being claimed, so no
   * row is claimed twice and two deliverers share the work. If the process dies mid-send
   * the claim simply expires and the row is retried.
   * `ids` claims those rows if pending and due, or held (naming a held row asks for it to go
   * out now); without `ids`, up to `batch` due pending rows, the longest waiting first.
   */
  async claim(
    db: Database,
    options: { now: Date; until: Date; batch: number; ids?: string[] },
  ): Promise<Row[]> {
    const table = this.#table;
    const due = and(
      eq(table.status, "pending"),
      or(isNull(table.nextAttemptAt), lte(table.nextAttemptAt, options.now)),
    )!;
    const set = { status: "pending" as const, nextAttemptAt: options.until };
    if (options.ids) {
      const named = and(inArray(table.id, options.ids), or(due, eq(table.status, "held")))!;
      return await db.update(table).set(set).where(named).returning() as Row[];
    }
    // The batch is picked once, in a CTE: rows another instance is claiming right now are
    // skipped, not waited for, so two instances take different batches (a `where id in
    // (… for update skip locked)` subquery may be re-run for rows changed meanwhile and
    // claim more than a batch, or one instance finds its batch gone and stops).
    const batch = db.$with("batch").as(
      db.select({ id: table.id }).from(table).where(due)
        .orderBy(asc(table.nextAttemptAt)).limit(options.batch)
        .for("update", { skipLocked: true }),
    );
    const claimed = await db.with(batch).update(table).set(set)
      .where(inArray(table.id, db.select({ id: batch.id }).from(batch)))
      .returning();
    return claimed as Row[];
  }

  /** Records one delivery outcome: sent, or a failed attempt with its error and next try. */
  async record(
    db: Database,
    id: string,
    outcome: Pick<OutboxRow, "status" | "nextAttemptAt" | "lastError"> & {
      attempts?: number;
      sentAt?: Date;
    },
  ): Promise<void> {
    await db.update(this.#table).set(outcome).where(eq(this.#table.id, id));
  }

  #inScope(scope: OutboxScope): SQL {
    const own = eq(this.#table.orgId, scope.orgId);
    if (scope.all) return or(own, isNull(this.#table.orgId))!;
    if (!this.#aboutGroups || scope.groupIds.length === 0) return sql`false`;
    return and(own, this.#aboutGroups(scope.groupIds))!;
  }
}
