/**
 * Translations. Strings shown to people live in `locales/<lang>.json` and are looked up
 * through a typed `t(key, params)`: `TranslationKey` is derived from `locales/en.json`, so
 * a misspelt key fails `deno check`. Which language a request gets is decided in
 * modules/http (`requestContext`, `setLanguage`): the user's setting, else the language
 * cookie, else Accept-Language, else English. `isTranslationKey` narrows a key built or
 * stored at run time. `formatMoment` shows a time or day in the language's conventions.
 */
export { formatMoment, type MomentStyle } from "./format.ts";
export {
  isCustomerKey,
  isLanguage,
  isStaffLanguage,
  isTranslationKey,
  type Language,
  languageName,
  LANGUAGES,
  languageTag,
  matchLanguage,
  rawString,
  STAFF_LANGUAGES,
  textDirection,
  type TranslationKey,
  type Translator,
  translator,
} from "./i18n.ts";
