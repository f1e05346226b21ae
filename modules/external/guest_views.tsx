/**
 * The external technician's pages: the PIN page (with the language choice), the limited
 * console of its one session (the session's log and chat, and the tools its invitation
 * grants: guest_tools.tsx; nothing else of the product), and
 * the page that says its access ended and why.
 */
import type { PageContext } from "../http/mod.ts";
import { languageName, STAFF_LANGUAGES, type Translator } from "../i18n/mod.ts";
import { LogLineView } from "../console/mod.ts";
import type { LogLine } from "../support/mod.ts";
import { CsrfField, Flash, Layout } from "../../views/layout.tsx";
import { GUEST_PERMISSIONS } from "./invite.ts";
import type { GuestAccess, NoAccess } from "./guest.ts";
import { GuestTools } from "./guest_tools.tsx";

type C = PageContext;
const STYLES = ["/static/workspace.css", "/static/remote_view.css", "/static/file_manager.css"];

export function GuestPinPage(props: { c: C; error?: string; status?: number }) {
  const { c } = props;
  const t = c.get("t");
  return (
    <Layout c={c} title={t("external.guest.pinTitle")} bare stylesheets={STYLES}>
      <section class="card narrow external-pin">
        <h1>{t("external.guest.pinTitle")}</h1>
        <p>{t("external.guest.pinIntro")}</p>
        <Flash kind="error" message={props.error} />
        <form method="post" action="/x/pin">
          <CsrfField c={c} />
          <label for="pin">{t("external.guest.pinLabel")}</label>
          <input
            id="pin"
            name="pin"
            class="pin-input"
            inputmode="numeric"
            autocomplete="one-time-code"
            maxlength={7}
            required
            autofocus
            aria-invalid={props.error ? "true" : undefined}
          />
          <label for="lang">{t("external.guest.language")}</label>
          <select id="lang" name="lang">
            {STAFF_LANGUAGES.map((lang) => (
              <option value={lang} selected={lang === c.get("lang")}>{languageName(lang)}</option>
            ))}
          </select>
          <button type="submit">{t("external.guest.join")}</button>
        </form>
      </section>
    </Layout>
  );
}

/**
 * Lines a guest sees: everything but the session's files — what the customer sends is the
 * lead's (SPEC K3, as for collaborators), so a guest never gets a file line to download.
 */
export function guestVisible(line: LogLine): boolean {
  return line.kind !== "file";
}

export function GuestLine(props: { t: Translator; line: LogLine }) {
  return <LogLineView t={props.t} line={props.line} />;
}

export function GuestConsolePage(props: {
  c: C;
  access: GuestAccess;
  organisation: string;
  lines: LogLine[];
}) {
  const { c, access, lines } = props;
  const { guest, session } = access;
  const t = c.get("t");
  const last = lines.at(-1)?.seq ?? 0;
  // What it may do now (its invitation narrowed to its inviter's group), not what was asked.
  const extra = GUEST_PERMISSIONS.filter((p) => access.granted.permissions.has(p))
    .map((p) => t(`permissions.${p}`)).join(", ");
  return (
    <Layout
      c={c}
      title={t("external.guest.title", { number: session.number })}
      bare
      stylesheets={STYLES}
    >
      <script type="module" src="/static/external_console.js"></script>
      <section
        class="card external-console"
        id="external-console"
        data-events="/x/console/events"
        data-after={String(last)}
      >
        <header class="workspace-head row">
          <h1>{t("external.guest.title", { number: session.number })}</h1>
          <span class="badge">{t("external.guest.badge")}</span>
          <span class="muted">{session.customerName}</span>
        </header>
        <p class="muted">
          {t("external.guest.intro", {
            customer: session.customerName,
            organisation: props.organisation,
            name: guest.name,
          })}
        </p>
        {extra && <p class="muted">{t("external.guest.alsoAllowed", { list: extra })}</p>}
        <GuestTools c={c} access={access} />
        <h2>{t("external.guest.chat")}</h2>
        <ol id="guest-log" class="session-log" aria-live="polite">
          {lines.filter(guestVisible).map((line) => <GuestLine t={t} line={line} />)}
        </ol>
        <GuestChatForm c={c} chatOn={session.chatEnabled} />
      </section>
    </Layout>
  );
}

/**
 * The guest's composer. With the customer's chat off only the technicians' chat is open:
 * "Technicians only" is ticked and fixed (a hidden field sends it) and a note says the
 * customer cannot be written to; static/external_console.js flips it when the chat is switched.
 */
export function GuestChatForm(props: { c: C; chatOn: boolean; text?: string; error?: string }) {
  const { c, chatOn: on } = props;
  const t = c.get("t");
  return (
    <form
      method="post"
      action="/x/console/chat"
      id="guest-chat"
      class="workspace-chat"
      hx-post="/x/console/chat"
      hx-swap="outerHTML"
    >
      <CsrfField c={c} />
      <input type="hidden" name="chatKey" value={crypto.randomUUID()} />
      <input
        type="hidden"
        name="audience"
        value="technicians"
        data-tech-only-forced=""
        disabled={on}
      />
      <label for="guest-text" class="visually-hidden">{t("external.guest.message")}</label>
      <textarea
        id="guest-text"
        name="text"
        rows={2}
        maxlength={4000}
        required
      >
        {props.text ?? ""}
      </textarea>
      {props.error && <p class="field-error" role="alert">{props.error}</p>}
      <div class="row tight">
        <label>
          <input
            type="checkbox"
            name="audience"
            value="technicians"
            data-tech-only=""
            checked={!on}
            disabled={!on}
          />{" "}
          {t("external.guest.techniciansOnly")}
        </label>
        <button type="submit">{t("external.guest.send")}</button>
      </div>
      <p class="chat-off-note" role="status" hidden={on}>{t("external.guest.chatOff")}</p>
    </form>
  );
}

/** Access ended (or never was): why, and nothing of the session. */
export function GuestEnded(props: { t: Translator; reason: NoAccess }) {
  const { t, reason } = props;
  return (
    <section class="card narrow external-ended" data-external-ended={reason} role="alert">
      <h1>{t("external.guest.endedTitle")}</h1>
      {reason !== "unknown" && <p>{t("external.guest.ended")}</p>}
      <p>{t(`external.guest.reason_${reason}`)}</p>
    </section>
  );
}

export function GuestEndedPage(props: { c: C; reason: NoAccess; message?: string }) {
  const { c } = props;
  const t = c.get("t");
  return (
    <Layout c={c} title={t("external.guest.endedTitle")} bare>
      {props.message
        ? (
          <section class="card narrow external-ended" data-external-ended="link" role="alert">
            <h1>{t("external.guest.endedTitle")}</h1>
            <p>{props.message}</p>
          </section>
        )
        : <GuestEnded t={t} reason={props.reason} />}
    </Layout>
  );
}
