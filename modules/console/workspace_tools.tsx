/**
 * The tools of a session's workspace, one form each (SPEC T2, T3, T5): chat with its on/off
 * switch and the predefined replies, push URL, send file and notes. Each posts normally
 * without JavaScript; htmx posts the same forms and the console's live stream shows the
 * resulting log lines. workspace_panel.tsx lays them out in the side panel's tabs.
 */
import type { Context } from "hono";
import type { AuthedEnv } from "../http/mod.ts";
import { CHAT_MAX, newChatKey } from "../support/mod.ts";
import { formatMoment } from "../i18n/mod.ts";
import { CsrfField } from "../../views/layout.tsx";
import { formatSize } from "../../protocol/size.ts";

type C = Context<AuthedEnv>;

export const sessionPath = (id: string) => `/console/sessions/${id}`;

/**
 * A form that posts to `action` (htmx posts it without swapping: the live stream shows the
 * result), with its CSRF field; `reset` empties it once the post succeeded.
 */
function _QuietPost(
  props: { c: C; class: string; action: string; reset?: boolean; children: unknown },
) {
  const { c, action } = props;
  return (
    <form
      class={props.class}
      method="post"
      action={action}
      hx-post={action}
      hx-swap="none"
      data-reset-on-success={props.reset ? "" : undefined}
    >
      <CsrfField c={c} />
      {props.children}
    </form>
  );
}

export function ChatForm(
  props: { c: C; sessionId: string; enabled: boolean; spellCheck: boolean },
) {
  const { c, sessionId: id, enabled: on } = props;
  const t = c.get("t");
  const action = `${sessionPath(id)}/chat`;
  const placeholder = t("workspace.chatPlaceholder");
  const techPlaceholder = t("collaboration.techOnlyPlaceholder");
  // With the customer's chat off only the technicians' private chat is open: the composer
  // stays, its "Only to technicians" is ticked and fixed, and the note says the customer
  // cannot be written to. static/workspace.js flips all of it when the chat is switched.
  return (
    <_QuietPost c={c} class="chat-form" action={action} reset>
      {/* One key per message: a send the browser repeats is stored once (static/workspace.js). */}
      <input type="hidden" name="chatKey" value={newChatKey()} data-send-key="" />
      <input
        type="hidden"
        name="audience"
        value="technicians"
        data-tech-only-forced=""
        disabled={on}
      />
      <label
        for={`chat-input-${id}`}
        data-label-on={t("workspace.chatLabel")}
        data-label-off={t("collaboration.techOnlyLabel")}
      >
        {on ? t("workspace.chatLabel") : t("collaboration.techOnlyLabel")}
      </label>
      <textarea
        id={`chat-input-${id}`}
        name="text"
        rows={2}
        maxlength={CHAT_MAX}
        required
        data-chat-input=""
        data-counter=""
        spellcheck={props.spellCheck}
        placeholder={on ? placeholder : techPlaceholder}
        data-placeholder-on={placeholder}
        data-placeholder-off={techPlaceholder}
      >
      </textarea>
      <div class="row tight">
        <button type="submit">{t("workspace.send")}</button>
        {/* The technicians' private chat (modules/collaboration): never to the customer. */}
        <label class="inline tech-only-toggle" title={t("collaboration.techChatHint")}>
          <input
            type="checkbox"
            name="audience"
            value="technicians"
            data-tech-only=""
            checked={!on}
            disabled={!on}
          />{" "}
          {t("collaboration.toTechnicians")}
        </label>
        <span class="muted">{t("workspace.enterHint")}</span>
      </div>
      <p class="chat-off-note" role="status" hidden={on}>
        {t("collaboration.chatOffTechOnly")}
      </p>
    </_QuietPost>
  );
}

/** On/off for the customer's chat; static/workspace.js flips it when the log says so. */
export function ChatToggle(props: { c: C; sessionId: string; enabled: boolean }) {
  const { c, sessionId, enabled } = props;
  const t = c.get("t");
  const action = `${sessionPath(sessionId)}/chat-enabled`;
  return (
    <_QuietPost c={c} class="chat-toggle inline" action={action}>
      <input type="hidden" name="enabled" value={enabled ? "0" : "1"} />
      <button
        type="submit"
        class="secondary small"
        data-label-on={t("workspace.chatTurnOn")}
        data-label-off={t("workspace.chatTurnOff")}
      >
        {enabled ? t("workspace.chatTurnOff") : t("workspace.chatTurnOn")}
      </button>
    </_QuietPost>
  );
}

