import type { Translator } from "../modules/i18n/mod.ts";

/**
 * Copy: puts the text of the element `target` names on the clipboard (static/app.js), then says
 * "Copied to the clipboard." beside itself for a few seconds.
 */
export function CopyButton(props: { t: Translator; target: string; small?: boolean }) {
  const { t } = props;
  return (
    <button
      type="button"
      class={props.small ? "secondary small" : "secondary"}
      data-copied={t("console.copied")}
      data-copy={props.target}
    >
      {t("common.copy")}
    </button>
  );
}
