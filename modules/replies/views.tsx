import type { PageContext } from "../http/mod.ts";
import type { Translator } from "../i18n/mod.ts";
import { CsrfField, Flash, Layout } from "../../views/layout.tsx";
import {
  BODY_MAX,
  MAX_REPLIES,
  REPLY_KINDS,
  type ReplyKind,
  type ReplyProblem,
  type ReplyProblemCode,
  TITLE_MAX,
  URL_MAX,
} from "./input.ts";
import type { Reply } from "./service.ts";
import { type ImportProblem, MAX_IMPORT_BYTES } from "./xml.ts";

type C = PageContext;

/** What a refused add or edit form gives back: what was typed, and for an edit, its id. */
export interface ReplyFormDraft {
  kind: ReplyKind;
  id?: string;
  title: string;
  body: string;
}

/** How one list (replies or URLs) is shown: which row is open for editing, what was said. */
export interface SectionState {
  editing?: string;
  draft?: ReplyFormDraft;
  problems?: readonly ReplyProblem[];
  notice?: string;
}

/** `/console/replies`: both lists, each editable in place, and the XML export and import. */
export function RepliesPage(
  props: {
    c: C;
    items: Reply[];
    state: SectionState;
    flash?: { kind: "error" | "info"; message: string };
    importProblem?: string;
  },
) {
  const { c, items, state } = props;
  const t = c.get("t");
  return (
    <Layout c={c} title={t("replies.title")}>
      <h1>{t("replies.title")}</h1>
      <Flash kind={props.flash?.kind ?? "info"} message={props.flash?.message} />
      <p class="muted">{t("replies.intro")}</p>
      <ReplyCount c={c} count={items.length} />
      {REPLY_KINDS.map((kind) => (
        <ReplySection
          c={c}
          kind={kind}
          items={items}
          state={state.draft && state.draft.kind !== kind ? {} : state}
        />
      ))}
      <TransferCard c={c} problem={props.importProblem} />
    </Layout>
  );
}

/**
 * How many of the allowed items the technician has. A change swaps one list; the count
 * comes along out of band (`oob`) so it never lags behind the lists.
 */
export function ReplyCount(props: { c: C; count: number; oob?: boolean }) {
  return (
    <p class="muted" id="replies-count" hx-swap-oob={props.oob ? "true" : undefined}>
      {props.c.get("t")("replies.count", { n: props.count, max: MAX_REPLIES })}
    </p>
  );
}

/**
 * One list with its add form: the page is built from it, and htmx swaps it whole after
 * every change (`#replies-reply`, `#replies-url`).
 */
