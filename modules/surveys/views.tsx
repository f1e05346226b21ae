/**
 * What surveys look like: the Admin Center's list and editor (`/admin/surveys`), the
 * questions on the customer's page (support renders them in its own page shell), and the
 * answers as a session's record shows them.
 */
import type { PageContext } from "../http/mod.ts";
import type { Translator } from "../i18n/mod.ts";
import { CsrfField, Flash, Layout } from "../../views/layout.tsx";
import { Moment } from "../../views/moment.tsx";
import {
  answerField,
  type AnswerProblemKey,
  type DraftProblem,
  LABEL_MAX,
  NEW_ROWS,
  QUESTION_KINDS,
  type SurveyDraft,
  TEXT_ANSWER_MAX,
} from "./questions.ts";
import type { SurveyQuestion } from "./schema.ts";
import type { SurveyAnswerRow, SurveyForm, SurveyOwner } from "./service.ts";

export interface OwnerRow {
  owner: SurveyOwner;
  name: string;
  form?: SurveyForm;
}

export const editPath = (owner: SurveyOwner) => `/admin/surveys/${owner.kind}/${owner.id}`;

/** `/admin/surveys`: every group and channel the admin manages, and its survey. */
export function SurveyListPage(props: { c: PageContext; rows: OwnerRow[] }) {
  const { c } = props;
  const t = c.get("t");
  return (
    <Layout c={c} title={t("surveys.title")}>
      <h1>{t("surveys.title")}</h1>
      <p class="muted">{t("surveys.intro")}</p>
      <table class="survey-list">
        <thead>
          <tr>
            <th>{t("surveys.owner")}</th>
            <th>{t("surveys.ownerKind")}</th>
            <th>{t("surveys.status")}</th>
            <th>{t("surveys.content")}</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {props.rows.length === 0 && (
            <tr>
              <td colspan={5} class="muted">{t("surveys.nothingManaged")}</td>
            </tr>
          )}
          {props.rows.map((row) => (
            <tr data-owner={row.owner.id}>
              <td>{row.name}</td>
              <td>{t(`surveys.kind.${row.owner.kind}`)}</td>
              <td>{row.form?.enabled ? t("surveys.on") : t("surveys.off")}</td>
              <td>{_content(t, row.form)}</td>
              <td>
                <a href={editPath(row.owner)}>{t("surveys.edit")}</a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}

function _content(t: Translator, form?: SurveyForm): string {
  if (!form) return t("surveys.notSetUp");
  if (form.externalUrl) return t("surveys.external");
  return t("surveys.questionCount", { count: form.questions.length });
}

/** The editor of one group's or channel's survey; `problems` name the fields to fix. */
export function SurveyEditPage(
  props: {
    c: PageContext;
    owner: SurveyOwner;
    name: string;
    draft: SurveyDraft;
    problems?: DraftProblem[];
    saved?: boolean;
  },
) {
  const { c, owner, draft } = props;
  const t = c.get("t");
  const problem = (field: string) => props.problems?.find((p) => p.field === field);
  const error = (field: string) => {
    const p = problem(field);
    return p ? <p class="field-error" role="alert">{t(p.key)}</p> : null;
  };
  const rows: (SurveyQuestion | undefined)[] = [
    ...draft.questions,
    ...Array.from({ length: NEW_ROWS }, () => undefined),
  ];
  const title = t("surveys.editTitle", { name: props.name });
  return (
    <Layout c={c} title={title}>
      <p>
        <a href="/admin/surveys">{t("surveys.back")}</a>
      </p>
      <h1>{title}</h1>
      {props.saved && <Flash kind="info" message={t("common.saved")} />}
      {(props.problems?.length ?? 0) > 0 && <Flash kind="error" message={t("surveys.notSaved")} />}
      <form method="post" action={editPath(owner)} class="survey-editor">
        <CsrfField c={c} />
        <input type="hidden" name="rows" value={String(rows.length)} />
        <fieldset class="card">
          <legend>{t("surveys.general")}</legend>
          <label>
            <input type="checkbox" name="enabled" value="1" checked={draft.enabled} />{" "}
            {t(`surveys.enabledFor.${owner.kind}`)}
          </label>
          {error("enabled")}
          <div>
            <label for="survey-external">{t("surveys.externalUrl")}</label>
            <input
              id="survey-external"
              type="text"
              name="externalUrl"
              value={draft.externalUrl}
              aria-invalid={problem("externalUrl") ? "true" : undefined}
            />
            {error("externalUrl")}
            <p class="muted">{t("surveys.externalHelp")}</p>
          </div>
        </fieldset>
        <fieldset class="card">
          <legend>{t("surveys.questions")}</legend>
          <p class="muted">{t("surveys.questionsHelp")}</p>
          {error("rows")}
          <table class="survey-questions">
            <thead>
              <tr>
                <th>{t("surveys.position")}</th>
                <th>{t("surveys.question")}</th>
                <th>{t("surveys.questionKind")}</th>
                <th>{t("surveys.choices")}</th>
                <th>{t("surveys.required")}</th>
                <th>{t("surveys.remove")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((q, i) => <_QuestionRow t={t} q={q} i={i} error={error} />)}
            </tbody>
          </table>
        </fieldset>
        <button type="submit">{t("common.save")}</button>
      </form>
    </Layout>
  );
}

function _QuestionRow(
  props: { t: Translator; q?: SurveyQuestion; i: number; error: (field: string) => unknown },
) {
  const { t, q, i } = props;
  const f = (name: string) => `q${i}_${name}`;
  return (
    <tr data-question={q?.id ?? "new"}>
      <td>
        <input type="hidden" name={f("id")} value={q?.id ?? ""} />
        <input
          type="number"
          class="position"
          name={f("position")}
          value={String(i + 1)}
          min="1"
          aria-label={t("surveys.position")}
        />
      </td>
      <td>
        <input
          type="text"
          name={f("label")}
          value={q?.label ?? ""}
          maxlength={LABEL_MAX}
          aria-label={t("surveys.question")}
          placeholder={q ? undefined : t("surveys.newQuestion")}
        />
        {props.error(f("label"))}
      </td>
      <td>
        <select name={f("kind")} aria-label={t("surveys.questionKind")}>
          {QUESTION_KINDS.map((kind) => (
            <option value={kind} selected={(q?.kind ?? "rating") === kind}>
              {t(`surveys.kinds.${kind}`)}
            </option>
          ))}
        </select>
        {props.error(f("kind"))}
      </td>
      <td>
        <textarea name={f("choices")} rows={2} aria-label={t("surveys.choices")}>
          {q?.choices.join("\n") ?? ""}
        </textarea>
        {props.error(f("choices"))}
      </td>
      <td>
        <input
          type="checkbox"
          name={f("required")}
          value="1"
          checked={q?.required ?? false}
          aria-label={t("surveys.required")}
        />
      </td>
      <td>
        {q && (
          <input type="checkbox" name={f("remove")} value="1" aria-label={t("surveys.remove")} />
        )}
      </td>
    </tr>
  );
}

/**
 * The questions as the customer answers them, posting to `action`; `values` and `problems`
 * bring back a refused submission.
 */
export function SurveyQuestionsForm(
  props: {
    c: PageContext;
    action: string;
    questions: readonly SurveyQuestion[];
    values?: Record<string, string>;
    problems?: Record<string, AnswerProblemKey>;
  },
) {
  const { c, questions } = props;
  const t = c.get("t");
  const values = props.values ?? {};
  return (
    <form method="post" action={props.action} class="survey-form" id="survey-form">
      <CsrfField c={c} />
      {questions.map((q, n) => {
        const field = answerField(q);
        const problem = props.problems?.[field];
        const id = `survey-${q.id}`;
        return (
          <fieldset class="survey-question" data-kind={q.kind}>
            <legend id={`${id}-label`}>
              {`${n + 1}. `}
              {/* The admin's words, in whatever script: isolated from the page's direction. */}
              <bdi>{q.label}</bdi>
              {q.required && <span class="required">{t("surveys.answer.requiredMark")}</span>}
            </legend>
            {q.kind === "rating" && (
              <div class="survey-rating" role="radiogroup" aria-labelledby={`${id}-label`}>
                {[1, 2, 3, 4, 5].map((r) => (
                  <label class="plain">
                    <input
                      type="radio"
                      name={field}
                      value={String(r)}
                      checked={values[field] === String(r)}
                    />{" "}
                    {String(r)}
                  </label>
                ))}
                <span class="muted">{t("surveys.answer.scale")}</span>
              </div>
            )}
            {q.kind === "choice" && (
              <div class="checks">
                {q.choices.map((choice) => (
                  <label class="plain">
                    <input
                      type="radio"
                      name={field}
                      value={choice}
                      checked={values[field] === choice}
                    />{" "}
                    {choice}
                  </label>
                ))}
              </div>
            )}
            {q.kind === "text" && (
              <textarea
                name={field}
                rows={3}
                maxlength={TEXT_ANSWER_MAX}
                aria-labelledby={`${id}-label`}
              >
                {values[field] ?? ""}
              </textarea>
            )}
            {problem && <p class="field-error" role="alert">{t(problem)}</p>}
          </fieldset>
        );
      })}
      <button type="submit">{t("surveys.answer.send")}</button>
    </form>
  );
}

/** The customer's answers in a session's record. */
export function SurveyAnswersCard(props: { t: Translator; row: SurveyAnswerRow }) {
  const { t, row } = props;
  return (
    <section class="card survey-answers" data-score={row.score ?? ""}>
      <h3>{t("surveys.record.title")}</h3>
      <p class="muted">
        {t("surveys.record.answeredAt")}{" "}
        <Moment lang={t.lang} at={row.answeredAt} style="dateTime" />
        {row.score !== null && (
          <>
            {" · "}
            <strong class="survey-score">
              {t("surveys.record.score", { score: row.score.toLocaleString(t.lang) })}
            </strong>
          </>
        )}
      </p>
      <dl>
        {row.answers.map((a) => (
          <>
            <dt>{a.label}</dt>
            <dd class="prewrap" data-question={a.questionId}>
              {a.value === null
                ? <span class="muted">{t("surveys.record.skipped")}</span>
                : String(a.value)}
            </dd>
          </>
        ))}
      </dl>
    </section>
  );
}
