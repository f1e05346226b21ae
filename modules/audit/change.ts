import type { Database } from "../db/mod.ts";
import type { ChangeContext } from "../http/mod.ts";
import { type AuditAction, recordAudit } from "./service.ts";

export type { ChangeContext };

/** Audits an admin change; pass the transaction so the entry commits with the change. */
export async function recordChange(
  db: Database,
  ctx: ChangeContext,
  action: AuditAction,
  target: string,
  details: Record<string, unknown>,
): Promise<void> {
  await recordAudit(db, {
    orgId: ctx.actor.orgId,
    actorId: ctx.actor.id,
    actorEmail: ctx.actor.email,
    action,
    target,
    ip: ctx.ip,
    details,
    at: ctx.now,
  });
}

/** The before/after pair of only the properties that differ. */
export function changedValues(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const differs = (k: string) => JSON.stringify(before[k]) !== JSON.stringify(after[k]);
  const pick = (o: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(o).filter(([k]) => differs(k)));
  return { before: pick(before), after: pick(after) };
}
