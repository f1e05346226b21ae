// Over 400 lines on purpose: Lens's two pages (the technician's and the phone's) and the parts they share (labels, the drawing's colours) in one place.
/**
 * Lens's two pages: the technician's (`/console/lens`: start, the customer's link, the live
 * picture and its tools — static/lens_view.js) and the customer's phone page (`/lens/<token>`:
 * the camera, its switches and the technician's drawing — static/lens_phone.js). Both scripts
 * get their addresses and words as `data-*` attributes; every word comes from the locales.
 */
import type { PageContext } from "../http/mod.ts";
import {
  type Language,
  languageName,
  LANGUAGES,
  type TranslationKey,
  type Translator,
} from "../i18n/mod.ts";
import { CsrfField, Layout } from "../../views/layout.tsx";
import { Moment } from "../../views/moment.tsx";
import { type LensSession, STROKE_COLOURS } from "./lens_session.ts";
import type { LensRecord } from "./record.ts";

type C = PageContext;

/** A Lens session's recordings page (modules/recording serves it, behind `readableLens`). */
export const lensRecordingsHref = (lensId: string) => `/console/recordings/lens/${lensId}`;

/** The words a script shows, by the name it uses. */
function labels(c: C, keys: Record<string, TranslationKey>, params = {}): string {
  const t = c.get("t");
  return JSON.stringify(
    Object.fromEntries(Object.entries(keys).map(([name, key]) => [name, t(key, params)])),
  );
}

const VIEW_LABELS: Record<string, TranslationKey> = {
  waiting: "lens.status.waiting",
  connecting: "lens.status.connecting",
  interrupted: "lens.status.interrupted",
  live: "lens.status.live",
  paused: "lens.status.paused",
  muted: "lens.status.muted",
  torch: "lens.status.torch",
  frozen: "lens.status.frozen",
  noAudio: "lens.status.noAudio",
  soundOff: "lens.status.soundOff",
  endedTechnician: "lens.ended.technician",
  endedCustomer: "lens.ended.customer",
  endedLost: "lens.ended.lost",
  endedExpired: "lens.ended.expired",
  endedAbandoned: "lens.ended.abandoned",
  endedGone: "lens.ended.gone",
  freeze: "lens.tools.freeze",
  unfreeze: "lens.tools.unfreeze",
  mute: "lens.tools.mute",
  unmute: "lens.tools.unmute",
  record: "lens.tools.record",
  stopRecording: "lens.tools.stopRecording",
  recordFailed: "lens.tools.recordFailed",
  recordingFailed: "lens.tools.recordingFailed",
  copied: "lens.copied",
  drawFailed: "lens.drawFailed",
};

/** The technician's Lens page: the start button, or the running session. */
export function LensPage(
  props: {
    c: C;
    session?: LensSession;
    link?: string;
    error?: string;
    invite?: LensInviteFormProps;
    recent?: LensRecord[];
    recordOffer?: LensRecordOffer;
  },
) {
  const { c, session } = props;
  const t = c.get("t");
  return (
    <Layout c={c} title={t("lens.title")} stylesheets={["/static/lens.css"]}>
      <div class="lens-page">
        <header class="lens-head">
          <h1>{t("lens.title")}</h1>
          {session && (
            <form method="post" action="/console/lens/end" class="inline">
              <CsrfField c={c} />
              <button type="submit" class="danger" data-lens-end>{t("lens.end")}</button>
            </form>
          )}
        </header>
        {props.error && <p class="flash error" role="alert">{props.error}</p>}
        {session
          ? (
            <LensRunning
              c={c}
              session={session}
              link={props.link ?? ""}
              invite={props.invite ?? { c, ways: { email: false, sms: false } }}
              recordOffer={props.recordOffer ?? null}
            />
          )
          : (
            <>
              <section class="card lens-start">
                <p>{t("lens.intro")}</p>
                <form method="post" action="/console/lens">
                  <CsrfField c={c} />
                  <button type="submit" data-lens-start>{t("lens.start")}</button>
                </form>
              </section>
              <LensRecent c={c} recent={props.recent ?? []} />
            </>
          )}
      </div>
    </Layout>
  );
}

/** A mailto: query (RFC 6068): spaces as %20, as mail programs expect, not `+`. */
function mailQuery(invite: { subject: string; body: string }): string {
  return `subject=${encodeURIComponent(invite.subject)}&body=${encodeURIComponent(invite.body)}`;
}

