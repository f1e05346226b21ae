/**
 * The survey page's content on the customer's side (SPEC T4): the questions, or thanks.
 * The page shell is the customer pages' own (support's `CustomerShell`).
 */
import type { PageContext } from "../http/mod.ts";
import type { AnswerProblemKey } from "./questions.ts";
import type { SurveyForm } from "./service.ts";
import { SurveyQuestionsForm } from "./views.tsx";

/** The survey page's content: the questions (again with what was refused), or thanks. */
export function SurveyPageBody(
  props: {
    c: PageContext;
    token: string;
    form?: SurveyForm;
    values?: Record<string, string>;
    problems?: Record<string, AnswerProblemKey>;
    answered?: boolean;
  },
) {
  const t = props.c.get("t");
  return (
    <section class="card customer-page customer-survey" id="customer-page">
      <h1>{t("customer.survey.title")}</h1>
      {props.answered
        ? <p class="flash info survey-thanks" role="status">{t("customer.survey.thanks")}</p>
        : props.form && (
          <>
            <p>{t("customer.survey.intro")}</p>
            {props.problems && <p class="flash error" role="alert">{t("customer.survey.fix")}</p>}
            <SurveyQuestionsForm
              c={props.c}
              action={`/s/${props.token}/survey`}
              questions={props.form.questions}
              values={props.values}
              problems={props.problems}
            />
          </>
        )}
      <p>
        <a href={`/s/${props.token}`}>{t("customer.survey.back")}</a>
      </p>
    </section>
  );
}
