import { isTranslationKey, type Translator } from "../i18n/mod.ts";
import type { InputProblem } from "./input.ts";

/** The sentence for a problem code; codes without one read as a generic "not valid". */
export function problemText(t: Translator, code: string) {
  const key = `channels.problem.${code}`;
  return t(isTranslationKey(key) ? key : "channels.problem.invalid");
}

/** Problems at `path` or below it (`openingHours.days.1` also gets `…days.1.0.0`). */
export function problemsAt(problems: readonly InputProblem[], path: string): InputProblem[] {
  return problems.filter((p) => p.path === path || p.path.startsWith(`${path}.`));
}

/** The messages for one spot of a form, each once, as an alert under the input. */
export function FieldProblems(
  props: {
    t: Translator;
    problems: readonly InputProblem[];
    path: string;
  },
) {
  const texts = [
    ...new Set(
      problemsAt(props.problems, props.path).map((p) => problemText(props.t, p.code)),
    ),
  ];
  if (texts.length === 0) return null;
  return (
    <p class="field-error" role="alert" id={`problem-${props.path.replaceAll(".", "-")}`}>
      {texts.join(" ")}
    </p>
  );
}

/**
 * The banner on top of a refused form. Admin forms are long, so they also list what to
 * fix; the customer's short form just points at the messages under its inputs.
 */
export function ProblemSummary(
  props: { t: Translator; problems: readonly InputProblem[]; brief?: boolean },
) {
  if (props.problems.length === 0) return null;
  if (props.brief) {
    return <p class="flash error" role="alert">{props.t("channels.problem.summaryBrief")}</p>;
  }
  const texts = [...new Set(props.problems.map((p) => problemText(props.t, p.code)))];
  return (
    <div class="flash error" role="alert">
      <p>{props.t("channels.problem.summary")}</p>
      <ul>
        {texts.map((text) => <li>{text}</li>)}
      </ul>
    </div>
  );
}
