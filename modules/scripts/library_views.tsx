/**
 * A script library's page (SPEC R10): the technician's own (`/console/scripts`) and the
 * organisation's nested scripts in the Admin Center (`/admin/scripts`) are the same page
 * with another base path and heading. Plain forms (multipart for files), redirect after a
 * change, the page again at 4xx with the problems.
 */
import type { PageContext } from "../http/mod.ts";
import type { Translator } from "../i18n/mod.ts";
import { CsrfField, Flash, Layout } from "../../views/layout.tsx";
import {
  DEFAULT_TIMEOUT_S,
  MAX_FAVOURITES,
  MAX_SCRIPTS,
  NAME_MAX,
  RESOURCE_MAX_BYTES,
  SCRIPT_MAX_BYTES,
  SCRIPT_OS,
  SCRIPT_TIMEOUT_MAX_S,
  type ScriptProblem,
} from "./input.ts";
import type { Script } from "./service.ts";
import { MAX_SCRIPTS_XML_BYTES, type ScriptsXmlProblem } from "./xml.ts";

type C = PageContext;

export interface LibraryPageProps {
  c: C;
  nested: boolean;
  items: Script[];
  editing?: Script;
  problems?: readonly ScriptProblem[];
  flash?: { kind: "error" | "info"; message: string };
  importProblem?: string;
}

export const libraryBase = (nested: boolean) => nested ? "/admin/scripts" : "/console/scripts";

const KIB = (bytes: number) => Math.round(bytes / 1024);

export function LibraryPage(props: LibraryPageProps) {
  const { c, nested, items } = props;
  const t = c.get("t");
  const title = t(nested ? "scripts.nestedTitle" : "scripts.title");
  const favourites = items.filter((s) => s.favourite).length;
  return (
    <Layout c={c} title={title} stylesheets={["/static/scripts.css"]}>
      <h1>{title}</h1>
      <Flash kind={props.flash?.kind ?? "info"} message={props.flash?.message} />
      <p class="muted">{t(nested ? "scripts.nestedIntro" : "scripts.intro")}</p>
      <p class="muted" id="scripts-count">
        {t("scripts.count", { n: items.length, max: MAX_SCRIPTS })}{" "}
        {t("scripts.favouritesCount", { n: favourites, max: MAX_FAVOURITES })}
      </p>
      <section class="card">
        <h2>{t("scripts.listHeading")}</h2>
        {items.length === 0
          ? <p class="muted">{t("scripts.empty")}</p>
          : <_Table c={c} nested={nested} items={items} />}
      </section>
      <ScriptForm
        c={c}
        nested={nested}
        script={props.editing}
        problems={props.problems ?? []}
        full={items.length >= MAX_SCRIPTS && !props.editing}
      />
      <_Transfer c={c} nested={nested} problem={props.importProblem} />
    </Layout>
  );
}

