// Over 400 lines on purpose: the customer's pages share one layout and their parts (PIN, terms, chat, sharing, survey offer); split, each would repeat it.
/**
 * The customer's pages (SPEC C1, C7, T1, T3): PIN entry, the group's terms, the Instant
 * Chat page and the goodbye pages. Every page is `bare` (no technician navigation) and
 * loads static/customer.js, which adds the live log, font size, uploads with progress and
 * the end-session confirmation; without it the forms still work.
 */
import { DeviceInfoConsent } from "./customer_device_view.tsx";
import type { Child } from "hono/jsx";
import type { PageContext } from "../http/mod.ts";
import { type Language, languageName, LANGUAGES } from "../i18n/mod.ts";
import { CsrfField, Flash, Layout } from "../../views/layout.tsx";
import { CHAT_MAX, newChatKey } from "./chat.ts";
import { LogLineView, SurveyLink } from "./customer_log_view.tsx";
import { formatSize } from "../../protocol/size.ts";
import { FilesActivity } from "./customer_files_view.tsx";
import type { SupportSession } from "./engine.ts";
import type { LogLine } from "./session_log.ts";

type C = PageContext;

/** Language choice: the PIN page uses the site-wide /lang, a session page its own route. */
function LanguageForm(props: { c: C; action: string; back?: string }) {
  const { c } = props;
  const t = c.get("t");
  const current = c.get("lang");
  return (
    <form method="post" action={props.action} class="row customer-lang">
      <CsrfField c={c} />
      {props.back && <input type="hidden" name="back" value={props.back} />}
      <label for="customer-lang">{t("customer.language")}</label>
      <select id="customer-lang" name="lang" data-autosubmit>
        {LANGUAGES.map((lang: Language) => (
          <option value={lang} selected={lang === current}>{languageName(lang)}</option>
        ))}
      </select>
      <noscript>
        <button type="submit" class="secondary">{t("customer.apply")}</button>
      </noscript>
    </form>
  );
}

export function CustomerShell(
  props: { c: C; title: string; children?: Child; signInLink?: boolean },
) {
  return (
    <Layout c={props.c} title={props.title} bare signInLink={props.signInLink}>
      {props.children}
      <script type="module" src="/static/customer.js"></script>
    </Layout>
  );
}

export function PinPage(props: { c: C; error?: string; pin?: string }) {
  const { c } = props;
  const t = c.get("t");
  return (
    <CustomerShell c={c} title={t("customer.pin.title")} signInLink>
      <section class="card narrow customer-pin">
        <h1>{t("customer.pin.title")}</h1>
        <p>{t("customer.pin.intro")}</p>
        <Flash kind="error" message={props.error} />
        <form method="post" action="/pin">
          <CsrfField c={c} />
          <label for="pin">{t("customer.pin.label")}</label>
          <input
            id="pin"
            type="text"
            name="pin"
            class="pin-input"
            inputmode="numeric"
            autocomplete="one-time-code"
            maxlength={7}
            value={props.pin ?? ""}
            required
            autofocus
            aria-invalid={props.error ? "true" : undefined}
          />
          <button type="submit">{t("customer.pin.submit")}</button>
        </form>
      </section>
      <div class="narrow row customer-pin-footer">
        <LanguageForm c={c} action="/lang" back="/pin" />
      </div>
    </CustomerShell>
  );
}

interface SessionPageProps {
  c: C;
  session: SupportSession;
  organisation: string;
}

function SessionHeader(props: SessionPageProps) {
  const { c, session } = props;
  const t = c.get("t");
  return (
    <header class="customer-head">
      <div>
        <h1>{props.organisation || t("customer.title")}</h1>
        <p class="muted session-number">
          {t("customer.sessionNumber", { number: session.number })}
        </p>
      </div>
      <div class="row customer-tools">
        {/* "A-" and "A+" left to right in every language (right to left read "-A"). */}
        <div class="row font-size" role="group" aria-label={t("customer.font.label")}>
          <button type="button" class="secondary" data-font-step="-1">
            <span aria-hidden="true" dir="ltr">A-</span>
            <span class="visually-hidden">{t("customer.font.smaller")}</span>
          </button>
          <button type="button" class="secondary" data-font-step="1">
            <span aria-hidden="true" dir="ltr">A+</span>
            <span class="visually-hidden">{t("customer.font.larger")}</span>
          </button>
        </div>
        <LanguageForm c={c} action={`/s/${session.token}/lang`} />
      </div>
    </header>
  );
}