export function ReplySection(
  props: { c: C; kind: ReplyKind; items: Reply[]; state: SectionState },
) {
  const { c, kind, state } = props;
  const t = c.get("t");
  const mine = props.items.filter((r) => r.kind === kind);
  const full = props.items.length >= MAX_REPLIES;
  const addDraft = state.draft && !state.draft.id ? state.draft : undefined;
  return (
    <section class="card" id={`replies-${kind}`}>
      <h2>{t(kind === "reply" ? "replies.replyHeading" : "replies.urlHeading")}</h2>
      {state.notice && <p class="flash info" role="status">{state.notice}</p>}
      {mine.length === 0
        ? <p class="muted">{t(kind === "reply" ? "replies.emptyReply" : "replies.emptyUrl")}</p>
        : (
          <table>
            <thead>
              <tr>
                <th>{t("replies.titleLabel")}</th>
                <th>{t(kind === "reply" ? "replies.textLabel" : "replies.urlLabel")}</th>
                <th>
                  <span class="muted">{t("replies.actions")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {mine.map((reply, i) =>
                reply.id === state.editing
                  ? (
                    <EditRow
                      c={c}
                      reply={reply}
                      draft={state.draft?.id === reply.id ? state.draft : reply}
                      problems={state.draft?.id === reply.id ? state.problems ?? [] : []}
                    />
                  )
                  : <ItemRow c={c} reply={reply} first={i === 0} last={i === mine.length - 1} />
              )}
            </tbody>
          </table>
        )}
      {full
        ? <p class="flash info">{t("replies.limitReached", { max: MAX_REPLIES })}</p>
        : <AddForm c={c} kind={kind} draft={addDraft} problems={addDraft ? state.problems : []} />}
    </section>
  );
}

/** htmx attributes that post a form and swap the list it belongs to. */
function swapList(kind: ReplyKind, action: string) {
  return { "hx-post": action, "hx-target": `#replies-${kind}`, "hx-swap": "outerHTML" };
}

function ItemRow(props: { c: C; reply: Reply; first: boolean; last: boolean }) {
  const { c, reply } = props;
  const t = c.get("t");
  const base = `/console/replies/${reply.id}`;
  return (
    <tr id={`item-${reply.id}`}>
      <td>{reply.title}</td>
      <td>
        {reply.kind === "url"
          ? (
            <a class="mono" href={reply.body} target="_blank" rel="noopener noreferrer">
              {reply.body}
            </a>
          )
          : <span class="prewrap">{reply.body}</span>}
      </td>
      <td class="row tight">
        <a
          href={`/console/replies?edit=${reply.id}#item-${reply.id}`}
          hx-get={`/console/replies?edit=${reply.id}`}
          hx-target={`#replies-${reply.kind}`}
          hx-swap="outerHTML"
        >
          {t("replies.edit")}
        </a>
        <MoveButton c={c} reply={reply} direction="up" disabled={props.first} />
        <MoveButton c={c} reply={reply} direction="down" disabled={props.last} />
        <form
          method="post"
          action={`${base}/delete`}
          class="inline"
          {...swapList(reply.kind, `${base}/delete`)}
          hx-confirm={t("replies.deleteConfirm", { title: reply.title })}
        >
          <CsrfField c={c} />
          <button type="submit" class="link">{t("replies.delete")}</button>
        </form>
      </td>
    </tr>
  );
}

function MoveButton(
  props: { c: C; reply: Reply; direction: "up" | "down"; disabled: boolean },
) {
  const t = props.c.get("t");
  const action = `/console/replies/${props.reply.id}/move`;
  const label = t(props.direction === "up" ? "replies.moveUp" : "replies.moveDown", {
    title: props.reply.title,
  });
  return (
    <form method="post" action={action} class="inline" {...swapList(props.reply.kind, action)}>
      <CsrfField c={props.c} />
      <input type="hidden" name="direction" value={props.direction} />
      <button
        type="submit"
        class="secondary small"
        disabled={props.disabled}
        aria-label={label}
        title={label}
      >
        {props.direction === "up" ? "↑" : "↓"}
      </button>
    </form>
  );
}

function EditRow(
  props: {
    c: C;
    reply: Reply;
    draft: { title: string; body: string };
    problems: readonly ReplyProblem[];
  },
) {
  const { c, reply } = props;
  const t = c.get("t");
  const action = `/console/replies/${reply.id}`;
  return (
    <tr id={`item-${reply.id}`}>
      <td colspan={3}>
        <form method="post" action={action} novalidate {...swapList(reply.kind, action)}>
          <CsrfField c={c} />
          <ReplyFields
            t={t}
            kind={reply.kind}
            idPrefix={`edit-${reply.id}`}
            draft={props.draft}
            problems={props.problems}
          />
          <div class="row">
            <button type="submit">{t("common.save")}</button>
            <a
              href={`/console/replies#replies-${reply.kind}`}
              hx-get={`/console/replies?kind=${reply.kind}`}
              hx-target={`#replies-${reply.kind}`}
              hx-swap="outerHTML"
            >
              {t("replies.cancel")}
            </a>
          </div>
        </form>
      </td>
    </tr>
  );
}

function AddForm(
  props: { c: C; kind: ReplyKind; draft?: ReplyFormDraft; problems?: readonly ReplyProblem[] },
) {
  const { c, kind } = props;
  const t = c.get("t");
  const label = t(kind === "reply" ? "replies.addReply" : "replies.addUrl");
  return (
    <form
      method="post"
      action="/console/replies"
      novalidate
      {...swapList(kind, "/console/replies")}
    >
      <h3>{label}</h3>
      <CsrfField c={c} />
      <input type="hidden" name="kind" value={kind} />
      <ReplyFields
        t={t}
        kind={kind}
        idPrefix={`new-${kind}`}
        draft={props.draft ?? { title: "", body: "" }}
        problems={props.problems ?? []}
      />
      <button type="submit">{label}</button>
    </form>
  );
}

function ReplyFields(
  props: {
    t: Translator;
    kind: ReplyKind;
    idPrefix: string;
    draft: { title: string; body: string };
    problems: readonly ReplyProblem[];
  },
) {
  const { t, kind, idPrefix, draft, problems } = props;
  const titleProblems = problems.filter((p) => p.field === "title");
  const bodyProblems = problems.filter((p) => p.field !== "title");
  return (
    <>
      <label for={`${idPrefix}-title`}>{t("replies.titleLabel")}</label>
      <input
        id={`${idPrefix}-title`}
        type="text"
        name="title"
        value={draft.title}
        maxlength={TITLE_MAX}
        required
        aria-invalid={titleProblems.length > 0 ? "true" : undefined}
      />
      <Problems t={t} problems={titleProblems} />
      <label for={`${idPrefix}-body`}>
        {t(kind === "reply" ? "replies.textLabel" : "replies.urlLabel")}
      </label>
      {kind === "reply"
        ? (
          <textarea id={`${idPrefix}-body`} name="body" rows={4} maxlength={BODY_MAX} required>
            {draft.body}
          </textarea>
        )
        : (
          <input
            id={`${idPrefix}-body`}
            type="text"
            inputmode="url"
            name="body"
            value={draft.body}
            maxlength={URL_MAX}
            placeholder="https://"
            required
            aria-invalid={bodyProblems.length > 0 ? "true" : undefined}
          />
        )}
      {kind === "url" && <p class="muted">{t("replies.urlHelp")}</p>}
      <Problems t={t} problems={bodyProblems} />
    </>
  );
}

function Problems(props: { t: Translator; problems: readonly ReplyProblem[] }) {
  if (props.problems.length === 0) return null;
  return (
    <p class="field-error" role="alert">
      {props.problems.map((p) => problemText(props.t, p.code)).join(" ")}
    </p>
  );
}

/** The sentence for a form problem; the same sentences explain a refused import item. */
export function problemText(t: Translator, code: ReplyProblemCode): string {
  return t(`replies.problem.${code}`, {
    titleMax: TITLE_MAX,
    bodyMax: BODY_MAX,
    urlMax: URL_MAX,
    max: MAX_REPLIES,
  });
}

/** Why a file was refused, ending with the reassurance that nothing was imported. */
export function importProblemText(t: Translator, problem: ImportProblem): string {
  const { code, params } = problem;
  let detail: string;
  if (code === "item" && problem.problem) {
    const kind = params.kind === "url" ? "url" : "reply";
    detail = t("replies.importProblem.item", {
      item: params.item,
      kind: t(`replies.kindName.${kind}`),
      problem: problemText(t, problem.problem),
    });
  } else if (code === "notWellFormed" && params.line !== undefined) {
    detail = t("replies.importProblem.notWellFormedLine", params);
  } else {
    detail = t(`replies.importProblem.${code}`, params);
  }
  return `${detail} ${t("replies.importProblem.nothingImported")}`;
}

/** Export link and import form: how a team shares a set. */
function TransferCard(props: { c: C; problem?: string }) {
  const { c } = props;
  const t = c.get("t");
  return (
    <section class="card" id="replies-transfer">
      <h2>{t("replies.transfer.heading")}</h2>
      <p class="muted">{t("replies.transfer.exportHelp")}</p>
      <p>
        <a class="button" href="/console/replies/export" download="replies.xml">
          {t("replies.transfer.export")}
        </a>
      </p>
      <h3>{t("replies.transfer.importHeading")}</h3>
      {props.problem && <p class="flash error" role="alert">{props.problem}</p>}
      <form method="post" action="/console/replies/import" enctype="multipart/form-data">
        <CsrfField c={c} />
        <label for="replies-file">{t("replies.transfer.file")}</label>
        <input
          id="replies-file"
          type="file"
          name="file"
          accept=".xml,application/xml,text/xml"
          required
        />
        <p class="muted">{t("replies.transfer.fileHelp", { max: MAX_IMPORT_BYTES / 1024 })}</p>
        <fieldset>
          <legend>{t("replies.transfer.mode")}</legend>
          <label>
            <input type="radio" name="mode" value="add" checked /> {t("replies.transfer.modeAdd")}
          </label>
          <label>
            <input type="radio" name="mode" value="replace" /> {t("replies.transfer.modeReplace")}
          </label>
        </fieldset>
        <button type="submit">{t("replies.transfer.import")}</button>
      </form>
    </section>
  );
}
