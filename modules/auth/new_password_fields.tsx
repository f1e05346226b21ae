import type { Translator } from "../i18n/mod.ts";
import { PASSWORD_MIN } from "./password.ts";

/**
 * A new password as every page asks for it (first start, invitation, reset, My account): the
 * field with the browser's own length check and the rule line it points to
 * (`<id>-rules`, said up front, so a short password is caught before it is sent), and — with
 * `confirmId` — the same password again (named `confirm`).
 */
export function NewPasswordFields(
  props: { t: Translator; label: string; id: string; name: string; confirmId?: string },
) {
  const { t, id } = props;
  return (
    <>
      <label for={id}>{props.label}</label>
      <input
        id={id}
        type="password"
        name={props.name}
        autocomplete="new-password"
        required
        minlength={PASSWORD_MIN}
        aria-describedby={`${id}-rules`}
      />
      <p class="muted" id={`${id}-rules`}>{t("reset.rules", { count: PASSWORD_MIN })}</p>
      {props.confirmId && (
        <>
          <label for={props.confirmId}>{t("account.confirmPassword")}</label>
          <input
            id={props.confirmId}
            type="password"
            name="confirm"
            autocomplete="new-password"
            required
          />
        </>
      )}
    </>
  );
}