export function TermsPage(props: SessionPageProps & { terms: string }) {
  const { c, session } = props;
  const t = c.get("t");
  return (
    <CustomerShell c={c} title={t("customer.terms.title")}>
      <section class="card customer-page" id="customer-page">
        <SessionHeader {...props} />
        <h2>{t("customer.terms.title")}</h2>
        <p>{t("customer.terms.intro")}</p>
        <div class="terms-text prewrap">{props.terms}</div>
        <form method="post" action={`/s/${session.token}/terms`} class="row">
          <CsrfField c={c} />
          <button type="submit" name="decision" value="accept">
            {t("customer.terms.accept")}
          </button>
          <button type="submit" name="decision" value="decline" class="secondary">
            {t("customer.terms.decline")}
          </button>
        </form>
      </section>
    </CustomerShell>
  );
}

/** After the customer declined the terms, or once the session has ended (with its log). */
export function GoodbyePage(
  props: SessionPageProps & { kind: "declined" | "ended"; lines?: LogLine[]; survey?: string },
) {
  const { c, session } = props;
  const t = c.get("t");
  const title = props.kind === "declined"
    ? t("customer.declined.title")
    : t("customer.ended.title");
  const lines = props.lines ?? [];
  return (
    <CustomerShell c={c} title={title}>
      <section class="card customer-page customer-ended" id="customer-page">
        <SessionHeader {...props} />
        <h2>{title}</h2>
        <p role="status">
          {props.kind === "declined" ? t("customer.declined.text") : t("customer.ended.text")}
        </p>
        {props.survey && (
          <p class="flash info survey-invite" id="survey-invite">
            <SurveyLink href={props.survey} t={t} />
          </p>
        )}
        {lines.length > 0 && (
          <>
            <h3>{t("customer.ended.transcript")}</h3>
            <div id="customer-log" class="customer-log">
              {lines.map((line) => <LogLineView line={line} t={t} token={session.token} />)}
            </div>
          </>
        )}
      </section>
    </CustomerShell>
  );
}

export function ChatForm(
  props: { c: C; session: SupportSession; text?: string; error?: string },
) {
  const { c, session } = props;
  const t = c.get("t");
  const action = `/s/${session.token}/chat`;
  const off = !session.chatEnabled;
  return (
    <form
      id="customer-chat-form"
      method="post"
      action={action}
      hx-post={action}
      hx-target="this"
      hx-swap="outerHTML"
    >
      <CsrfField c={c} />
      {/* One key per message: a send the browser repeats is stored once (a new form each time). */}
      <input type="hidden" name="chatKey" value={newChatKey()} />
      <p id="chat-disabled-notice" class="flash info" role="status" hidden={!off}>
        {t("customer.chat.disabled")}
      </p>
      <Flash kind="error" message={props.error} />
      <label for="customer-chat-input">{t("customer.chat.label")}</label>
      <textarea
        id="customer-chat-input"
        name="text"
        rows={3}
        maxlength={CHAT_MAX}
        data-counter=""
        placeholder={t("customer.chat.placeholder")}
        disabled={off}
        aria-invalid={props.error ? "true" : undefined}
      >
        {props.text ?? ""}
      </textarea>
      <button type="submit" disabled={off}>{t("customer.chat.send")}</button>
    </form>
  );
}

function FileForm(props: { c: C; session: SupportSession; limit: number; error?: string }) {
  const { c, session } = props;
  const t = c.get("t");
  return (
    <form
      id="customer-file-form"
      method="post"
      action={`/s/${session.token}/files`}
      enctype="multipart/form-data"
      data-failed={t("customer.files.failed")}
      data-choose={t("customer.files.choose")}
    >
      <CsrfField c={c} />
      <h2>{t("customer.files.title")}</h2>
      <Flash kind="error" message={props.error} />
      <label for="customer-file">{t("customer.files.label")}</label>
      <input id="customer-file" type="file" name="file" required />
      <p class="muted">
        {t("customer.files.limit", { size: formatSize(props.limit, c.get("lang")) })}
      </p>
      <progress class="upload-progress" max="100" value="0" hidden></progress>
      <p id="file-status" class="muted" role="status"></p>
      <button type="submit" class="secondary">{t("customer.files.send")}</button>
    </form>
  );
}