function smsQuery(invite: { body: string }): string {
  return `body=${encodeURIComponent(invite.body)}`;
}

/** What the invitation form shows: the ways the technician may use, the draft, the outcome. */
export interface LensInviteFormProps {
  c: C;
  ways: { email: boolean; sms: boolean };
  draft?: { name: string; email: string; phone: string; language: Language };
  /** The outcome or the problem, already worded; `ok` says which. */
  message?: { ok: boolean; text: string; field?: "email" | "phone" | "name" | "language" };
}

/**
 * "Send the link": by e-mail or text message through the product's outboxes (invite.ts), each
 * shown only with its group permission. Answers itself (htmx swaps the form), keeping what was
 * typed when something is wrong.
 */
export function LensInviteForm(props: LensInviteFormProps) {
  const { c, ways } = props;
  const t = c.get("t");
  if (!ways.email && !ways.sms) return null;
  const draft = props.draft ?? { name: "", email: "", phone: "", language: c.get("lang") };
  const message = props.message;
  const invalid = (field: string) => message && !message.ok && message.field === field;
  return (
    <form
      method="post"
      action="/console/lens/invite"
      class="lens-invite-form"
      hx-post="/console/lens/invite"
      hx-swap="outerHTML"
      data-lens-invite-form
    >
      <CsrfField c={c} />
      <fieldset>
        <legend>{t("lens.invite.title")}</legend>
        <div class="row">
          <label for="lens-invite-name">{t("lens.invite.name")}</label>
          <input
            id="lens-invite-name"
            name="name"
            type="text"
            maxlength={100}
            value={draft.name}
            aria-invalid={invalid("name") ? "true" : undefined}
          />
        </div>
        <div class="row">
          <label for="lens-invite-language">{t("console.inviteLanguage")}</label>
          <select
            id="lens-invite-language"
            name="language"
            aria-invalid={invalid("language") ? "true" : undefined}
          >
            {LANGUAGES.map((lang) => (
              <option value={lang} selected={lang === draft.language}>{languageName(lang)}</option>
            ))}
          </select>
        </div>
        {ways.email && (
          <div class="row">
            <label for="lens-invite-email">{t("lens.invite.email")}</label>
            <input
              id="lens-invite-email"
              name="email"
              type="email"
              value={draft.email}
              aria-invalid={invalid("email") ? "true" : undefined}
            />
            <button type="submit" name="via" value="email" class="secondary" data-lens-send-email>
              {t("lens.invite.sendEmail")}
            </button>
          </div>
        )}
        {ways.sms && (
          <div class="row">
            <label for="lens-invite-phone">{t("lens.invite.phone")}</label>
            <input
              id="lens-invite-phone"
              name="phone"
              type="tel"
              value={draft.phone}
              aria-invalid={invalid("phone") ? "true" : undefined}
            />
            <button type="submit" name="via" value="sms" class="secondary" data-lens-send-sms>
              {t("lens.invite.sendSms")}
            </button>
          </div>
        )}
        {message && (
          <p
            class={message.ok ? "flash" : "flash error"}
            role={message.ok ? "status" : "alert"}
            data-lens-invite-result={message.ok ? "ok" : "error"}
          >
            {message.text}
          </p>
        )}
      </fieldset>
    </form>
  );
}

/** A duration in whole minutes and seconds, in the page's words. */
export function lensDuration(t: Translator, seconds: number): string {
  return t("lens.duration", {
    minutes: Math.floor(seconds / 60),
    seconds: String(seconds % 60).padStart(2, "0"),
  });
}

