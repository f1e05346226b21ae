/**
 * SPEC L3: the organisation's list of approved external technicians (name, e-mail,
 * organisation). Admins keep it; technicians with `inviteExternal` invite from it. Every
 * change is audited in its own transaction.
 */
import { and, asc, eq, ne, sql } from "drizzle-orm";
import { z } from "zod";
import { type ChangeContext, recordChange } from "../audit/mod.ts";
import type { Database } from "../db/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { externalTechnicians } from "./schema.ts";

export type ApprovedTechnician = typeof externalTechnicians.$inferSelect;

export const ApprovedSchema = z.object({
  name: z.string().trim().min(1, "name").max(100, "name"),
  email: z.string().trim().toLowerCase().max(254, "email").pipe(z.email("email")),
  organisation: z.string().trim().max(100, "organisation").default(""),
});
export type ApprovedInput = z.infer<typeof ApprovedSchema>;
export type ApprovedField = keyof ApprovedInput;

/** Field → message key of what the schema refused (first issue per field). */
export type ApprovedProblems = Partial<Record<ApprovedField, "name" | "email" | "organisation">>;

export function parseApproved(
  raw: unknown,
): { ok: true; value: ApprovedInput } | { ok: false; problems: ApprovedProblems } {
  const parsed = ApprovedSchema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const problems: ApprovedProblems = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0]) as ApprovedField;
    problems[field] ??= field;
  }
  return { ok: false, problems };
}

export async function listApproved(db: Database, orgId: string): Promise<ApprovedTechnician[]> {
  return await db.select().from(externalTechnicians).where(eq(externalTechnicians.orgId, orgId))
    .orderBy(asc(sql`lower(${externalTechnicians.name})`), asc(externalTechnicians.email));
}

export async function findApproved(
  db: Database,
  orgId: string,
  id: string,
): Promise<ApprovedTechnician | undefined> {
  if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
  const [row] = await db.select().from(externalTechnicians)
    .where(and(eq(externalTechnicians.orgId, orgId), eq(externalTechnicians.id, id)));
  return row;
}

/** Adds (no `id`) or changes an approved person; a second row with the same e-mail is a 409. */
export async function saveApproved(
  db: Database,
  input: ApprovedInput,
  ctx: ChangeContext,
  id?: string,
): Promise<ApprovedTechnician> {
  const orgId = ctx.actor.orgId;
  return await db.transaction(async (tx) => {
    const before = id ? await findApproved(tx, orgId, id) : undefined;
    if (id && !before) throw new Refusal(404, "external.errors.notFound");
    const [clash] = await tx.select({ id: externalTechnicians.id }).from(externalTechnicians)
      .where(and(
        eq(externalTechnicians.orgId, orgId),
        sql`lower(${externalTechnicians.email}) = ${input.email}`,
        id ? ne(externalTechnicians.id, id) : undefined,
      ));
    if (clash) throw new Refusal(409, "external.errors.duplicate");
    const values = { ...input, updatedAt: ctx.now };
    const [row] = before
      ? await tx.update(externalTechnicians).set(values)
        .where(eq(externalTechnicians.id, before.id)).returning()
      : await tx.insert(externalTechnicians).values({ ...values, orgId, createdAt: ctx.now })
        .returning();
    await recordChange(
      tx,
      ctx,
      before ? "external.approved_updated" : "external.approved_added",
      row.id,
      before ? { before: _fields(before), after: _fields(row) } : _fields(row),
    );
    return row;
  });
}

export async function removeApproved(db: Database, id: string, ctx: ChangeContext): Promise<void> {
  await db.transaction(async (tx) => {
    const row = await findApproved(tx, ctx.actor.orgId, id);
    if (!row) throw new Refusal(404, "external.errors.notFound");
    await tx.delete(externalTechnicians).where(eq(externalTechnicians.id, row.id));
    await recordChange(tx, ctx, "external.approved_removed", row.id, _fields(row));
  });
}

function _fields(row: ApprovedTechnician) {
  return { name: row.name, email: row.email, organisation: row.organisation };
}