export function ChatPage(
  props: SessionPageProps & {
    lines: LogLine[];
    fileLimit: number;
    /** The session's group records every remote view: said before a browser share. */
    recordsShares?: boolean;
    chatText?: string;
    chatError?: string;
    fileError?: string;
  },
) {
  const { c, session, lines } = props;
  const t = c.get("t");
  const token = session.token;
  const after = lines.at(-1)?.id ?? 0;
  return (
    <CustomerShell c={c} title={t("customer.title")}>
      <section
        class="card customer-page"
        id="customer-page"
        data-events={`/s/${token}/events`}
        data-after={String(after)}
      >
        <SessionHeader {...props} />
        <p id="reconnect-banner" class="flash error" role="status" hidden>
          {t("customer.reconnecting")}
        </p>
        <p id="ended-notice" class="flash info" role="status" hidden>
          <strong>{t("customer.ended.title")}</strong> {t("customer.ended.text")}
        </p>
        <p class="muted waiting-intro">{t("customer.waitingIntro")}</p>
        <div
          id="customer-log"
          class="customer-log"
          role="log"
          aria-live="polite"
          aria-label={t("customer.chat.log")}
        >
          {lines.map((line) => <LogLineView line={line} t={t} token={token} />)}
        </div>
        <p class="agent-download">
          <a href={`/s/${token}/agent`} id="agent-download">{t("agentDownload.link")}</a>
        </p>
        <RemoteConsent c={c} token={token} />
        <FilesActivity c={c} token={token} />
        <BrowserShareForm c={c} token={token} recorded={props.recordsShares === true} />
        <DeviceInfoConsent c={c} token={token} />
        <TechnicianScreen c={c} token={token} />
        <ChatForm c={c} session={session} text={props.chatText} error={props.chatError} />
        <FileForm c={c} session={session} limit={props.fileLimit} error={props.fileError} />
        <form
          method="post"
          action={`/s/${token}/end`}
          id="end-session-form"
          data-confirm={t("customer.end.confirm")}
        >
          <CsrfField c={c} />
          <button type="submit" id="end-session" class="danger">{t("customer.end.button")}</button>
        </form>
      </section>
    </CustomerShell>
  );
}

/**
 * What the customer's page says about remote view (filled by `static/customer_remote.js`
 * from `/s/:token/remote/events` once the support app is attached): the technician's open
 * request — answered only in the support app's own window, never here, so this server cannot
 * answer for the customer — and what is shared as the app reports it, with buttons that can
 * only take things back.
 */
function RemoteConsent(props: { c: C; token: string }) {
  const t = props.c.get("t");
  const keys = [
    "askView",
    "askControl",
    "technician",
    "sharing",
    "controlling",
    "stopControl",
    "stopSharing",
    "agentReconnecting",
    "connected",
    "controls",
    "monitoring",
    "recording",
    "drawing",
  ] as const;
  const labels = Object.fromEntries(keys.map((k) => [k, t(`customerRemote.${k}`)]));
  const base = `/s/${props.token}/remote`;
  return (
    <section
      id="remote-consent"
      class="remote-consent"
      data-events={`${base}/events`}
      data-revoke={`${base}/revoke`}
      data-labels={JSON.stringify(labels)}
      aria-live="assertive"
      hidden
    >
      <p id="remote-ask" class="flash info" role="status" hidden>
        <span id="remote-ask-text"></span>
      </p>
      {/* `hidden` sits outside `.row`, whose display: flex would override it. */}
      <div id="remote-sharing" class="flash info" hidden>
        <div class="row">
          <span id="remote-sharing-text"></span>
          <button type="button" id="remote-revoke-control" class="danger small" hidden>
            {labels.stopControl}
          </button>
          <button type="button" id="remote-revoke-view" class="secondary small" hidden>
            {labels.stopSharing}
          </button>
        </div>
      </div>
      <p id="remote-agent-lost" class="flash error" hidden>{labels.agentReconnecting}</p>
      {
        /* Said only while the server records the picture (modules/recording), with the red dot
          every product shows for a recording. */
      }
      <p id="remote-recording" class="flash recording" role="status" hidden>
        <span class="rec-dot" aria-hidden="true"></span>
        {labels.recording}
      </p>
      {/* Said only while a technician's whiteboard is on (SPEC R4): the drawings are theirs. */}
      <p id="remote-drawing" class="flash info" role="status" hidden>{labels.drawing}</p>
      {/* Who watches the remote view and who controls (filled by customer_remote.js). */}
      <p id="remote-technicians" class="muted" hidden></p>
      <script type="module" src="/static/customer_remote.js"></script>
    </section>
  );
}

/**
 * The technician's own screen (SPEC R11; modules/remote present_routes.tsx): offered in the
 * page's remote stream, shown only after the customer's View, with fit / actual size / zoom,
 * a magnifier below 100 %, full screen and End (`static/customer_present.js`).
 */
