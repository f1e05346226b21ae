import { raw } from "hono/html";
import type { PageContext } from "../http/mod.ts";
import { CsrfField, Flash, Layout } from "../../views/layout.tsx";
import {
  COLOUR_SCHEMES,
  CONSOLE_FLAGS,
  type ConsoleFlag,
  type ConsoleOptions,
  type ConsoleOptionsProblems,
  SOUND_ALERTS,
} from "./options.ts";

type C = PageContext;

const HIDDEN_TAB_FLAGS: ConsoleFlag[] = ["titleFlash", "notifyWhenHidden"];
const SESSION_FLAGS = CONSOLE_FLAGS.filter((flag) => !HIDDEN_TAB_FLAGS.includes(flag));

/**
 * The options as JSON for `static/alerts.js`. A `type="application/json"` block is data, never
 * run, so the CSP (`script-src 'self'`) allows it; `<` is escaped so no value can end it.
 */
export function ConsoleOptionsData(props: { options: ConsoleOptions }) {
  const json = JSON.stringify(props.options).replace(/</g, "\\u003c");
  return <script type="application/json" id="console-options">{raw(json)}</script>;
}

export function ConsoleOptionsPage(
  props: {
    c: C;
    options: ConsoleOptions;
    problems?: ConsoleOptionsProblems;
    saved?: boolean;
  },
) {
  const { c, options } = props;
  const t = c.get("t");
  const problems = props.problems ?? {};
  const problem = (field: string) => {
    const key = problems[field];
    return key && <p class="field-error" role="alert" id={`problem-${field}`}>{t(key)}</p>;
  };
  const check = (name: ConsoleFlag) => (
    <>
      <label class="check">
        <input
          type="checkbox"
          name={name}
          value="1"
          checked={options[name]}
          aria-invalid={problems[name] ? "true" : undefined}
        />
        {t(`consoleOptions.${name}`)}
      </label>
      {problem(name)}
    </>
  );
  return (
    <Layout c={c} title={t("consoleOptions.title")}>
      <ConsoleOptionsData options={options} />
      <h1>{t("consoleOptions.title")}</h1>
      <p class="muted">{t("consoleOptions.intro")}</p>
      {props.saved && <Flash kind="info" message={t("common.saved")} />}
      {Object.keys(problems).length > 0 && (
        <Flash kind="error" message={t("consoleOptions.notSaved")} />
      )}
      <form method="post" action="/console/options" id="console-options-form">
        <CsrfField c={c} />
        <fieldset class="card">
          <legend>{t("consoleOptions.appearance")}</legend>
          <label for="co-colourScheme">{t("consoleOptions.colourScheme")}</label>
          <select
            id="co-colourScheme"
            name="colourScheme"
            data-scheme-preview
            aria-invalid={problems.colourScheme ? "true" : undefined}
          >
            {COLOUR_SCHEMES.map((scheme) => (
              <option value={scheme} selected={options.colourScheme === scheme}>
                {t(`consoleOptions.scheme_${scheme}`)}
              </option>
            ))}
          </select>
          {problem("colourScheme")}
        </fieldset>
        <fieldset class="card">
          <legend>{t("consoleOptions.sounds")}</legend>
          <p>{t("consoleOptions.soundsHelp")}</p>
          {SOUND_ALERTS.map((id) => {
            const label = t(`consoleOptions.sound_${id}`);
            return (
              <div class="row tight sound-alert">
                <label class="check">
                  <input
                    type="checkbox"
                    name={`sounds.${id}`}
                    value="1"
                    checked={options.sounds[id]}
                    aria-invalid={problems[`sounds.${id}`] ? "true" : undefined}
                  />
                  {label}
                </label>
                <button
                  type="button"
                  class="secondary small"
                  data-sound={id}
                  aria-label={t("consoleOptions.testSoundFor", { alert: label })}
                >
                  {t("consoleOptions.testSound")}
                </button>
                {problem(`sounds.${id}`)}
              </div>
            );
          })}
        </fieldset>
        <fieldset class="card">
          <legend>{t("consoleOptions.hidden")}</legend>
          {HIDDEN_TAB_FLAGS.map(check)}
          <p class="muted">{t("consoleOptions.notifyHelp")}</p>
        </fieldset>
        <fieldset class="card">
          <legend>{t("consoleOptions.sessions")}</legend>
          {SESSION_FLAGS.map(check)}
        </fieldset>
        <button type="submit">{t("common.save")}</button>
      </form>
    </Layout>
  );
}
