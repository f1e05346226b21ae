import en from "../../locales/en.json" with { type: "json" };
import nl from "../../locales/nl.json" with { type: "json" };
import ar from "../../locales/ar.json" with { type: "json" };
import bg from "../../locales/bg.json" with { type: "json" };
import cs from "../../locales/cs.json" with { type: "json" };
import da from "../../locales/da.json" with { type: "json" };
import de from "../../locales/de.json" with { type: "json" };
import el from "../../locales/el.json" with { type: "json" };
import es from "../../locales/es.json" with { type: "json" };
import fi from "../../locales/fi.json" with { type: "json" };
import fr from "../../locales/fr.json" with { type: "json" };
import he from "../../locales/he.json" with { type: "json" };
import hr from "../../locales/hr.json" with { type: "json" };
import hu from "../../locales/hu.json" with { type: "json" };
import it from "../../locales/it.json" with { type: "json" };
import ja from "../../locales/ja.json" with { type: "json" };
import ko from "../../locales/ko.json" with { type: "json" };
import no from "../../locales/no.json" with { type: "json" };
import pl from "../../locales/pl.json" with { type: "json" };
import pt from "../../locales/pt.json" with { type: "json" };
import pt_br from "../../locales/pt-br.json" with { type: "json" };
import ro from "../../locales/ro.json" with { type: "json" };
import ru from "../../locales/ru.json" with { type: "json" };
import sk from "../../locales/sk.json" with { type: "json" };
import sv from "../../locales/sv.json" with { type: "json" };
import th from "../../locales/th.json" with { type: "json" };
import tr from "../../locales/tr.json" with { type: "json" };
import zh from "../../locales/zh.json" with { type: "json" };
import zh_tw from "../../locales/zh-tw.json" with { type: "json" };
import i18next from "i18next";
import { inCustomerScope, isCustomerOnly } from "./locale_rules.ts";
import { matchLanguage as matchTag } from "../../protocol/language.ts";
export { textDirection } from "../../protocol/language.ts";

/**
 * Every language with a file in `locales/`. A staff language (SPEC L1) translates everything;
 * a customer language (SPEC L2, `CUSTOMER_ONLY_LANGUAGES`) only the customer's side, and is
 * offered on the customer's pages only (`STAFF_LANGUAGES` is what staff may choose).
 */
const RESOURCES = {
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
} as const;

/** Each language's name in itself, as a language menu lists it. */
const NAMES: Record<string, string> = {
  ar: "العربية",
  bg: "Български",
  cs: "Čeština",
  da: "Dansk",
  de: "Deutsch",
  el: "Ελληνικά",
  en: "English",
  es: "Español",
  fi: "Suomi",
  fr: "Français",
  he: "עברית",
  hr: "Hrvatski",
  hu: "Magyar",
  it: "Italiano",
  ja: "日本語",
  ko: "한국어",
  nl: "Nederlands",
  no: "Norsk",
  pl: "Polski",
  pt: "Português (Portugal)",
  "pt-br": "Português (Brasil)",
  ro: "Română",
  ru: "Русский",
  sk: "Slovenčina",
  sv: "Svenska",
  th: "ไทย",
  tr: "Türkçe",
  zh: "简体中文",
  "zh-tw": "繁體中文",
};

export type Language = keyof typeof RESOURCES;
/** In the order a language menu lists them: by each one's name in itself. */
export const LANGUAGES = (Object.keys(RESOURCES) as Language[])
  .sort((a, b) => new Intl.Collator("en").compare(languageName(a), languageName(b)));
export const STAFF_LANGUAGES: readonly Language[] = LANGUAGES.filter((l) => !isCustomerOnly(l));

/** A plural pair `x_one`/`x_other` is looked up as `x` with a `count` (i18next picks one). */
type PluralBase<K extends string> = K extends `${infer B}_one` ? B
  : K extends `${infer B}_other` ? B
  : K;

type Leaves<T, P extends string = ""> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${PluralBase<K>}`
    : Leaves<T[K], `${P}${K}.`>;
}[keyof T & string];

/**
 * Every key of `locales/en.json`, dotted (`signin.title`); a plural pair (`audit.pageOf_one`,
 * `audit.pageOf_other`) by its base (`audit.pageOf`), which wants a `count`.
 */
export type TranslationKey = Leaves<typeof en>;
export type Translator = ((key: TranslationKey, params?: Record<string, unknown>) => string) & {
  lang: Language;
};

const instance = i18next.createInstance();
await instance.init({
  resources: Object.fromEntries(
    Object.entries(RESOURCES).map(([lang, strings]) => [lang, { translation: strings }]),
  ),
  fallbackLng: "en", // a customer language's staff strings, and nothing else
  supportedLngs: [...LANGUAGES],
  lowerCaseLng: true, // "pt-br", "zh-tw" as in locales/
  load: "currentOnly", // pt-br falls back to English, not to Portugal's Portuguese
  interpolation: { escapeValue: false }, // hono/jsx escapes on output
  initAsync: false,
  returnNull: false,
});

const fixed = new Map<Language, ReturnType<typeof instance.getFixedT>>(
  LANGUAGES.map((lang) => [lang, instance.getFixedT(lang)]),
);

export function translator(lang: Language): Translator {
  const fixedT = fixed.get(lang)!;
  const t =
    ((key: TranslationKey, params?: Record<string, unknown>) =>
      (fixedT as (k: string, p: object) => string)(key, params ?? {})) as Translator;
  t.lang = lang;
  return t;
}

/**
 * The text of `key` in `lang` as the locale file has it, placeholders unfilled (a template
 * an admin may edit, e.g. the connection e-mail); English where `lang` has none.
 */
export function rawString(lang: Language, key: TranslationKey): string {
  const found = instance.getResource(lang, "translation", key) ??
    instance.getResource("en", "translation", key);
  if (typeof found !== "string") throw new Error(`${key} is not a string in en.json`);
  return found;
}

const KEYS: ReadonlySet<string> = new Set(_leaves(en));

function _leaves(tree: object, prefix = ""): string[] {
  return Object.entries(tree).flatMap(([name, value]) =>
    typeof value === "string"
      ? [prefix + name.replace(/_(one|other)$/, "")]
      : _leaves(value, `${prefix}${name}.`)
  );
}

/**
 * Whether a key that was built or stored at run time (a log line's, a problem code's) is one
 * of `locales/en.json`: the typed way from a plain string to `TranslationKey`.
 */
export function isTranslationKey(value: string): value is TranslationKey {
  return KEYS.has(value);
}

export function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);
}

/** A language staff may use for the console and Admin Center (SPEC L1). */
export function isStaffLanguage(value: unknown): value is Language {
  return isLanguage(value) && !isCustomerOnly(value);
}

/** Whether `key` is one a customer language translates (the customer's side). */
export function isCustomerKey(key: string): boolean {
  return inCustomerScope(key);
}

export function languageName(lang: Language): string {
  return NAMES[lang] ?? lang;
}

/** The tag for `<html lang>` and `Intl` ("pt-BR", "zh-Hant"). */
export function languageTag(lang: Language): string {
  return ({ "pt-br": "pt-BR", zh: "zh-Hans", "zh-tw": "zh-Hant" } as Record<string, string>)[
    lang
  ] ?? lang;
}

/** A browser's language tag as one of ours (protocol/language.ts), or undefined. */
export function matchLanguage(
  tag: string,
  among: readonly Language[] = LANGUAGES,
): Language | undefined {
  return matchTag(tag, among);
}
