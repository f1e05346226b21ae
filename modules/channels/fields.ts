import { and, asc, count, eq, max } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import type { ChangeContext } from "../audit/mod.ts";
import { type FieldInput, FieldInputSchema, type InputProblem, problemsOf } from "./input.ts";
import { customFields } from "./schema.ts";
import { managedGroupIds } from "../org/mod.ts";
import { assertAdmin, isUuid, listChannels, managesChannel } from "./service.ts";
import { recordChange as audit } from "../audit/mod.ts";

/** SPEC A7 says "several"; twenty active fields is more than any form should ask. */
export const MAX_ACTIVE_FIELDS = 20;

export type FieldRow = typeof customFields.$inferSelect;
export type FieldResult = { ok: true; field: FieldRow } | { ok: false; problems: InputProblem[] };

/** The organisation's custom fields in form order (deactivated ones too, unless asked). */
export async function listFields(
  db: Database,
  orgId: string,
  options: { activeOnly?: boolean } = {},
): Promise<FieldRow[]> {
  const where = options.activeOnly
    ? and(eq(customFields.orgId, orgId), eq(customFields.active, true))
    : eq(customFields.orgId, orgId);
  return await db.select().from(customFields).where(where)
    .orderBy(asc(customFields.position), asc(customFields.createdAt));
}

const _LABEL_TAKEN: FieldResult = { ok: false, problems: [{ path: "label", code: "labelTaken" }] };

/** Parses a field's input: its problems, or what `save` makes of it in one transaction. */
async function _saveField(
  db: Database,
  raw: unknown,
  save: (tx: Database, input: FieldInput) => Promise<FieldResult>,
): Promise<FieldResult> {
  const parsed = FieldInputSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problems: problemsOf(parsed.error) };
  return await db.transaction((tx) => save(tx, parsed.data));
}

/** Adds a field at the end of the form order. Labels are unique per organisation. */
export async function createField(
  db: Database,
  raw: unknown,
  ctx: ChangeContext,
): Promise<FieldResult> {
  return await _saveField(db, raw, async (tx, input) => {
    assertAdmin(ctx);
    const orgId = ctx.actor.orgId;
    await assertRoomForOneMore(tx, orgId);
    if (await labelTaken(tx, orgId, input.label)) return _LABEL_TAKEN;
    const [{ last }] = await tx.select({ last: max(customFields.position) }).from(customFields)
      .where(eq(customFields.orgId, orgId));
    const [field] = await tx.insert(customFields).values({
      orgId,
      label: input.label,
      maxLength: input.maxLength,
      position: (last ?? -1) + 1,
      active: true,
      createdAt: ctx.now,
    }).returning();
    await audit(tx, ctx, "field.created", field.id, { after: fieldSnapshot(field) });
    return { ok: true as const, field };
  });
}

/** Renames a field or changes its maximum length. */
export async function updateField(
  db: Database,
  id: string,
  raw: unknown,
  ctx: ChangeContext,
): Promise<FieldResult> {
  return await _saveField(db, raw, async (tx, input) => {
    const before = await orgField(tx, ctx, id);
    if (await labelTaken(tx, ctx.actor.orgId, input.label, id)) return _LABEL_TAKEN;
    const [field] = await tx.update(customFields).set({
      label: input.label,
      maxLength: input.maxLength,
    }).where(eq(customFields.id, id)).returning();
    await audit(tx, ctx, "field.updated", id, {
      before: { label: before.label, maxLength: before.maxLength },
      after: { label: field.label, maxLength: field.maxLength },
    });
    return { ok: true as const, field };
  });
}

/** Moves a field one place up or down in the form order (renumbering 0, 1, 2 …). */
export async function moveField(
  db: Database,
  id: string,
  direction: "up" | "down",
  ctx: ChangeContext,
): Promise<void> {
  await db.transaction(async (tx) => {
    await orgField(tx, ctx, id);
    const order = (await listFields(tx, ctx.actor.orgId)).map((f) => f.id);
    const from = order.indexOf(id);
    const to = direction === "up" ? from - 1 : from + 1;
    if (to < 0 || to >= order.length) return;
    [order[from], order[to]] = [order[to], order[from]];
    for (const [position, fieldId] of order.entries()) {
      await tx.update(customFields).set({ position }).where(eq(customFields.id, fieldId));
    }
    await audit(tx, ctx, "field.updated", id, {
      before: { position: from },
      after: { position: to },
    });
  });
}

/**
 * Deactivating hides a field from every form but keeps it, so values customers already
 * gave stay readable; reactivating brings it back where it was.
 */
export async function setFieldActive(
  db: Database,
  id: string,
  active: boolean,
  ctx: ChangeContext,
): Promise<void> {
  await db.transaction(async (tx) => {
    const before = await orgField(tx, ctx, id);
    if (before.active === active) return;
    if (active) await assertRoomForOneMore(tx, ctx.actor.orgId);
    await tx.update(customFields).set({ active }).where(eq(customFields.id, id));
    await audit(tx, ctx, active ? "field.reactivated" : "field.deactivated", id, {
      before: { active: before.active },
      after: { active },
    });
  });
}

export async function getField(db: Database, orgId: string, id: string) {
  if (!isUuid(id)) return undefined;
  const [field] = await db.select().from(customFields).where(
    and(eq(customFields.id, id), eq(customFields.orgId, orgId)),
  );
  return field;
}

/**
 * The field to change, if the actor may: fields are the organisation's, listed to every
 * admin, but a limited admin changes only those no channel it does not manage
 * (`managesChannel`) asks for — otherwise it would reshape another group's form. Refused
 * with a 403 that says why, since the field itself is not hidden.
 */
async function orgField(db: Database, ctx: ChangeContext, id: string): Promise<FieldRow> {
  assertAdmin(ctx);
  const field = await getField(db, ctx.actor.orgId, id);
  if (!field) throw new Refusal(404, "fields.notFound");
  if (ctx.actor.role !== "master_admin") {
    const using = (await listChannels(db, ctx.actor.orgId))
      .filter((ch) => ch.fields.some((f) => f.fieldId === id));
    const managed = await managedGroupIds(db, ctx.actor);
    if (using.some((ch) => !managesChannel(ctx.actor, ch, managed))) {
      throw new Refusal(403, "fields.otherGroups");
    }
  }
  return field;
}

async function assertRoomForOneMore(db: Database, orgId: string) {
  const [{ n }] = await db.select({ n: count() }).from(customFields).where(
    and(eq(customFields.orgId, orgId), eq(customFields.active, true)),
  );
  if (Number(n) >= MAX_ACTIVE_FIELDS) {
    throw new Refusal(409, "fields.limitReached", { params: { max: MAX_ACTIVE_FIELDS } });
  }
}

/** Case-insensitive, against deactivated fields too (reactivate rather than duplicate). */
async function labelTaken(db: Database, orgId: string, label: string, except?: string) {
  const all = await listFields(db, orgId);
  const wanted = label.toLocaleLowerCase();
  return all.some((f) => f.id !== except && f.label.toLocaleLowerCase() === wanted);
}

function fieldSnapshot(f: FieldRow) {
  return { label: f.label, maxLength: f.maxLength, position: f.position, active: f.active };
}
