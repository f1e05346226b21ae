/**
 * The audit log as JSON lines for a SIEM: one entry per line, oldest first, with its place
 * in the chain and its hashes (so the receiver can check the chain too), streamed in pages.
 */
import { and, asc, eq, gt, gte, lt, type SQL } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import { auditLog } from "./schema.ts";

export interface ExportFilter {
  orgId: string;
  action?: string;
  actorEmail?: string;
  from?: Date;
  to?: Date;
  /** Only entries after this place in the chain (what a SIEM has seen). */
  afterSeq?: number;
}

const PAGE = 1000;

/** One line: the entry's fields in a fixed order, the time as ISO 8601. */
export function exportLine(row: typeof auditLog.$inferSelect): string {
  return JSON.stringify({
    id: row.id,
    seq: row.seq,
    at: row.createdAt.toISOString(),
    orgId: row.orgId,
    action: row.action,
    actorId: row.actorId,
    actorEmail: row.actorEmail,
    target: row.target,
    ip: row.ip,
    details: row.details,
    prevHash: row.prevHash,
    hash: row.hash,
  }) + "\n";
}

/** The matching entries as a stream of JSON lines, read `PAGE` at a time by id. */
export function exportAuditLines(db: Database, filter: ExportFilter): ReadableStream<Uint8Array> {
  const where: SQL[] = [eq(auditLog.orgId, filter.orgId)];
  if (filter.action) where.push(eq(auditLog.action, filter.action));
  if (filter.actorEmail) where.push(eq(auditLog.actorEmail, filter.actorEmail.toLowerCase()));
  if (filter.from) where.push(gte(auditLog.createdAt, filter.from));
  if (filter.to) where.push(lt(auditLog.createdAt, filter.to));
  if (filter.afterSeq !== undefined) where.push(gt(auditLog.seq, filter.afterSeq));
  let after = 0;
  const encoder = new TextEncoder();
  return new ReadableStream({
    async pull(controller) {
      const rows = await db.select().from(auditLog)
        .where(and(...where, gte(auditLog.id, after + 1)))
        .orderBy(asc(auditLog.id)).limit(PAGE);
      if (rows.length > 0) {
        controller.enqueue(encoder.encode(rows.map(exportLine).join("")));
        after = rows.at(-1)!.id;
      }
      if (rows.length < PAGE) controller.close();
    },
  });
}
