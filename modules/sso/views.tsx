import type { PageContext } from "../http/mod.ts";
import type { GroupRow } from "../org/mod.ts";
import { CsrfField, Flash, Layout } from "../../views/layout.tsx";
import type { SsoInput, SsoSettings } from "./settings.ts";

/** The values the form shows: what is stored, or what the admin typed when a save was refused. */
export type SsoFormValues = Omit<SsoInput, "clientSecret">;

export function formValues(stored: SsoSettings | undefined): SsoFormValues {
  return {
    displayName: stored?.displayName ?? "",
    issuer: stored?.issuer ?? "",
    clientId: stored?.clientId ?? "",
    emailClaim: stored?.emailClaim ?? "email",
    requireVerifiedEmail: stored?.requireVerifiedEmail ?? true,
    allowPassword: stored?.allowPassword ?? true,
    skipTotp: stored?.skipTotp ?? true,
    provisionGroupId: stored?.provisionGroupId ?? null,
  };
}

/** /admin/sso: the organisation's identity provider (master admin). */
export function SsoPage(
  props: {
    c: PageContext;
    stored: SsoSettings | undefined;
    values: SsoFormValues;
    groups: GroupRow[];
    redirectUri: string;
    postLogoutRedirectUri: string;
    error?: string;
  },
) {
  const { c, stored, values } = props;
  const t = c.get("t");
  const check = (name: string, on: boolean, label: string, help?: string) => (
    <>
      <label>
        <input type="checkbox" name={name} value="1" checked={on} /> {label}
      </label>
      {help && <p class="muted">{help}</p>}
    </>
  );
  return (
    <Layout c={c} title={t("sso.title")}>
      <h1>{t("sso.title")}</h1>
      {c.req.query("saved") && <Flash kind="info" message={t("common.saved")} />}
      {c.req.query("removed") && <Flash kind="info" message={t("sso.turnedOff")} />}
      <Flash kind="error" message={props.error} />
      <p>{t("sso.intro")}</p>
      <p class="muted" data-sso-status={stored ? "on" : "off"}>
        {stored ? t("sso.statusOn", { name: stored.displayName }) : t("sso.statusOff")}
      </p>
      <form method="post" action="/admin/sso" class="card">
        <CsrfField c={c} />
        <label for="sso-name">{t("sso.displayName")}</label>
        <input
          id="sso-name"
          type="text"
          name="displayName"
          required
          maxlength={60}
          value={values.displayName}
        />
        <p class="muted">{t("sso.displayNameHelp")}</p>
        <label for="sso-issuer">{t("sso.issuer")}</label>
        <input id="sso-issuer" name="issuer" type="url" required value={values.issuer} />
        <p class="muted">{t("sso.issuerHelp")}</p>
        <label for="sso-client">{t("sso.clientId")}</label>
        <input
          id="sso-client"
          type="text"
          name="clientId"
          required
          maxlength={200}
          value={values.clientId}
        />
        <label for="sso-secret">{t("sso.clientSecret")}</label>
        <input
          id="sso-secret"
          name="clientSecret"
          type="password"
          autocomplete="off"
          required={!stored}
        />
        {stored && <p class="muted">{t("sso.clientSecretKept")}</p>}
        <label for="sso-redirect">{t("sso.redirectUri")}</label>
        <input id="sso-redirect" type="text" readonly value={props.redirectUri} />
        <label for="sso-post-logout">{t("sso.postLogoutUri")}</label>
        <input
          id="sso-post-logout"
          type="text"
          readonly
          value={props.postLogoutRedirectUri}
        />
        <p class="muted">{t("sso.postLogoutUriHelp")}</p>
        <label for="sso-claim">{t("sso.emailClaim")}</label>
        <input id="sso-claim" type="text" name="emailClaim" required value={values.emailClaim} />
        {check("requireVerifiedEmail", values.requireVerifiedEmail, t("sso.requireVerified"))}
        {check(
          "allowPassword",
          values.allowPassword,
          t("sso.allowPassword"),
          t("sso.allowPasswordHelp"),
        )}
        {check("skipTotp", values.skipTotp, t("sso.skipTotp"), t("sso.skipTotpHelp"))}
        <fieldset>
          <legend>{t("sso.unknownPeople")}</legend>
          <label>
            <input
              type="radio"
              name="provisionGroupId"
              value=""
              checked={values.provisionGroupId === null}
            />{" "}
            {t("sso.refuseUnknown")}
          </label>
          {props.groups.map((group) => (
            <label>
              <input
                type="radio"
                name="provisionGroupId"
                value={group.id}
                checked={values.provisionGroupId === group.id}
              />{" "}
              {t("sso.provisionInto", { group: group.name })}
            </label>
          ))}
        </fieldset>
        <button type="submit">{t("sso.save")}</button>
      </form>
      {stored && (
        <form method="post" action="/admin/sso/remove" class="card">
          <CsrfField c={c} />
          <button type="submit" class="secondary">{t("sso.turnOff")}</button>
        </form>
      )}
    </Layout>
  );
}
