import type { Context } from "hono";
import type { AuthedEnv } from "../http/mod.ts";
import { formatMoment } from "../i18n/mod.ts";
import { CsrfField, Flash, Layout } from "../../views/layout.tsx";
import { Moment } from "../../views/moment.tsx";
import { CopyButton } from "../../views/copy_button.tsx";

type Authed = Context<AuthedEnv>;

/** The person as their page shows them. */
export interface PersonView {
  id: string;
  name: string;
  email: string;
  role: string;
  groupName: string | null;
  twoFactorSince: Date | null;
  /** Until when too many failed sign-ins lock the account (null: not locked). */
  lockedUntil: Date | null;
  /** Why no password reset link can be sent (deactivated, password sign-in off), if so. */
  noResetLink?: string;
  /**
   * Invited, active and no password yet: until when the newest invitation link works (null:
   * every one has expired). Absent once the person has a password.
   */
  invitation?: { until: Date | null };
}

/** A link just made for the admin to hand over (`createInvitationLink`), shown this once. */
export interface MadeInvitationLink {
  link: string;
  expiresAt: Date;
}

/** One person's page: their display name, and a way out when they lost their second factor. */
export function PersonPage(
  props: {
    c: Authed;
    person: PersonView;
    error?: string;
    draftName?: string;
    notice?: string;
    madeLink?: MadeInvitationLink;
  },
) {
  const { c, person } = props;
  const t = c.get("t");
  return (
    <Layout c={c} title={person.name}>
      <p>
        <a href="/admin/technicians">← {t("org.peopleTitle")}</a>
      </p>
      <h1>{person.name}</h1>
      <p class="muted">
        {person.email} · {t(`roles.${person.role as "technician"}`)}
        {person.groupName && ` · ${person.groupName}`}
      </p>
      <Flash kind="error" message={props.error} />
      <Flash kind="info" message={props.notice} />
      <form method="post" action={`/admin/technicians/${person.id}/name`} class="card">
        <CsrfField c={c} />
        <label for="p-name">{t("org.displayName")}</label>
        <input
          id="p-name"
          type="text"
          name="name"
          required
          maxlength={100}
          aria-describedby="p-name-help"
          value={props.draftName ?? person.name}
        />
        <p class="muted" id="p-name-help">{t("org.displayNameHelp")}</p>
        <button type="submit">{t("common.save")}</button>
      </form>
      {person.invitation && (
        <InvitationCard
          c={c}
          person={person}
          until={person.invitation.until}
          made={props.madeLink}
        />
      )}
      <section class="card" id="password">
        <h2>{t("reset.adminCard")}</h2>
        {person.noResetLink ? <p>{person.noResetLink}</p> : (
          <>
            <p class="muted">{t("reset.adminHelp", { email: person.email })}</p>
            <form method="get" action={`/admin/technicians/${person.id}/password-reset`}>
              <button type="submit">{t("reset.adminSend")}</button>
            </form>
          </>
        )}
      </section>
      <section class="card" id="sign-in-lock">
        <h2>{t("org.signInLock")}</h2>
        {person.lockedUntil
          ? (
            <form method="post" action={`/admin/technicians/${person.id}/unlock`}>
              <CsrfField c={c} />
              <p>
                {t("org.lockedUntil", {
                  time: formatMoment(c.get("lang"), person.lockedUntil, "clock"),
                })}
              </p>
              <button type="submit">{t("org.unlock")}</button>
            </form>
          )
          : <p>{t("org.notLocked")}</p>}
      </section>
      <section class="card" id="two-factor">
        <h2>{t("org.twoFactor")}</h2>
        <p>
          {person.twoFactorSince
            ? t("org.twoFactorOn", {
              date: formatMoment(c.get("lang"), person.twoFactorSince, "date"),
            })
            : t("org.twoFactorOff")}
        </p>
        {/* Not set up: no secret, codes or remembered devices to reset. */}
        {person.twoFactorSince && (
          <>
            <p class="muted">{t("org.resetTwoFactorHelp")}</p>
            <form method="get" action={`/admin/technicians/${person.id}/2fa/reset`}>
              <button type="submit" class="danger">{t("org.resetTwoFactor")}</button>
            </form>
          </>
        )}
      </section>
    </Layout>
  );
}