/** The technician's own recent Lens sessions, from their records (record.ts). */
function LensRecent(props: { c: C; recent: LensRecord[] }) {
  const t = props.c.get("t");
  return (
    <section class="card lens-recent" data-lens-recent>
      <h2>{t("lens.history.title")}</h2>
      {props.recent.length === 0 ? <p class="muted">{t("lens.history.empty")}</p> : (
        <table>
          <thead>
            <tr>
              <th>{t("lens.history.started")}</th>
              <th>{t("lens.history.duration")}</th>
              <th>{t("lens.history.customer")}</th>
              <th>{t("lens.history.ended")}</th>
              <th>{t("lens.history.recording")}</th>
            </tr>
          </thead>
          <tbody>
            {props.recent.map((r) => (
              <tr data-lens-record={r.reason}>
                <td>
                  <Moment lang={t.lang} at={r.startedAt} style="dateTime" />
                </td>
                <td>{lensDuration(t, r.seconds)}</td>
                <td>{r.customer ?? <span class="muted">{t("lens.history.notGiven")}</span>}</td>
                <td>{_capitalised(t(`lens.endedHow.${r.reason}`))}</td>
                <td>
                  {r.recorded && (
                    <a href={lensRecordingsHref(r.id)} data-lens-recording-link>
                      {t("lens.history.play")}
                    </a>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function _capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** What the page offers for recording (the group's policy, `recordSessions`). */
export type LensRecordOffer = "button" | "always" | null;

function LensRunning(
  props: {
    c: C;
    session: LensSession;
    link: string;
    invite: LensInviteFormProps;
    recordOffer: LensRecordOffer;
  },
) {
  const { c } = props;
  const t = c.get("t");
  // Sent from the technician's own mail or messaging app, in the page's language.
  const params = { name: props.session.owner.name, link: props.link };
  const invite = {
    subject: t("lensPhone.inviteSubject", params),
    body: t("lensPhone.inviteBody", params),
  };
  return (
    <section
      class="lens-view"
      id="lens-view"
      data-events="/console/lens/events"
      data-peer="/console/lens/peer"
      data-draw="/console/lens/draw"
      data-clear="/console/lens/clear"
      data-freeze="/console/lens/freeze"
      data-record="/console/lens/record"
      data-labels={labels(c, VIEW_LABELS)}
    >
      <div class="lens-invite" data-lens-invite>
        <label for="lens-link">{t("lens.linkLabel")}</label>
        <div class="row">
          <input id="lens-link" type="text" readonly value={props.link} />
          <button type="button" class="secondary" data-lens-copy>{t("lens.copy")}</button>
        </div>
        <LensInviteForm {...props.invite} />
        <p class="row lens-send">
          <span class="muted">{t("lens.ownApp")}</span>
          <a class="button secondary" href={`mailto:?${mailQuery(invite)}`} data-lens-mail>
            {t("lens.sendEmail")}
          </a>
          <a class="button secondary" href={`sms:?${smsQuery(invite)}`} data-lens-sms>
            {t("lens.sendSms")}
          </a>
        </p>
        <p class="muted">{t("lens.linkHelp")}</p>
      </div>
      <p class="lens-status" role="status" data-lens-status>{t("lens.status.waiting")}</p>
      {props.recordOffer === "always" && (
        <p class="muted lens-records-always" data-lens-records-always>
          {t("lens.tools.recordsAlways")}
        </p>
      )}
      <div class="lens-toolbar" role="toolbar" aria-label={t("lens.tools.label")}>
        <button type="button" class="secondary" data-lens-freeze disabled>
          {t("lens.tools.freeze")}
        </button>
        <button type="button" class="secondary" data-lens-screenshot disabled>
          {t("lens.tools.screenshot")}
        </button>
        <span class="segmented" role="group" aria-label={t("lens.tools.zoom")}>
          <button type="button" data-lens-zoom="fit" aria-pressed="true">
            {t("lens.tools.zoomFit")}
          </button>
          <button type="button" data-lens-zoom="actual" aria-pressed="false">
            {t("lens.tools.zoomActual")}
          </button>
          <button type="button" data-lens-zoom="double" aria-pressed="false">
            {t("lens.tools.zoomDouble")}
          </button>
        </span>
        <button type="button" class="secondary" data-lens-mute disabled>
          {t("lens.tools.mute")}
        </button>
        {props.recordOffer === "button" && (
          <button type="button" class="secondary" data-lens-record disabled>
            {t("lens.tools.record")}
          </button>
        )}
        <span class="lens-recording" data-lens-recording hidden={!props.session.state.recording}>
          <span class="rec-dot" aria-hidden="true"></span>
          {t("lens.tools.recordingSign")}
        </span>
        <span class="lens-colours" role="group" aria-label={t("lens.tools.draw")}>
          {STROKE_COLOURS.map((colour, i) => (
            <button
              type="button"
              class={`lens-colour lens-colour-${i}`}
              data-lens-colour={colour}
              aria-pressed={i === 0 ? "true" : "false"}
              title={t("lens.tools.drawIn", { number: i + 1 })}
            >
              <span class="visually-hidden">{t("lens.tools.drawIn", { number: i + 1 })}</span>
            </button>
          ))}
        </span>
        <button type="button" class="secondary" data-lens-clear disabled>
          {t("lens.tools.clear")}
        </button>
      </div>
      <div class="lens-stage" data-lens-stage data-zoom="fit">
        <div class="lens-picture" data-lens-picture>
          <video autoplay playsinline data-lens-video></video>
          <canvas class="lens-frozen" data-lens-frozen hidden></canvas>
          <canvas class="lens-ink" data-lens-ink></canvas>
        </div>
      </div>
      <p class="muted lens-note">{t("lens.drawNote")}</p>
      <form method="post" action="/console/lens" data-lens-restart hidden>
        <CsrfField c={c} />
        <button type="submit">{t("lens.start")}</button>
      </form>
      <script type="module" src="/static/lens_view.js"></script>
    </section>
  );
}

const PHONE_LABELS: Record<string, TranslationKey> = {
  asking: "lensPhone.asking",
  connecting: "lensPhone.connecting",
  live: "lensPhone.live",
  paused: "lensPhone.paused",
  frozen: "lensPhone.frozen",
  denied: "lensPhone.denied",
  failed: "lensPhone.failed",
  unsupported: "lensPhone.unsupported",
  ended: "lensPhone.ended",
  endedByTechnician: "lensPhone.endedByTechnician",
  endedGone: "lensPhone.endedGone",
  pause: "lensPhone.pause",
  resume: "lensPhone.resume",
  mute: "lensPhone.mute",
  unmute: "lensPhone.unmute",
  torchOn: "lensPhone.torchOn",
  torchOff: "lensPhone.torchOff",
};

/** The customer's phone page of a running Lens session. */
export function LensPhonePage(props: { c: C; session: LensSession }) {
  const { c, session } = props;
  const t = c.get("t");
  const base = `/lens/${session.token}`;
  return (
    <Layout c={c} title={t("lensPhone.title")} bare stylesheets={["/static/lens.css"]}>
      <div
        class="lens-phone"
        id="lens-phone"
        data-offer={`${base}/offer`}
        data-state={`${base}/state`}
        data-end={`${base}/end`}
        data-events={`${base}/events`}
        data-labels={labels(c, PHONE_LABELS, { name: session.owner.name })}
      >
        <CsrfField c={c} />
        <div class="lens-phone-picture" data-lens-picture>
          <video autoplay playsinline muted data-lens-video></video>
          <canvas class="lens-frozen" data-lens-frozen hidden></canvas>
          <canvas class="lens-ink" data-lens-ink></canvas>
        </div>
        <section class="lens-phone-intro" data-lens-intro>
          <h1>{t("lensPhone.title")}</h1>
          <p>{t("lensPhone.intro", { name: session.owner.name })}</p>
          {session.state.recordsAlways && (
            <p class="flash recording" data-lens-records-always>
              <span class="rec-dot" aria-hidden="true"></span>
              {t("lensPhone.recordedAlways")}
            </p>
          )}
          <button type="button" data-lens-start>{t("lensPhone.start")}</button>
        </section>
        <p class="lens-phone-status" role="status" data-lens-status></p>
        <p class="flash recording lens-phone-recorded" data-lens-recorded hidden>
          <span class="rec-dot" aria-hidden="true"></span>
          {t("lensPhone.recorded", { name: session.owner.name })}
        </p>
        <nav class="lens-phone-controls" data-lens-controls hidden>
          <button type="button" data-lens-pause>{t("lensPhone.pause")}</button>
          <button type="button" data-lens-mute>{t("lensPhone.mute")}</button>
          <button type="button" data-lens-torch hidden>{t("lensPhone.torchOn")}</button>
          <button type="button" class="danger" data-lens-disconnect>
            {t("lensPhone.disconnect")}
          </button>
        </nav>
        <script type="module" src="/static/lens_phone.js"></script>
      </div>
    </Layout>
  );
}

/** The phone page of a link that has ended or never existed. */
export function LensGonePage(props: { c: C }) {
  const t = props.c.get("t");
  return (
    <Layout c={props.c} title={t("lensPhone.title")} bare stylesheets={["/static/lens.css"]}>
      <div class="lens-phone-gone card narrow">
        <h1>{t("lensPhone.title")}</h1>
        <p>{t("lensPhone.gone")}</p>
      </div>
    </Layout>
  );
}
