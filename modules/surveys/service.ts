/**
 * Surveys in the database: the form of a group or channel (read, saved by an admin who
 * manages it, audited), which form a session gets, and the customer's answers — stored
 * once per session; a second submission is refused.
 */
import { and, eq } from "drizzle-orm";
import { type ChangeContext, recordChange } from "../audit/mod.ts";
import { getManagedChannel } from "../channels/mod.ts";
import type { Database } from "../db/mod.ts";
import { managedGroup } from "../org/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { type AnswerProblemKey, checkAnswers, type SurveyDraft } from "./questions.ts";
import { surveyAnswers, surveyForms } from "./schema.ts";
import { publishWebhookEvent } from "../webhooks/mod.ts";

export type SurveyForm = typeof surveyForms.$inferSelect;
export type SurveyAnswerRow = typeof surveyAnswers.$inferSelect;

/** Whose survey: a technician group's or a channel's. */
export type SurveyOwner = { kind: "group" | "channel"; id: string };

/** The parts of a session a survey needs (support passes its session row). */
export interface SurveySession {
  id: string;
  orgId: string;
  groupId: string | null;
  channelId: string | null;
  leadUserId: string | null;
}

const ownerColumn = (owner: SurveyOwner) =>
  owner.kind === "group" ? surveyForms.groupId : surveyForms.channelId;

/** The stored form of a group or channel of `orgId`, if one was ever saved. */
export async function loadForm(
  db: Database,
  orgId: string,
  owner: SurveyOwner,
): Promise<SurveyForm | undefined> {
  if (!/^[0-9a-f-]{36}$/.test(owner.id)) return undefined;
  const [row] = await db.select().from(surveyForms)
    .where(and(eq(surveyForms.orgId, orgId), eq(ownerColumn(owner), owner.id)));
  return row;
}

/** Every saved form of the organisation (the admin list shows which are on). */
export async function listForms(db: Database, orgId: string): Promise<SurveyForm[]> {
  return await db.select().from(surveyForms).where(eq(surveyForms.orgId, orgId));
}

/**
 * The owner's name if the admin manages it (a group it manages, a channel all of whose
 * groups it manages); anything else is "not found".
 */
export async function managedOwnerName(
  db: Database,
  actor: ChangeContext["actor"],
  owner: SurveyOwner,
): Promise<string> {
  if (owner.kind === "group") return (await managedGroup(db, actor, owner.id)).name;
  const channel = await getManagedChannel(db, actor, owner.id);
  if (!channel) throw new Refusal(404, "surveys.notFound");
  return channel.name;
}

/** Saves a checked draft as the owner's form and audits the change, in one transaction. */
export async function saveForm(
  db: Database,
  ctx: ChangeContext,
  owner: SurveyOwner,
  draft: SurveyDraft,
): Promise<SurveyForm> {
  await managedOwnerName(db, ctx.actor, owner);
  return await db.transaction(async (tx) => {
    const before = await loadForm(tx, ctx.actor.orgId, owner);
    const values = {
      enabled: draft.enabled,
      externalUrl: draft.externalUrl,
      questions: draft.questions,
      updatedBy: ctx.actor.id,
      updatedAt: ctx.now,
    };
    const [row] = before
      ? await tx.update(surveyForms).set(values).where(eq(surveyForms.id, before.id)).returning()
      : await tx.insert(surveyForms).values({
        ...values,
        orgId: ctx.actor.orgId,
        groupId: owner.kind === "group" ? owner.id : null,
        channelId: owner.kind === "channel" ? owner.id : null,
      }).returning();
    await recordChange(tx, ctx, "survey.saved", owner.id, {
      owner: owner.kind,
      enabled: draft.enabled,
      external: draft.externalUrl !== "",
      questions: draft.questions.length,
    });
    return row;
  });
}

/**
 * The survey a session's customer gets, if any: its channel's when that is switched on,
 * else its group's when that is.
 */
export async function surveyForSession(
  db: Database,
  session: Pick<SurveySession, "orgId" | "groupId" | "channelId">,
): Promise<SurveyForm | null> {
  if (session.channelId) {
    const form = await loadForm(db, session.orgId, { kind: "channel", id: session.channelId });
    if (form?.enabled) return form;
  }
  if (session.groupId) {
    const form = await loadForm(db, session.orgId, { kind: "group", id: session.groupId });
    if (form?.enabled) return form;
  }
  return null;
}

export type AnswerResult =
  | { ok: true; row: SurveyAnswerRow }
  | { ok: false; problems: Record<string, AnswerProblemKey> };

/**
 * Checks the customer's answers against `form` and stores them with the session. Bad input
 * stores nothing and says which answers to fix; a session answered before is a 409.
 */
export async function recordAnswers(
  db: Database,
  session: SurveySession,
  form: SurveyForm,
  input: Record<string, string>,
  now: Date,
): Promise<AnswerResult> {
  if (await answersFor(db, session.id)) throw alreadyAnswered();
  const checked = checkAnswers(form.questions, input);
  if (!checked.ok) return checked;
  // Two submissions at once: the unique index lets one in, the other finds nothing inserted.
  // Other systems hear of it in the same transaction (a webhook queued only if it stored).
  const row = await db.transaction(async (tx) => {
    const [inserted] = await tx.insert(surveyAnswers).values({
      sessionId: session.id,
      orgId: session.orgId,
      groupId: session.groupId,
      channelId: session.channelId,
      technicianId: session.leadUserId,
      answeredAt: now,
      score: checked.score,
      answers: checked.answers,
    }).onConflictDoNothing({ target: surveyAnswers.sessionId }).returning();
    if (inserted) {
      await publishWebhookEvent(tx, {
        orgId: session.orgId,
        type: "survey.answered",
        key: `survey.answered:${session.id}`,
        data: {
          sessionId: session.id,
          groupId: session.groupId,
          channelId: session.channelId,
          technicianId: session.leadUserId,
          score: checked.score,
          answers: checked.answers,
        },
        at: now,
      });
    }
    return inserted;
  });
  if (!row) throw alreadyAnswered();
  return { ok: true, row };
}

function alreadyAnswered() {
  return new Refusal(409, "surveys.alreadyAnswered", { reason: "answered before" });
}

/** The session's answers, if the customer gave them. */
export async function answersFor(
  db: Database,
  sessionId: string,
): Promise<SurveyAnswerRow | undefined> {
  const [row] = await db.select().from(surveyAnswers).where(eq(surveyAnswers.sessionId, sessionId));
  return row;
}
