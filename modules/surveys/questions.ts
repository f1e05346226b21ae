/**
 * What a survey may contain and what an answer may say (SPEC T4): the admin's form as it is
 * posted (ordered questions of three kinds, or an external address), and the customer's
 * answers checked against the questions. Pure: no database, tested row by row.
 */
import type { SurveyAnswer, SurveyQuestion, SurveyQuestionKind } from "./schema.ts";

export const QUESTION_KINDS: readonly SurveyQuestionKind[] = ["rating", "choice", "text"];
export const MAX_QUESTIONS = 10;
export const MAX_CHOICES = 10;
export const LABEL_MAX = 300;
export const CHOICE_MAX = 100;
export const TEXT_ANSWER_MAX = 2000;
/** Empty rows the editor offers for new questions. */
export const NEW_ROWS = 3;

/** What the editor and the API save for one group or channel. */
export interface SurveyDraft {
  enabled: boolean;
  externalUrl: string;
  questions: SurveyQuestion[];
}

/** A field the admin must fix, named by its form field, with the message's locale key. */
export interface DraftProblem {
  field: string;
  key:
    | "surveys.problems.url"
    | "surveys.problems.label"
    | "surveys.problems.choices"
    | "surveys.problems.tooMany"
    | "surveys.problems.empty"
    | "surveys.problems.kind";
}

/**
 * Reads the editor's form: rows `q<i>_label`, `q<i>_kind`, `q<i>_choices` (one per line),
 * `q<i>_required`, `q<i>_position`, `q<i>_id`, `q<i>_remove` for i < `rows`. A row without
 * a label is skipped (the empty rows for new questions); rows are ordered by position,
 * then by their place in the form.
 */
export function draftFromForm(
  form: Record<string, string>,
  newId: () => string = () => crypto.randomUUID().slice(0, 8),
): { draft: SurveyDraft; problems: DraftProblem[] } {
  const problems: DraftProblem[] = [];
  const rows = Math.min(Number.parseInt(form.rows ?? "0", 10) || 0, MAX_QUESTIONS + NEW_ROWS);
  const picked: { position: number; index: number; question: SurveyQuestion }[] = [];
  for (let i = 0; i < rows; i++) {
    const label = (form[`q${i}_label`] ?? "").trim();
    if (!label || form[`q${i}_remove`] === "1") continue;
    const kind = form[`q${i}_kind`] as SurveyQuestionKind;
    if (!QUESTION_KINDS.includes(kind)) {
      problems.push({ field: `q${i}_kind`, key: "surveys.problems.kind" });
      continue;
    }
    if (label.length > LABEL_MAX) {
      problems.push({ field: `q${i}_label`, key: "surveys.problems.label" });
    }
    const choices = kind === "choice"
      ? [
        ...new Set(
          (form[`q${i}_choices`] ?? "").split(/\r?\n/).map((s) => s.trim()).filter(Boolean),
        ),
      ]
      : [];
    if (
      kind === "choice" &&
      (choices.length < 2 || choices.length > MAX_CHOICES ||
        choices.some((s) => s.length > CHOICE_MAX))
    ) {
      problems.push({ field: `q${i}_choices`, key: "surveys.problems.choices" });
    }
    const id = /^[A-Za-z0-9-]{1,36}$/.test(form[`q${i}_id`] ?? "") ? form[`q${i}_id`] : newId();
    const position = Number.parseFloat(form[`q${i}_position`] ?? "");
    picked.push({
      position: Number.isFinite(position) ? position : i + 1,
      index: i,
      question: { id, kind, label, choices, required: form[`q${i}_required`] === "1" },
    });
  }
  picked.sort((a, b) => a.position - b.position || a.index - b.index);
  const questions = picked.map((p) => p.question);
  // Two rows could carry the same id (a tampered form): the later one gets a new one.
  const seen = new Set<string>();
  for (const q of questions) {
    if (seen.has(q.id)) q.id = newId();
    seen.add(q.id);
  }
  if (questions.length > MAX_QUESTIONS) {
    problems.push({ field: "rows", key: "surveys.problems.tooMany" });
  }
  const externalUrl = (form.externalUrl ?? "").trim();
  if (externalUrl && !isSurveyUrl(externalUrl)) {
    problems.push({ field: "externalUrl", key: "surveys.problems.url" });
  }
  const enabled = form.enabled === "1";
  if (enabled && !externalUrl && questions.length === 0) {
    problems.push({ field: "enabled", key: "surveys.problems.empty" });
  }
  return { draft: { enabled, externalUrl, questions }, problems };
}

function isSurveyUrl(value: string): boolean {
  if (value.length > 2000) return false;
  try {
    const url = new URL(value.replace("{sessionId}", "x"));
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
}

/**
 * The external survey's address for one session: `{sessionId}` replaced, or the id added as
 * the `session` query parameter.
 */
export function externalSurveyUrl(template: string, sessionId: string): string {
  if (template.includes("{sessionId}")) {
    return template.replaceAll("{sessionId}", encodeURIComponent(sessionId));
  }
  const url = new URL(template);
  url.searchParams.set("session", sessionId);
  return url.href;
}

/** The form field of a question's answer on the customer's page. */
export const answerField = (question: SurveyQuestion) => `a_${question.id}`;

export type AnswerCheck =
  | { ok: true; answers: SurveyAnswer[]; score: number | null }
  | { ok: false; problems: Record<string, AnswerProblemKey> };

export type AnswerProblemKey =
  | "surveys.answer.required"
  | "surveys.answer.rating"
  | "surveys.answer.choice"
  | "surveys.answer.tooLong";

/**
 * The customer's answers checked against the questions: a rating is a whole number 1–5, a
 * choice one of the options, a text at most TEXT_ANSWER_MAX characters; a required question
 * must be answered. Fields for no question are ignored. `score` is the mean of the ratings.
 */
export function checkAnswers(
  questions: readonly SurveyQuestion[],
  form: Record<string, string>,
): AnswerCheck {
  const problems: Record<string, AnswerProblemKey> = {};
  const answers: SurveyAnswer[] = [];
  for (const q of questions) {
    const field = answerField(q);
    const raw = (form[field] ?? "").trim();
    let value: number | string | null = null;
    if (!raw) {
      if (q.required) problems[field] = "surveys.answer.required";
    } else if (q.kind === "rating") {
      if (!/^[1-5]$/.test(raw)) problems[field] = "surveys.answer.rating";
      else value = Number(raw);
    } else if (q.kind === "choice") {
      if (!q.choices.includes(raw)) problems[field] = "surveys.answer.choice";
      else value = raw;
    } else {
      const text = raw.replace(/\r\n?/g, "\n");
      if (text.length > TEXT_ANSWER_MAX) problems[field] = "surveys.answer.tooLong";
      else value = text;
    }
    answers.push({ questionId: q.id, kind: q.kind, label: q.label, value });
  }
  if (Object.keys(problems).length > 0) return { ok: false, problems };
  const ratings = answers.filter((a) => a.kind === "rating" && typeof a.value === "number")
    .map((a) => a.value as number);
  const score = ratings.length === 0
    ? null
    : Math.round((ratings.reduce((s, r) => s + r, 0) / ratings.length) * 100) / 100;
  return { ok: true, answers, score };
}
