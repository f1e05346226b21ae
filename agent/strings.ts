/**
 * The agent's own strings (agent/locales/*.json), in the OS language (identity.ts), English
 * when there is no file for it (a tag is matched as the server matches a browser's,
 * protocol/language.ts). The agent ships them inside itself: its window and terminal
 * show nothing the server wrote.
 */
import en from "./locales/en.json" with { type: "json" };
import nl from "./locales/nl.json" with { type: "json" };
import ar from "./locales/ar.json" with { type: "json" };
import bg from "./locales/bg.json" with { type: "json" };
import cs from "./locales/cs.json" with { type: "json" };
import da from "./locales/da.json" with { type: "json" };
import de from "./locales/de.json" with { type: "json" };
import el from "./locales/el.json" with { type: "json" };
import es from "./locales/es.json" with { type: "json" };
import fi from "./locales/fi.json" with { type: "json" };
import fr from "./locales/fr.json" with { type: "json" };
import he from "./locales/he.json" with { type: "json" };
import hr from "./locales/hr.json" with { type: "json" };
import hu from "./locales/hu.json" with { type: "json" };
import it from "./locales/it.json" with { type: "json" };
import ja from "./locales/ja.json" with { type: "json" };
import ko from "./locales/ko.json" with { type: "json" };
import no from "./locales/no.json" with { type: "json" };
import pl from "./locales/pl.json" with { type: "json" };
import pt from "./locales/pt.json" with { type: "json" };
import pt_br from "./locales/pt-br.json" with { type: "json" };
import ro from "./locales/ro.json" with { type: "json" };
import ru from "./locales/ru.json" with { type: "json" };
import sk from "./locales/sk.json" with { type: "json" };
import sv from "./locales/sv.json" with { type: "json" };
import th from "./locales/th.json" with { type: "json" };
import tr from "./locales/tr.json" with { type: "json" };
import zh from "./locales/zh.json" with { type: "json" };
import zh_tw from "./locales/zh-tw.json" with { type: "json" };
import { matchLanguage } from "../protocol/language.ts";

export type AgentStrings = typeof en;

/** One per file in agent/locales/ (modules/i18n/locales_test.ts checks they match). */
export const LOCALES: Record<string, AgentStrings> = {
  en,
  nl,
  ar,
  bg,
  cs,
  da,
  de,
  el,
  es,
  fi,
  fr,
  he,
  hr,
  hu,
  it,
  ja,
  ko,
  no,
  pl,
  pt,
  "pt-br": pt_br,
  ro,
  ru,
  sk,
  sv,
  th,
  tr,
  zh,
  "zh-tw": zh_tw,
};

const CODES = Object.keys(LOCALES);

/** The strings for an OS language tag ("de-at", "pt-br", "nb"), English when there is none. */
export function agentStrings(language: string): AgentStrings {
  return LOCALES[stringsLanguage(language)];
}

/** The language the strings are in ("en" when the OS language has no file). */
export function stringsLanguage(language: string): string {
  return matchLanguage(language, CODES) ?? "en";
}

/** Fills `{{name}}` placeholders. */
export function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name) => values[name] ?? whole);
}
