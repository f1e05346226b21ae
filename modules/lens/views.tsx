/**
 * Lens's two pages: the technician's (`/console/lens`: start, the customer's link, the live
 * picture and its tools — static/lens_view.js) and the customer's phone page (`/lens/<token>`:
 * the camera, its switches and the technician's drawing — static/lens_phone.js). Both scripts
 * get their addresses and words as `data-*` attributes; every word comes from the locales.
 */
import type { PageContext } from "../http/mod.ts";
import type { TranslationKey } from "../i18n/mod.ts";
import { CsrfField, Layout } from "../../views/layout.tsx";
import { type LensSession, STROKE_COLOURS } from "./lens_session.ts";

type C = PageContext;

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
  freeze: "lens.tools.freeze",
  unfreeze: "lens.tools.unfreeze",
  mute: "lens.tools.mute",
  unmute: "lens.tools.unmute",
  record: "lens.tools.record",
  stopRecording: "lens.tools.stopRecording",
  recording: "lens.tools.recording",
  recordUnsupported: "lens.tools.recordUnsupported",
  copied: "lens.copied",
  drawFailed: "lens.drawFailed",
};

/** The technician's Lens page: the start button, or the running session. */
export function LensPage(props: { c: C; session?: LensSession; link?: string; error?: string }) {
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
          ? <LensRunning c={c} session={session} link={props.link ?? ""} />
          : (
            <section class="card lens-start">
              <p>{t("lens.intro")}</p>
              <form method="post" action="/console/lens">
                <CsrfField c={c} />
                <button type="submit" data-lens-start>{t("lens.start")}</button>
              </form>
            </section>
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

function LensRunning(props: { c: C; session: LensSession; link: string }) {
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
        <p class="row lens-send">
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
        <button type="button" class="secondary" data-lens-record disabled>
          {t("lens.tools.record")}
        </button>
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
