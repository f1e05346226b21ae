/**
 * A language tag as the product's locale code, for the server (Accept-Language, the agent's
 * hello) and the support app (its OS's language) alike: `locales/` and `agent/locales/` name
 * files "de", "pt-br", "zh-tw".
 */

/**
 * `tag` ("de-AT", "pt_BR.UTF-8", "zh-Hant-HK", "nb") as one of `among`, or undefined:
 * Norwegian Bokmål and Nynorsk are "no"; Chinese in traditional script (zh-Hant, Taiwan,
 * Hong Kong, Macau) is "zh-tw", other Chinese "zh"; Brazil's Portuguese "pt-br", other
 * Portuguese "pt" when there is one, else "pt-br"; otherwise the tag itself or its language.
 */
export function matchLanguage<L extends string>(tag: string, among: readonly L[]): L | undefined {
  const lower = tag.trim().replace(/[.@].*$/, "").replace(/_/g, "-").toLowerCase();
  const [base] = lower.split("-");
  const has = (l: string) => (among as readonly string[]).includes(l) ? (l as L) : undefined;
  if (base === "zh") return /^zh-(hant|tw|hk|mo)\b/.test(lower) ? has("zh-tw") : has("zh");
  if (base === "nb" || base === "nn" || base === "no") return has("no");
  if (base === "pt") return lower === "pt-br" ? has("pt-br") : has("pt") ?? has("pt-br");
  return has(lower) ?? has(base);
}

/** Arabic and Hebrew are written right to left (`<html dir>`). */
export function textDirection(lang: string): "rtl" | "ltr" {
  return lang === "ar" || lang === "he" ? "rtl" : "ltr";
}
