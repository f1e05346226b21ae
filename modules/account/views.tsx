import type { PageContext } from "../http/mod.ts";
import { languageName, STAFF_LANGUAGES, type Translator } from "../i18n/mod.ts";
import { NewPasswordFields, RecoveryCodes, TotpEnrolment } from "../auth/mod.ts";
import { CsrfField, Layout } from "../../views/layout.tsx";
import { Moment } from "../../views/moment.tsx";
import type { AccountData } from "./account_data.ts";
import { deviceName } from "./device_name.ts";
import { CopyButton } from "../../views/copy_button.tsx";

type C = PageContext;
const When = ({ c, at }: { c: C; at: Date | null }) =>
  at ? <Moment lang={c.get("lang")} at={at} style="dateTime" /> : <>—</>;

/** A device's or token's last use, expiry and Revoke button (which swaps its `section`). */
function UseCells(props: {
  c: C;
  item: { id: string; lastUsedAt: Date | null; expiresAt: Date | null };
  section: "devices" | "tokens";
}) {
  const { c, item, section } = props;
  return (
    <>
      <td>
        <When c={c} at={item.lastUsedAt} />
      </td>
      <td>
        <When c={c} at={item.expiresAt} />
      </td>
      <td>
        <button
          type="button"
          class="secondary"
          hx-post={`/account/${section}/${item.id}/revoke`}
          hx-target={`#${section}`}
          hx-swap="outerHTML"
        >
          {c.get("t")("account.revoke")}
        </button>
      </td>
    </>
  );
}

export function AccountPage(props: { c: C; data: AccountData }) {
  const { c, data } = props;
  const t = c.get("t");
  return (
    <Layout c={c} title={t("account.title")}>
      <h1>{t("account.title")}</h1>
      <p class="muted">{data.user.name} · {data.user.email}</p>
      <section class="card">
        <h2>{t("account.language")}</h2>
        <form method="post" action="/account/language" class="row">
          <CsrfField c={c} />
          <select name="language" aria-label={t("account.language")}>
            {STAFF_LANGUAGES.map((lang) => (
              <option value={lang} selected={lang === c.get("lang")}>{languageName(lang)}</option>
            ))}
          </select>
          <button type="submit">{t("common.save")}</button>
        </form>
      </section>
      <section class="card">
        <h2>{t("account.password")}</h2>
        {
          /* Signed in without a password: single sign-on (a person made by it has none). */
        }
        {data.user.passwordHash === null ? <p class="muted">{t("account.noPasswordSso")}</p> : (
          <>
            <div id="password-result"></div>
            <form hx-post="/account/password" hx-target="#password-result">
              <label for="pw-current">{t("account.currentPassword")}</label>
              <input
                id="pw-current"
                type="password"
                name="current"
                autocomplete="current-password"
                required
              />
              <NewPasswordFields
                t={t}
                label={t("account.newPassword")}
                id="pw-next"
                name="next"
                confirmId="pw-confirm"
              />
              <label>
                <input type="checkbox" name="revokeTokens" value="1" />{" "}
                {t("account.alsoRevokeTokens")}
              </label>
              <button type="submit">{t("account.changePassword")}</button>
            </form>
          </>
        )}
      </section>
      <TwoFactorSection
        c={c}
        enabled={data.user.totpEnabledAt !== null}
        unusedCodes={data.unusedCodes}
      />
      <DevicesSection c={c} devices={data.devices} />
      <ApiTokensSection c={c} tokens={data.tokens} />
      <section class="card">
        <h2>{t("account.sessions")}</h2>
        <p>{t("account.signOutEverywhereHelp")}</p>
        <form method="post" action="/account/signout-everywhere">
          <CsrfField c={c} />
          <label>
            <input type="checkbox" name="revokeTokens" value="1" checked />{" "}
            {t("account.alsoRevokeTokens")}
          </label>
          <button type="submit" class="danger">{t("account.signOutEverywhere")}</button>
        </form>
      </section>
    </Layout>
  );
}

/**
 * Sent beside a section's answer: empties the page's flash, where an earlier refusal of the
 * same form (a wrong code or password) would otherwise stand beside its success.
 */
export function FlashCleared() {
  return <div id="flash" hx-swap-oob="innerHTML"></div>;
}

