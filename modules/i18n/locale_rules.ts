/**
 * What makes a translation complete, for the locales tests and `tools/locale_check.ts`: the
 * keys of English with the plural forms of the translation's own language, the same
 * `{{placeholders}}` and `<tags>`, no empty value. A staff language (SPEC L1) has every key;
 * a customer language (SPEC L2) has the keys of the customer's side, and English fills the
 * rest (which a customer never sees).
 */

/** SPEC L2: languages of the customer's side only (its pages, the support app). */
export const CUSTOMER_ONLY_LANGUAGES = [
  "ar",
  "bg",
  "cs",
  "da",
  "el",
  "fi",
  "he",
  "hr",
  "hu",
  "no",
  "pl",
  "pt",
  "ro",
  "ru",
  "sk",
  "sv",
  "tr",
] as const;

/**
 * What a customer's pages say, as sections of `locales/en.json` and keys (or key prefixes
 * ending in "."): the PIN page, the session page with its chat, files, consent, screen
 * sharing and device questions, getting the support app, unattended access's approval,
 * the channel forms, the survey, Lens on the phone, and the refusals those pages can show.
 * A customer language translates exactly these. A customer's page that asks for another
 * key shows it in English and logs `i18n.english` (modules/http's request context).
 */
export const CUSTOMER_SCOPE: readonly string[] = [
  "app.",
  "common.",
  "nav.",
  "errors.",
  "limits.",
  "chat.",
  "files.",
  "customer.",
  "customerRemote.",
  "customerShare.",
  "customerFiles.",
  "customerDevice.",
  "customerPresent.",
  "lensPhone.",
  "unattendedRequest.",
  "agentDownload.",
  "channels.public.",
  "channels.problem.summary",
  "channels.problem.summaryBrief",
  "channels.problem.customerNameRequired",
  "channels.problem.contactRequired",
  "channels.problem.valueRequired",
  "channels.problem.valueTooLong",
  "surveys.answer.",
  "surveys.alreadyAnswered",
  "surveys.notOffered",
  "sessions.ended",
  // The invitation by e-mail or SMS, in the language the technician chose for the customer.
  "groupSettings.defaultEmailSubject",
  "groupSettings.defaultEmailTemplate",
  "sms.invitation",
  "deviceInfo.badReport",
  "deviceInfo.notAsked",
  "deviceInfo.notSharing",
  "lens.badOffer",
  "lens.badRequest",
  "lens.noSuchPeer",
  "lens.notRunning",
  "callingCards.notFound",
  "callingCards.notActive",
  "callingCards.notDeployed",
  // The support app's fetch of a calling card is under /s/ too.
  "callingCards.noPackage",
  "present.badOffer",
  // The session log's lines a customer is shown (modules/support/customer_log_view.ts).
  "log.endedByTechnician",
  "log.customerLeft",
  "log.chatOn",
  "log.chatOff",
  "log.transferred",
  "log.deadline_",
  "log.surveyOffered",
  "log.unattendedRequested",
  "log.unattendedApproved",
  "log.unattendedDeclined",
  "log.device.asked",
  "log.present.moved",
];

const PLURAL = /_(zero|one|two|few|many|other)$/;

export function pluralCategories(lang: string): string[] {
  return new Intl.PluralRules(lang).resolvedOptions().pluralCategories as string[];
}

/** Dotted key → value for every leaf; a leaf that is not a string is kept, to be reported. */
export function flatten(tree: unknown, prefix = ""): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (tree === null || typeof tree !== "object" || Array.isArray(tree)) return out;
  for (const [key, value] of Object.entries(tree)) {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [k, v] of flatten(value, `${prefix}${key}.`)) out.set(k, v);
    } else {
      out.set(`${prefix}${key}`, value);
    }
  }
  return out;
}

export function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\{\{\s*([^}\s,]+)[^}]*\}\}/g)].map((m) => m[1]))].sort();
}

function tags(text: string): string[] {
  return [...text.matchAll(/<\/?[a-z][^>]*>/g)].map((m) => m[0]).sort();
}

/**
 * The keys `lang` must have, each with the English string it translates: English's keys in
 * scope, a plural pair's base once per plural category of `lang` (each against English's
 * `_other`, or `_one` for the category "one").
 */
export function expectedKeys(
  lang: string,
  en: Map<string, unknown>,
  inScope: (key: string) => boolean,
): Map<string, string> {
  const categories = pluralCategories(lang);
  const out = new Map<string, string>();
  for (const [key, value] of en) {
    if (!inScope(key)) continue;
    const plural = PLURAL.exec(key);
    if (!plural) {
      out.set(key, String(value));
      continue;
    }
    if (plural[1] !== "other") continue; // the pair is handled once, from its _other
    const base = key.slice(0, -"_other".length);
    for (const category of categories) {
      const source = category === "one" && en.has(`${base}_one`) ? `${base}_one` : key;
      out.set(`${base}_${category}`, String(en.get(source)));
    }
  }
  return out;
}

/** Whether a key (plural forms by their base, `limits.tooFast`) is on the customer's side. */
export function inCustomerScope(key: string): boolean {
  const base = key.replace(PLURAL, "");
  return CUSTOMER_SCOPE.some((entry) =>
    entry.endsWith(".") || entry.endsWith("_") ? base.startsWith(entry) : base === entry
  );
}

export function isCustomerOnly(lang: string): boolean {
  return (CUSTOMER_ONLY_LANGUAGES as readonly string[]).includes(lang);
}

/**
 * Everything wrong with `theirs` as the `lang` translation of `en` (both parsed JSON), one
 * line each; empty when it is complete. `scope` "all" asks for every key whatever the
 * language (the support app's strings); by default a customer language needs the customer's
 * sections only and may not carry others.
 */
export function localeProblems(
  lang: string,
  en: unknown,
  theirs: unknown,
  options: { scope?: "all" } = {},
): string[] {
  const english = flatten(en);
  const translated = flatten(theirs);
  const inScope = options.scope === "all" || !isCustomerOnly(lang) ? () => true : inCustomerScope;
  const expected = expectedKeys(lang, english, inScope);
  const problems: string[] = [];
  for (const [key, source] of expected) {
    const value = translated.get(key);
    if (value === undefined) {
      problems.push(`missing ${key}`);
      continue;
    }
    if (typeof value !== "string" || value.trim() === "") {
      problems.push(`empty or not a string: ${key}`);
      continue;
    }
    const [want, got] = [placeholders(source), placeholders(value)];
    if (want.join() !== got.join()) {
      const list = (names: string[]) => names.length ? `{{${names.join("}}, {{")}}}` : "none";
      problems.push(`placeholders of ${key}: English has ${list(want)}, this has ${list(got)}`);
    }
    if (tags(source).join() !== tags(value).join()) {
      problems.push(`tags of ${key}: English has ${tags(source).join(" ")}`);
    }
  }
  for (const key of translated.keys()) {
    if (!expected.has(key)) problems.push(`extra ${key} (not in English, or not in scope)`);
  }
  return problems;
}