function TechnicianScreen(props: { c: C; token: string }) {
  const t = props.c.get("t");
  const keys = [
    "ask",
    "title",
    "connecting",
    "scale",
    "ended",
    "endedByYou",
    "failed",
    "unsupported",
  ] as const;
  const labels = Object.fromEntries(keys.map((k) => [k, t(`customerPresent.${k}`)]));
  return (
    <section
      id="tech-screen"
      class="tech-screen"
      data-base={`/s/${props.token}/present`}
      data-labels={JSON.stringify(labels)}
      hidden
    >
      <link rel="stylesheet" href="/static/customer_present.css" />
      <div id="tech-screen-ask" class="flash info" role="status" hidden>
        <p>
          <strong id="tech-screen-ask-text"></strong> {t("customerPresent.askNote")}
        </p>
        <div class="row">
          <button type="button" id="tech-screen-view">{t("customerPresent.view")}</button>
          <button type="button" id="tech-screen-decline" class="secondary">
            {t("customerPresent.notNow")}
          </button>
        </div>
      </div>
      <div id="tech-screen-viewer" class="tech-screen-viewer" hidden>
        <div class="tech-screen-bar" role="toolbar" aria-label={t("customerPresent.title")}>
          <strong id="tech-screen-title"></strong>
          <button type="button" class="secondary small" data-scale="fit">
            {t("customerPresent.fit")}
          </button>
          <button type="button" class="secondary small" data-scale="actual">
            {t("customerPresent.actual")}
          </button>
          <button
            type="button"
            class="secondary small"
            data-zoom="-1"
            title={t("customerPresent.zoomOut")}
            aria-label={t("customerPresent.zoomOut")}
          >
            −
          </button>
          <output id="tech-screen-scale"></output>
          <button
            type="button"
            class="secondary small"
            data-zoom="1"
            title={t("customerPresent.zoomIn")}
            aria-label={t("customerPresent.zoomIn")}
          >
            +
          </button>
          <button
            type="button"
            class="secondary small"
            id="tech-screen-magnifier"
            aria-pressed="false"
            hidden
          >
            {t("customerPresent.magnifier")}
          </button>
          <button type="button" class="secondary small" id="tech-screen-fullscreen">
            {t("customerPresent.fullscreen")}
          </button>
          <button type="button" class="danger small" id="tech-screen-end">
            {t("customerPresent.end")}
          </button>
        </div>
        <div id="tech-screen-stage" class="tech-screen-stage">
          <video id="tech-screen-video" muted playsinline autoplay></video>
          <canvas id="tech-screen-lens" class="tech-screen-lens" width="240" height="240" hidden>
          </canvas>
        </div>
        <p id="tech-screen-status" class="muted" role="status"></p>
      </div>
      <p id="tech-screen-ended" class="muted" role="status" hidden></p>
      <script type="module" src="/static/customer_present.js"></script>
    </section>
  );
}

/**
 * "Share my screen" from this browser, no support app (`static/customer_share.js`, served by
 * modules/remote share_routes.ts): view only, stopped by the customer, hold, transfer or end.
 * Hidden until the script finds `getDisplayMedia` and WebRTC in the browser.
 */
function BrowserShareForm(props: { c: C; token: string; recorded: boolean }) {
  const t = props.c.get("t");
  const keys = [
    "starting",
    "connecting",
    "sharing",
    "sharingWith",
    "sharingWindow",
    "sharingWindowWith",
    "sharingTab",
    "sharingTabWith",
    "sharingChosen",
    "sharingChosenWith",
    "stopped",
    "moved",
    "unsupported",
    "failed",
  ] as const;
  const labels = Object.fromEntries(keys.map((k) => [k, t(`customerShare.${k}`)]));
  return (
    <section
      id="browser-share"
      class="browser-share"
      data-offer={`/s/${props.token}/share/offer`}
      data-stop={`/s/${props.token}/share/stop`}
      data-labels={JSON.stringify(labels)}
      hidden
    >
      <p class="muted" id="browser-share-intro">{t("customerShare.intro")}</p>
      {props.recorded && (
        <p class="muted" id="browser-share-recorded">{t("customerShare.recorded")}</p>
      )}
      <div class="row">
        <button type="button" id="browser-share-start" class="secondary">
          {t("customerShare.start")}
        </button>
        <button type="button" id="browser-share-stop" class="danger" hidden>
          {t("customerShare.stop")}
        </button>
      </div>
      <p id="browser-share-status" role="status" aria-live="polite"></p>
      {/* The technician asked for the support app (control): its download, this session's. */}
      <p id="browser-share-switch" class="flash info" hidden>
        {t("customerShare.switchAsked")}{" "}
        <a href={`/s/${props.token}/agent`} id="browser-share-agent">
          {t("customerShare.switchLink")}
        </a>
      </p>
      <script type="module" src="/static/customer_share.js"></script>
    </section>
  );
}
