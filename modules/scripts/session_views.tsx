/**
 * The Scripts tab of a session's workspace (SPEC R10): the technician's library (favourites
 * first) and the organisation's nested scripts to pick from, whether the customer allows
 * scripts, the run under way with its live output, Stop and the exit code, and the session's
 * earlier runs with their full output to download. static/script_runs.js streams the output.
 */
import type { PageContext } from "../http/mod.ts";
import type { Translator } from "../i18n/mod.ts";
import { CsrfField } from "../../views/layout.tsx";
import type { Script } from "./service.ts";
import type { ScriptRun } from "./runs.ts";
import type { ScriptRunStatus } from "./schema.ts";

type C = PageContext;

export const scriptsPath = (sessionId: string) => `/console/sessions/${sessionId}/scripts`;
export const runPath = (sessionId: string, runId: string) =>
  `${scriptsPath(sessionId)}/runs/${runId}`;

const STATUSES: readonly ScriptRunStatus[] = [
  "running",
  "finished",
  "timedOut",
  "stopped",
  "declined",
  "failed",
];

export interface PanelProps {
  c: C;
  sessionId: string;
  own: Script[];
  nested: Script[];
  consent: string;
  present: boolean;
  runs: ScriptRun[];
  /** The technician keeps a library of their own (scriptsDeploy). */
  canManage: boolean;
  /** The run to show with its live output (the newest one still running, or just started). */
  current?: ScriptRun;
}

export function ScriptsPanel(props: PanelProps) {
  const { c, sessionId } = props;
  const t = c.get("t");
  const favourites = props.own.filter((s) => s.favourite);
  const others = props.own.filter((s) => !s.favourite);
  const none = props.own.length === 0 && props.nested.length === 0;
  return (
    <div
      class="scripts-panel"
      id={`scripts-${sessionId}`}
      data-agent-events={`/console/sessions/${sessionId}/agent/events`}
    >
      <p class="muted" data-scripts-consent="" {..._consentLabels(t)}>
        {_consentText(t, props.present, props.consent)}
      </p>
      {props.consent !== "granted" && (
        <form
          method="post"
          action={`${scriptsPath(sessionId)}/ask`}
          hx-post={`${scriptsPath(sessionId)}/ask`}
          hx-swap="none"
          data-scripts-ask=""
          hidden={!props.present}
        >
          <CsrfField c={c} />
          <button type="submit" class="secondary small">{t("scripts.panel.ask")}</button>
        </form>
      )}
      {none ? <p class="muted">{t("scripts.panel.noScripts")}</p> : (
        <form
          class="script-run-form"
          method="post"
          action={`${scriptsPath(sessionId)}/run`}
          hx-post={`${scriptsPath(sessionId)}/run`}
          hx-target={`#script-run-${sessionId}`}
          hx-swap="innerHTML"
        >
          <CsrfField c={c} />
          <label for={`script-pick-${sessionId}`}>{t("scripts.panel.pick")}</label>
          <select id={`script-pick-${sessionId}`} name="script" required>
            {favourites.length > 0 && (
              <optgroup label={t("scripts.panel.favourites")}>
                {favourites.map((s) => <_Option t={t} script={s} />)}
              </optgroup>
            )}
            {others.length > 0 && (
              <optgroup label={t("scripts.panel.mine")}>
                {others.map((s) => <_Option t={t} script={s} />)}
              </optgroup>
            )}
            {props.nested.length > 0 && (
              <optgroup label={t("scripts.panel.nested")}>
                {props.nested.map((s) => <_Option t={t} script={s} />)}
              </optgroup>
            )}
          </select>
          <button type="submit">{t("scripts.panel.run")}</button>
          <p class="muted">{t("scripts.panel.consentNote")}</p>
        </form>
      )}
      <div id={`script-run-${sessionId}`} class="script-run-slot">
        {props.current && <RunView c={c} run={props.current} />}
      </div>
      <RunList c={c} sessionId={sessionId} runs={props.runs} />
      {props.canManage && (
        <p>
          <a href="/console/scripts" target="_blank">{t("scripts.panel.manage")}</a>
        </p>
      )}
    </div>
  );
}

