import i18next from "i18next";
import en from "../../locales/en.json" with { type: "json" };
import nl from "../../locales/nl.json" with { type: "json" };

export const LANGUAGES = ["en", "nl"] as const;
export type Language = typeof LANGUAGES[number];

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
  resources: { en: { translation: en }, nl: { translation: nl } },
  fallbackLng: "en",
  supportedLngs: [...LANGUAGES],
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

export function languageName(lang: Language): string {
  return ({ en: "English", nl: "Nederlands" } as const)[lang];
}