/**
 * Someone invited who has not set a password: whether a link still works, and a new one for the
 * admin to hand over themselves (shown once, with Copy).
 */
function InvitationCard(
  props: { c: Authed; person: PersonView; until: Date | null; made?: MadeInvitationLink },
) {
  const { c, person, made } = props;
  const t = c.get("t");
  const lang = c.get("lang");
  return (
    <section class="card" id="invitation">
      <h2>{t("org.invitationCard")}</h2>
      <p>{t("org.invitationPending", { name: person.name })}</p>
      {props.until
        ? (
          <p id="invitation-until">
            {t("org.invitationValidUntil")} <Moment lang={lang} at={props.until} style="dateTime" />
          </p>
        )
        : <p id="invitation-until">{t("org.invitationExpired", { name: person.name })}</p>}
      {made && (
        <div class="flash info" role="status" id="invitation-link-made">
          <p>{t("org.invitationLinkMade", { name: person.name })}</p>
          <p class="row tight">
            <code id="invitation-link">{made.link}</code>
            <CopyButton t={t} target="invitation-link" small />
          </p>
        </div>
      )}
      <p class="muted">{t("org.invitationLinkHelp", { name: person.name })}</p>
      <form method="post" action={`/admin/technicians/${person.id}/invitation-link`}>
        <CsrfField c={c} />
        <button type="submit" class={made ? "secondary" : undefined}>
          {t("org.invitationLinkCreate")}
        </button>
      </form>
    </section>
  );
}

/** Asks before the reset, saying what goes and what the person meets at the next sign-in. */
export function ResetTwoFactorPage(
  props: { c: Authed; person: PersonView; required: boolean },
) {
  const { c, person } = props;
  const t = c.get("t");
  const title = t("org.resetTwoFactorTitle", { name: person.name });
  return (
    <Layout c={c} title={title}>
      <section class="card narrow">
        <h1>{title}</h1>
        <p>{t("org.resetTwoFactorHelp")}</p>
        <p>
          {t(props.required ? "org.resetThenEnrol" : "org.resetThenPassword", {
            name: person.name,
          })}
        </p>
        <form method="post" action={`/admin/technicians/${person.id}/2fa/reset`} class="row">
          <CsrfField c={c} />
          <button type="submit" class="danger">{t("org.resetTwoFactorConfirm")}</button>
          <a href={`/admin/technicians/${person.id}`}>{t("common.cancel")}</a>
        </form>
      </section>
    </Layout>
  );
}

/** Asks before deactivating: what goes at once, and what reactivating does not bring back. */
export function DeactivatePage(props: { c: Authed; person: PersonView }) {
  const { c, person } = props;
  const t = c.get("t");
  const title = t("org.deactivateTitle", { name: person.name });
  return (
    <Layout c={c} title={title}>
      <section class="card narrow">
        <h1>{title}</h1>
        <p>{t("org.deactivateHelp")}</p>
        <form method="post" action={`/admin/technicians/${person.id}/deactivate`} class="row">
          <CsrfField c={c} />
          <button type="submit" class="danger">{t("org.deactivate")}</button>
          <a href="/admin/technicians">{t("common.cancel")}</a>
        </form>
      </section>
    </Layout>
  );
}

/** Asks before sending a password reset link, saying what using it does. */
export function SendResetLinkPage(props: { c: Authed; person: PersonView }) {
  const { c, person } = props;
  const t = c.get("t");
  const title = t("reset.adminConfirmTitle", { name: person.name });
  return (
    <Layout c={c} title={title}>
      <section class="card narrow">
        <h1>{title}</h1>
        {person.noResetLink
          ? (
            <>
              <p class="flash error" role="alert">{person.noResetLink}</p>
              <a href={`/admin/technicians/${person.id}`}>← {person.name}</a>
            </>
          )
          : (
            <>
              <p>{t("reset.adminHelp", { email: person.email })}</p>
              <form
                method="post"
                action={`/admin/technicians/${person.id}/password-reset`}
                class="row"
              >
                <CsrfField c={c} />
                <button type="submit">{t("reset.adminConfirm")}</button>
                <a href={`/admin/technicians/${person.id}`}>{t("common.cancel")}</a>
              </form>
            </>
          )}
      </section>
    </Layout>
  );
}