function _Table(props: { c: C; nested: boolean; items: Script[] }) {
  const { c, nested, items } = props;
  const t = c.get("t");
  const base = libraryBase(nested);
  return (
    <table class="scripts-table">
      <thead>
        <tr>
          <th>{t("scripts.name")}</th>
          <th>{t("scripts.files")}</th>
          <th>{t("scripts.targetOs")}</th>
          <th>{t("scripts.timeLimit")}</th>
          <th>{t("scripts.atStart")}</th>
          <th>{t("scripts.favourite")}</th>
          <th>
            <span class="muted">{t("scripts.actions")}</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {items.map((s, i) => (
          <tr id={`script-${s.id}`}>
            <td>{s.name}</td>
            <td class="mono script-files">
              {s.fileName}
              {s.resourceName && <div class="muted">{`+ ${s.resourceName}`}</div>}
            </td>
            <td>{t(`scripts.os.${s.targetOs}`)}</td>
            <td>{t("scripts.seconds", { count: s.timeoutSeconds })}</td>
            <td>{s.runAtStart ? t("scripts.yes") : t("scripts.no")}</td>
            <td>
              <_Post c={c} action={`${base}/${s.id}/favourite`}>
                <input type="hidden" name="favourite" value={s.favourite ? "0" : "1"} />
                <button
                  type="submit"
                  class="link"
                  aria-pressed={s.favourite ? "true" : "false"}
                  aria-label={t("scripts.favouriteToggle", { name: s.name })}
                >
                  {s.favourite ? "★" : "☆"}
                </button>
              </_Post>
            </td>
            <td>
              <div class="row tight">
                <a href={`${base}?edit=${s.id}#script-form`}>{t("scripts.edit")}</a>
                <_Post c={c} action={`${base}/${s.id}/move`}>
                  <input type="hidden" name="direction" value="up" />
                  <button
                    type="submit"
                    class="secondary small"
                    disabled={i === 0}
                    aria-label={t("scripts.moveUp", { name: s.name })}
                  >
                    ↑
                  </button>
                </_Post>
                <_Post c={c} action={`${base}/${s.id}/move`}>
                  <input type="hidden" name="direction" value="down" />
                  <button
                    type="submit"
                    class="secondary small"
                    disabled={i === items.length - 1}
                    aria-label={t("scripts.moveDown", { name: s.name })}
                  >
                    ↓
                  </button>
                </_Post>
                <_Post c={c} action={`${base}/${s.id}/delete`}>
                  <button
                    type="submit"
                    class="danger small"
                    aria-label={t("scripts.deleteNamed", { name: s.name })}
                  >
                    {t("scripts.delete")}
                  </button>
                </_Post>
              </div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function _Post(props: { c: C; action: string; children: unknown }) {
  return (
    <form method="post" action={props.action} class="inline">
      <CsrfField c={props.c} />
      {props.children}
    </form>
  );
}

/** Add (no `script`) or edit; files are optional when editing (kept unless replaced). */
export function ScriptForm(
  props: {
    c: C;
    nested: boolean;
    script?: Script;
    problems: readonly ScriptProblem[];
    full: boolean;
  },
) {
  const { c, script, problems } = props;
  const t = c.get("t");
  const base = libraryBase(props.nested);
  if (props.full) {
    return <p class="flash info">{t("scripts.limitReached", { max: MAX_SCRIPTS })}</p>;
  }
  const action = script ? `${base}/${script.id}` : base;
  return (
    <section class="card" id="script-form">
      <h2>{script ? t("scripts.editHeading", { name: script.name }) : t("scripts.addHeading")}</h2>
      {problems.length > 0 && (
        <ul class="flash error" role="alert">
          {problems.map((p) => <li>{problemText(t, p.code)}</li>)}
        </ul>
      )}
      <form method="post" action={action} enctype="multipart/form-data">
        <CsrfField c={c} />
        <label for="script-name">{t("scripts.name")}</label>
        <input
          id="script-name"
          type="text"
          name="name"
          required
          maxlength={NAME_MAX}
          value={script?.name ?? ""}
        />
        <label for="script-file">{t("scripts.scriptFile")}</label>
        <input id="script-file" type="file" name="script" required={!script} />
        <p class="muted help">
          {script
            ? t("scripts.fileKept", { name: script.fileName })
            : t("scripts.scriptFileHelp", { max: KIB(SCRIPT_MAX_BYTES) })}
        </p>
        <label for="script-resource">{t("scripts.resourceFile")}</label>
        <input id="script-resource" type="file" name="resource" />
        <p class="muted help">
          {t("scripts.resourceHelp", { max: KIB(RESOURCE_MAX_BYTES) })}
        </p>
        {script?.resourceName && (
          <label class="check">
            <input type="checkbox" name="dropResource" value="1" />
            {t("scripts.dropResource", { name: script.resourceName })}
          </label>
        )}
        <div class="script-form-pair">
          <div>
            <label for="script-os">{t("scripts.targetOs")}</label>
            <select id="script-os" name="targetOs">
              {SCRIPT_OS.map((os) => (
                <option value={os} selected={(script?.targetOs ?? "linux") === os}>
                  {t(`scripts.os.${os}`)}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="script-timeout">{t("scripts.timeLimitSeconds")}</label>
            <input
              id="script-timeout"
              type="number"
              name="timeoutSeconds"
              min={1}
              max={SCRIPT_TIMEOUT_MAX_S}
              required
              value={String(script?.timeoutSeconds ?? DEFAULT_TIMEOUT_S)}
            />
          </div>
        </div>
        <label class="check">
          <input type="checkbox" name="runAtStart" value="1" checked={script?.runAtStart} />
          {t("scripts.runAtStart")}
        </label>
        <label class="check">
          <input type="checkbox" name="favourite" value="1" checked={script?.favourite} />
          {t("scripts.markFavourite", { max: MAX_FAVOURITES })}
        </label>
        <div class="row">
          <button type="submit">{script ? t("scripts.save") : t("scripts.add")}</button>
          {script && <a href={base}>{t("scripts.cancel")}</a>}
        </div>
      </form>
    </section>
  );
}

function _Transfer(props: { c: C; nested: boolean; problem?: string }) {
  const { c, nested } = props;
  const t = c.get("t");
  const base = libraryBase(nested);
  return (
    <section class="card" id="scripts-transfer">
      <h2>{t("scripts.transferHeading")}</h2>
      <p>
        <a href={`${base}/export`} class="button secondary">{t("scripts.export")}</a>
      </p>
      {props.problem && <p class="flash error" role="alert">{props.problem}</p>}
      <form method="post" action={`${base}/import`} enctype="multipart/form-data">
        <CsrfField c={c} />
        <label for="scripts-import-file">
          {t("scripts.importFile", { max: KIB(MAX_SCRIPTS_XML_BYTES) })}
        </label>
        <input
          id="scripts-import-file"
          type="file"
          name="file"
          accept=".xml,application/xml,text/xml"
          required
        />
        <fieldset class="checks">
          <legend>{t("scripts.importMode")}</legend>
          <label class="check">
            <input type="radio" name="mode" value="add" checked /> {t("scripts.importAdd")}
          </label>
          <label class="check">
            <input type="radio" name="mode" value="replace" /> {t("scripts.importReplace")}
          </label>
        </fieldset>
        <button type="submit" class="secondary">{t("scripts.import")}</button>
      </form>
    </section>
  );
}

export function problemText(t: Translator, code: ScriptProblem["code"]): string {
  return t(`scripts.problem.${code}`, {
    max: code === "resourceTooLarge" ? KIB(RESOURCE_MAX_BYTES) : KIB(SCRIPT_MAX_BYTES),
    seconds: SCRIPT_TIMEOUT_MAX_S,
  });
}

/** A refused import in words, always ending with "nothing was imported". */
export function importProblemText(t: Translator, problem: ScriptsXmlProblem): string {
  const params: Record<string, string | number> = { ...problem.params };
  if (problem.code === "tooLarge") params.max = KIB(MAX_SCRIPTS_XML_BYTES);
  let message: string;
  if (problem.code === "item" && problem.problem) {
    message = t("scripts.importProblem.item", {
      item: params.item,
      problem: problemText(t, problem.problem),
    });
  } else if (problem.code === "notWellFormed" && params.line !== undefined) {
    message = t("scripts.importProblem.notWellFormedLine", params);
  } else {
    message = t(`scripts.importProblem.${problem.code}`, params);
  }
  return `${message} ${t("scripts.importProblem.nothingImported")}`;
}