export function TwoFactorSection(props: { c: C; enabled: boolean; unusedCodes: number }) {
  const t = props.c.get("t");
  return (
    <section class="card" id="twofa">
      <h2>{t("account.twofa")}</h2>
      {props.enabled
        ? (
          <div>
            <p>{t("account.twofaOn", { count: props.unusedCodes })}</p>
            <form hx-post="/account/2fa/recovery-codes" hx-target="#twofa" hx-swap="outerHTML">
              <label for="tf-code">{t("account.codeToConfirm")}</label>
              <input id="tf-code" type="text" name="code" inputmode="numeric" required />
              <button type="submit" class="secondary">{t("account.newRecoveryCodes")}</button>
              <button
                type="submit"
                class="danger"
                hx-post="/account/2fa/disable"
                hx-target="#twofa"
                hx-swap="outerHTML"
              >
                {t("account.disable2fa")}
              </button>
            </form>
          </div>
        )
        : (
          <div>
            <p>{t("account.twofaOff")}</p>
            <button
              type="button"
              hx-post="/account/2fa/enrol"
              hx-target="#twofa"
              hx-swap="outerHTML"
            >
              {t("account.enable2fa")}
            </button>
          </div>
        )}
    </section>
  );
}

export function EnrolSection(props: { c: C; secret: string; qrSvg: string }) {
  const t = props.c.get("t");
  return (
    <section class="card" id="twofa">
      <h2>{t("account.twofa")}</h2>
      <div hx-target="#twofa" hx-swap="outerHTML">
        <TotpEnrolment {...props} action="/account/2fa/confirm" htmx />
      </div>
    </section>
  );
}

export function RecoveryCodesSection(props: { c: C; codes: string[] }) {
  return (
    <div id="twofa">
      <RecoveryCodes c={props.c} codes={props.codes} continueTo="/account" />
    </div>
  );
}

/** `oob`: sent beside another section's answer, to replace the list on the page. */
export function DevicesSection(
  props: { c: C; devices: AccountData["devices"]; oob?: boolean },
) {
  const t = props.c.get("t");
  return (
    <section class="card" id="devices" hx-swap-oob={props.oob ? "true" : undefined}>
      <h2>{t("account.devices")}</h2>
      {props.devices.length === 0 ? <p class="muted">{t("account.noDevices")}</p> : (
        <table>
          <thead>
            <tr>
              <th>{t("account.device")}</th>
              <th>{t("account.lastUsed")}</th>
              <th>{t("account.expires")}</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {props.devices.map((d) => (
              <tr>
                <td title={d.label}>{deviceLabel(t, d.label)}</td>
                <UseCells c={props.c} item={d} section="devices" />
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function ApiTokensSection(
  props: { c: C; tokens: AccountData["tokens"]; created?: string },
) {
  const t = props.c.get("t");
  return (
    <section class="card" id="tokens">
      <h2>{t("account.tokens")}</h2>
      {props.created && (
        <div class="flash info" role="status">
          <p>{t("account.tokenCreated")}</p>
          <p class="secret" id="new-token">{props.created}</p>
          <CopyButton t={t} target="new-token" />
        </div>
      )}
      {props.tokens.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>{t("account.tokenName")}</th>
              <th>{t("account.tokenPrefix")}</th>
              <th>{t("account.lastUsed")}</th>
              <th>{t("account.expires")}</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {props.tokens.map((tok) => (
              <tr>
                <td>{tok.name}</td>
                <td>
                  <code>{tok.prefix}…</code>
                </td>
                <UseCells c={props.c} item={tok} section="tokens" />
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form hx-post="/account/tokens" hx-target="#tokens" hx-swap="outerHTML" class="row">
        <div>
          <label for="tok-name">{t("account.tokenName")}</label>
          <input id="tok-name" type="text" name="name" required maxlength={100} />
        </div>
        <div>
          <label for="tok-days">{t("account.tokenDays")}</label>
          <input id="tok-days" type="number" name="days" min={1} max={3650} />
        </div>
        <button type="submit">{t("account.createToken")}</button>
      </form>
    </section>
  );
}

/** "Firefox on Windows" for a remembered device's user-agent string (`deviceName`). */
function deviceLabel(t: Translator, userAgent: string): string {
  const { browser, system } = deviceName(userAgent);
  if (browser && system) return t("account.deviceOn", { browser, system });
  if (system) return t("account.browserOn", { system });
  return browser ?? t("account.unknownBrowser");
}