/** The replies module's picker, fetched the first time the technician opens it. */
export function RepliesPicker(props: { c: C; sessionId: string }) {
  const t = props.c.get("t");
  return (
    <details
      class="replies"
      hx-get={`/console/replies/picker?session=${props.sessionId}`}
      hx-trigger="toggle once"
      hx-target="find .replies-body"
      hx-swap="innerHTML"
    >
      <summary>{t("workspace.replies")}</summary>
      <div class="replies-body">
        <a href="/console/replies">{t("workspace.manageReplies")}</a>
      </div>
    </details>
  );
}

export function PushUrlForm(props: { c: C; sessionId: string }) {
  const { c, sessionId } = props;
  const t = c.get("t");
  const action = `${sessionPath(sessionId)}/push-url`;
  return (
    <_QuietPost c={c} class="push-url-form" action={action} reset>
      <label for={`push-url-${sessionId}`}>{t("workspace.pushUrl")}</label>
      <div class="row tight">
        <input
          type="url"
          id={`push-url-${sessionId}`}
          name="url"
          required
          maxlength={2000}
          placeholder="https://"
        />
        <button type="submit" class="secondary">{t("workspace.pushUrlSend")}</button>
      </div>
    </_QuietPost>
  );
}

/** Sends the customer survey now: the customer's chat gets its link (SPEC T4). */
export function PushSurveyForm(props: { c: C; sessionId: string }) {
  const { c, sessionId } = props;
  return (
    <_QuietPost c={c} class="push-survey-form inline" action={`${sessionPath(sessionId)}/survey`}>
      <button type="submit" class="secondary small">{c.get("t")("workspace.pushSurvey")}</button>
    </_QuietPost>
  );
}

/**
 * Without JavaScript a plain multipart post; static/workspace.js sends it with
 * XMLHttpRequest instead, to drive the progress bar and stay on the page.
 */
export function SendFileForm(props: { c: C; sessionId: string; limit: number }) {
  const { c, sessionId, limit } = props;
  const t = c.get("t");
  const max = formatSize(limit, t.lang);
  return (
    <form
      id="send-file-form"
      class="send-file-form"
      method="post"
      action={`${sessionPath(sessionId)}/files`}
      enctype="multipart/form-data"
      data-max-bytes={String(limit)}
      data-too-large={t("workspace.fileTooLarge", { max })}
      data-failed={t("workspace.uploadFailed")}
    >
      <CsrfField c={c} />
      <label for={`send-file-${sessionId}`}>{t("workspace.sendFile")}</label>
      <div class="row tight">
        <input type="file" id={`send-file-${sessionId}`} name="file" required />
        <button type="submit" class="secondary">{t("workspace.sendFileButton")}</button>
      </div>
      <progress class="upload-progress" max="100" value="0" hidden></progress>
      <p class="muted">{t("workspace.fileLimit", { max })}</p>
    </form>
  );
}

/** Saved as the technician types (htmx), or with the button without JavaScript. */
export function NotesForm(props: { c: C; sessionId: string; note: string }) {
  const { c, sessionId, note } = props;
  const t = c.get("t");
  const action = `${sessionPath(sessionId)}/notes`;
  return (
    <form class="notes-form" method="post" action={action}>
      <CsrfField c={c} />
      <label for={`note-${sessionId}`}>{t("workspace.notes")}</label>
      <textarea
        id={`note-${sessionId}`}
        name="note"
        rows={3}
        maxlength={10_000}
        placeholder={t("workspace.notesPlaceholder")}
        hx-post={action}
        hx-trigger="keyup changed delay:800ms, change"
        hx-target={`#note-status-${sessionId}`}
        hx-swap="innerHTML"
      >
        {note}
      </textarea>
      <div class="row tight">
        <button type="submit" class="secondary small">{t("workspace.saveNote")}</button>
        <span id={`note-status-${sessionId}`} class="muted note-status" aria-live="polite">
        </span>
      </div>
    </form>
  );
}

/** What the notes box shows after an automatic save. */
export function NoteSaved(props: { c: C; at: Date }) {
  const t = props.c.get("t");
  return (
    <time datetime={props.at.toISOString()}>
      {t("workspace.noteSaved", { time: formatMoment(t.lang, props.at) })}
    </time>
  );
}
