/**
 * The customer survey in a session (SPEC T4): offered at the end of the session however it
 * ends (`offerSurveyAtEnd`, which the app registers with support) or pushed during it
 * (`pushSurvey`) — a "survey offered" line whose link the customer's chat shows — and
 * answered on the customer's page (`/s/:token/survey`) once.
 */
import { and, eq } from "drizzle-orm";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import type { Database } from "../db/mod.ts";
import {
  logSessionEvent,
  type SessionEnd,
  sessionForTechnician,
  sessionLog,
  type SupportSession,
  type WhenEnded,
} from "../support/mod.ts";
import { externalSurveyUrl } from "./questions.ts";
import { answersFor, recordAnswers, type SurveyForm, surveyForSession } from "./service.ts";

/** The log line that offers the survey; the customer's log shows its `href` as a button. */
export const SURVEY_OFFERED = "log.surveyOffered";
export const SURVEY_ANSWERED = "log.surveyAnswered";

/** Where the customer answers: our page, or the external survey with the session id. */
export function surveyHref(form: SurveyForm, session: Pick<SupportSession, "id" | "token">) {
  return form.externalUrl
    ? externalSurveyUrl(form.externalUrl, session.id)
    : `/s/${session.token}/survey`;
}

async function _offered(db: Database, sessionId: string): Promise<boolean> {
  const [row] = await db.select({ id: sessionLog.id }).from(sessionLog)
    .where(and(eq(sessionLog.sessionId, sessionId), eq(sessionLog.body, SURVEY_OFFERED)))
    .limit(1);
  return !!row;
}

async function _offer(deps: AppDeps, session: SupportSession, user: CurrentUser, form: SurveyForm) {
  await logSessionEvent(deps, session, SURVEY_OFFERED, { href: surveyHref(form, session) }, {
    userId: user.id,
    name: user.name,
    author: "technician",
  });
}

/** Ends after which no survey is offered: the customer never took part in the session. */
const NO_SURVEY: ReadonlySet<SessionEnd["outcome"]> = new Set([
  "connecting_timeout", // the customer never arrived (say the PIN was never entered)
  "terms_declined", // the customer declined before the session began
]);

/** Whether an end of `session` offers the survey (once a form applies and none was offered). */
export function endOffersSurvey(
  session: Pick<SupportSession, "connectedAt">,
  end: Pick<SessionEnd, "outcome">,
): boolean {
  return session.connectedAt !== null && !NO_SURVEY.has(end.outcome);
}

/**
 * At every end of a session (registered by the app with support's `whenSessionEnds`: a
 * technician's End, the customer leaving, a timeout or abandon), in the ending
 * transaction: the customer's page gets the survey's link if the customer reached the
 * session, its group or channel has a survey switched on, and it was neither offered nor
 * answered yet — written before the page hears that the session ended, so it shows there.
 */
export const offerSurveyAtEnd: WhenEnded = async (tx, session, end) => {
  if (!endOffersSurvey(session, end)) return;
  const form = await surveyForSession(tx, session);
  if (!form || await answersFor(tx, session.id) || await _offered(tx, session.id)) return;
  await tx.insert(sessionLog).values({
    sessionId: session.id,
    at: end.at,
    kind: "event",
    author: end.by ? "technician" : "system",
    userId: end.by?.id ?? null,
    authorName: end.by?.name ?? "",
    body: SURVEY_OFFERED,
    data: { href: surveyHref(form, session) },
  });
};

/**
 * A technician working the session sends the survey now: the customer's chat gets the
 * link. Refused when the session has no survey or it was answered already.
 */
export async function pushSurvey(deps: AppDeps, user: CurrentUser, sessionId: string) {
  const { session } = await sessionForTechnician(deps, user, sessionId);
  const form = await surveyForSession(deps.db, session);
  if (!form) throw new Refusal(409, "surveys.noneForSession");
  if (await answersFor(deps.db, session.id)) throw new Refusal(409, "surveys.alreadyAnswered");
  await _offer(deps, session, user, form);
}

/** Whether the session's survey can be pushed now (the workspace shows the button then). */
export async function canPushSurvey(deps: AppDeps, session: SupportSession): Promise<boolean> {
  return !!(await surveyForSession(deps.db, session)) && !(await answersFor(deps.db, session.id));
}

export type CustomerSurvey =
  | { state: "none" }
  | { state: "answered" }
  | { state: "open"; form: SurveyForm; href: string };

/**
 * What the customer's page may show of the survey: nothing (no survey, or not offered —
 * it is offered at the end or when a technician sends it), "answered", or the open survey.
 */
export async function customerSurvey(
  deps: AppDeps,
  session: SupportSession,
): Promise<CustomerSurvey> {
  const form = await surveyForSession(deps.db, session);
  if (!form) return { state: "none" };
  if (await answersFor(deps.db, session.id)) return { state: "answered" };
  if (!await _offered(deps.db, session.id)) return { state: "none" };
  return { state: "open", form, href: surveyHref(form, session) };
}

/**
 * The customer's answers: checked and stored once (a second submission is a 409), then a
 * line in the log tells the technicians. Bad input stores nothing and names the answers.
 */
export async function answerSurvey(
  deps: AppDeps,
  session: SupportSession,
  input: Record<string, string>,
) {
  const survey = await customerSurvey(deps, session);
  if (survey.state === "answered") throw new Refusal(409, "surveys.alreadyAnswered");
  if (survey.state === "none" || survey.form.externalUrl) {
    throw new Refusal(404, "surveys.notOffered");
  }
  const result = await recordAnswers(deps.db, session, survey.form, input, deps.clock.now());
  if (result.ok) {
    await logSessionEvent(deps, session, SURVEY_ANSWERED, {}, {
      author: "customer",
      name: session.customerName,
    });
  }
  return { result, form: survey.form };
}