function _Option(props: { t: Translator; script: Script }) {
  const { t, script: s } = props;
  return (
    <option value={s.id}>
      {`${s.name} (${t(`scripts.os.${s.targetOs}`)}, ${
        t("scripts.seconds", { count: s.timeoutSeconds })
      })`}
    </option>
  );
}

function _consentText(t: Translator, present: boolean, consent: string): string {
  if (!present) return t("scripts.panel.agentAbsent");
  return t(`scripts.panel.consent.${_consentKey(consent)}`);
}

function _consentKey(consent: string) {
  return (["granted", "asked", "denied", "revoked"] as const).find((k) => k === consent) ??
    "off";
}

function _consentLabels(t: Translator) {
  return {
    "data-label-absent": t("scripts.panel.agentAbsent"),
    "data-label-off": t("scripts.panel.consent.off"),
    "data-label-asked": t("scripts.panel.consent.asked"),
    "data-label-granted": t("scripts.panel.consent.granted"),
    "data-label-denied": t("scripts.panel.consent.denied"),
    "data-label-revoked": t("scripts.panel.consent.revoked"),
  };
}

/** One run: live output while it runs (streamed), the end and the download once ended. */
export function RunView(props: { c: C; run: ScriptRun }) {
  const { c, run } = props;
  const t = c.get("t");
  const path = runPath(run.sessionId, run.id);
  const labels = Object.fromEntries(
    STATUSES.map((s) => [`data-label-${s.toLowerCase()}`, t(`scripts.status.${s}`)]),
  );
  const running = run.status === "running";
  return (
    <section
      class="script-run"
      aria-label={t("scripts.panel.runOf", { name: run.name })}
      data-run-events={running ? `${path}/events` : undefined}
      data-exit-label={t("scripts.panel.exitCode", { code: "{{code}}" })}
      {...labels}
    >
      <div class="row tight">
        <strong>{run.name}</strong>
        <span class="script-run-status" data-run-status="" role="status">
          {t(`scripts.status.${run.status}`)}
        </span>
        {running && (
          <form
            method="post"
            action={`${path}/stop`}
            hx-post={`${path}/stop`}
            hx-swap="none"
            data-run-stop=""
          >
            <CsrfField c={c} />
            <button type="submit" class="danger small">{t("scripts.panel.stop")}</button>
          </form>
        )}
      </div>
      <pre class="script-output" tabindex={0} aria-label={t("scripts.panel.output")}></pre>
      <p class="script-run-exit" data-run-exit="" hidden={running}>
        {run.exitCode !== null && t("scripts.panel.exitCode", { code: run.exitCode })}
        {run.reason && ` ${run.reason}`}
      </p>
      <a href={`${path}/output`} data-run-download="" hidden={running || !run.outputSize}>
        {t("scripts.panel.download")}
      </a>
    </section>
  );
}

/** The session's earlier runs (newest first). */
export function RunList(props: { c: C; sessionId: string; runs: ScriptRun[] }) {
  const t = props.c.get("t");
  const ended = props.runs.filter((r) => r.status !== "running");
  if (ended.length === 0) return null;
  return (
    <details class="script-runs">
      <summary>{t("scripts.panel.earlier", { count: ended.length })}</summary>
      <ul>
        {ended.map((run) => (
          <li>
            <strong>{run.name}</strong>
            {` · ${t(`scripts.status.${run.status}`)}`}
            {run.exitCode !== null && ` · ${t("scripts.panel.exitCode", { code: run.exitCode })}`}
            {run.outputSize
              ? (
                <>
                  {" · "}
                  <a href={`${runPath(run.sessionId, run.id)}/output`}>
                    {t("scripts.panel.download")}
                  </a>
                </>
              )
              : null}
          </li>
        ))}
      </ul>
    </details>
  );
}
