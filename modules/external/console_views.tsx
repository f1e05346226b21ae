/**
 * The lead's side in the workspace: the "Invite external technician" dialog (approved list or
 * unlisted name and e-mail, the methods the group allows, a permission set, expiry), what an
 * invitation gave (a link, a PIN or "e-mail sent"), and the session's external technicians
 * with Remove.
 */
import type { PageContext } from "../http/mod.ts";
import { can, type Permission } from "../permissions/mod.ts";
import type { ApprovedTechnician } from "./approved.ts";
import { EXPIRY_MINUTES, type ExternalGuest, type Invitation } from "./invite.ts";
import type { ExternalMethod } from "./schema.ts";
import { formatMoment } from "../i18n/mod.ts";

type C = PageContext;
export const externalPath = (sessionId: string) => `/console/sessions/${sessionId}/external`;

export function InviteDialog(props: {
  c: C;
  sessionId: string;
  number: number;
  approved: ApprovedTechnician[];
  methods: ExternalMethod[];
  grantable: Permission[];
  error?: string;
}) {
  const { c, sessionId, methods } = props;
  const t = c.get("t");
  const unlisted = can(c.get("user"), "inviteExternalUnlisted");
  return (
    <div class="card dialog" id="external-dialog" role="dialog" aria-labelledby="external-title">
      <h2 id="external-title">{t("external.invite.title", { number: props.number })}</h2>
      {props.error && <p class="flash error" role="alert">{props.error}</p>}
      {methods.length === 0
        ? <p class="muted">{t("external.invite.noMethods")}</p>
        : (
          <form id="external-form" hx-post={externalPath(sessionId)} hx-target="#dialog">
            <fieldset>
              <legend>{t("external.invite.who")}</legend>
              <label for="external-approved">{t("external.invite.chooseApproved")}</label>
              <select id="external-approved" name="approvedId">
                <option value="">{t("external.invite.none")}</option>
                {props.approved.map((a) => (
                  <option value={a.id}>
                    {a.organisation ? `${a.name} (${a.organisation})` : a.name} — {a.email}
                  </option>
                ))}
              </select>
              {unlisted && (
                <>
                  <p class="muted">{t("external.invite.orUnlisted")}</p>
                  <label for="external-name">{t("external.admin.name")}</label>
                  <input id="external-name" name="name" type="text" maxlength={100} />
                  <label for="external-email">{t("external.admin.email")}</label>
                  <input id="external-email" name="email" type="email" maxlength={254} />
                </>
              )}
            </fieldset>
            <fieldset>
              <legend>{t("external.invite.method")}</legend>
              <div class="row">
                {methods.map((m, i) => (
                  <label>
                    <input type="radio" name="method" value={m} checked={i === 0} />{" "}
                    {t(`external.invite.method_${m}`)}
                  </label>
                ))}
              </div>
            </fieldset>
            <fieldset>
              <legend>{t("external.invite.permissions")}</legend>
              {props.grantable.length === 0
                ? <p class="muted">{t("external.invite.noExtra")}</p>
                : props.grantable.map((p) => (
                  <label>
                    <input type="checkbox" name="permissions" value={p} /> {t(`permissions.${p}`)}
                  </label>
                ))}
            </fieldset>
            <label for="external-expiry">{t("external.invite.expiry")}</label>
            <select id="external-expiry" name="minutes">
              {EXPIRY_MINUTES.map((m) => (
                <option value={String(m)} selected={m === 60}>
                  {t(`external.invite.expiry_${m}`)}
                </option>
              ))}
            </select>
            <div class="row">
              <button type="submit">{t("external.invite.send")}</button>
              <button type="button" class="secondary" data-close-dialog="dialog">
                {t("external.invite.close")}
              </button>
            </div>
          </form>
        )}
    </div>
  );
}

/** What an invitation gave: shown once (the link and PIN are stored only as fingerprints). */
export function InvitedDialog(props: { c: C; invitation: Invitation; pinUrl: string }) {
  const { c, invitation } = props;
  const t = c.get("t");
  const { guest } = invitation;
  const time = formatMoment(c.get("lang"), guest.expiresAt, "dateTime");
  return (
    <div class="card dialog" id="external-dialog" role="dialog" aria-labelledby="external-title">
      <h2 id="external-title">{t("external.invite.readyTitle")}</h2>
      {invitation.link && (
        <>
          <p>{t("external.invite.linkReady", { name: guest.name, time })}</p>
          <input
            class="mono"
            readonly
            value={invitation.link}
            data-external-link=""
            aria-label={t("external.invite.method_link")}
          />
        </>
      )}
      {invitation.pin && (
        <>
          <p>{t("external.invite.pinReady", { name: guest.name, url: props.pinUrl, time })}</p>
          <p class="mono pin" data-external-pin="">{invitation.pin}</p>
        </>
      )}
      {guest.method === "email" && <p>{t("external.invite.emailSent", { email: guest.email })}</p>}
      <div class="row">
        <button type="button" class="secondary" data-close-dialog="dialog">
          {t("external.invite.close")}
        </button>
      </div>
    </div>
  );
}

/**
 * The session's external technicians (reloaded on the lead's own `externalChanged`, and every
 * 10 s so a guest's joining, expiry or the session's end shows without a reload).
 */
export function Participants(
  props: { c: C; sessionId: string; guests: ExternalGuest[]; lead: boolean },
) {
  const { c, sessionId, guests } = props;
  const t = c.get("t");
  return (
    <div
      class="external-participants row tight"
      id={`external-${sessionId}`}
      hx-get={`${externalPath(sessionId)}/list`}
      hx-trigger="externalChanged from:body, every 10s"
      hx-swap="outerHTML"
    >
      {guests.length > 0 && <span class="muted">{t("external.participants.title")}:</span>}
      {guests.map((g) => (
        <span class="external-guest" data-guest={g.id}>
          {g.name}{" "}
          <span class="muted">
            ({g.endReason
              ? t(`external.participants.ended_${g.endReason}`)
              : g.joinedAt
              ? t("external.participants.joined")
              : t("external.participants.notJoined")})
          </span>
          {props.lead && !g.endReason && (
            <button
              type="button"
              class="secondary small"
              hx-post={`${externalPath(sessionId)}/${g.id}/remove`}
              hx-target={`#external-${sessionId}`}
              hx-swap="outerHTML"
              data-remove-guest={g.id}
            >
              {t("external.participants.remove")}
            </button>
          )}
        </span>
      ))}
    </div>
  );
}
