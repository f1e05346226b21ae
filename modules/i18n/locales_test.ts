import assert from "node:assert/strict";
import { LANGUAGES } from "./i18n.ts";
import { flatten, localeProblems, placeholders } from "./locale_rules.ts";

const LOCALES_DIR = new URL("../../locales/", import.meta.url);
const SOURCE_DIRS = [
  new URL("../../modules/", import.meta.url),
  new URL("../../views/", import.meta.url),
];

async function loadLocales(): Promise<Map<string, Map<string, unknown>>> {
  const locales = new Map<string, Map<string, unknown>>();
  for await (const entry of Deno.readDir(LOCALES_DIR)) {
    if (!entry.isFile || !entry.name.endsWith(".json")) continue;
    const text = await Deno.readTextFile(new URL(entry.name, LOCALES_DIR));
    locales.set(entry.name.replace(/\.json$/, ""), flatten(JSON.parse(text)));
  }
  return locales;
}

async function* sourceFiles(dir: URL): AsyncGenerator<URL> {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory) yield* sourceFiles(new URL(`${entry.name}/`, dir));
    else if (/\.tsx?$/.test(entry.name) && !/_test\.tsx?$/.test(entry.name)) {
      yield new URL(entry.name, dir);
    }
  }
}

/** Every literal key passed to `t("…")`, `c.get("t")("…")`, `new Refusal(status, "…")`, `sessionRefusal("…")`. */
async function keysUsedInSource(): Promise<Map<string, string>> {
  const patterns = [
    /\bt\(\s*["']([^"']+)["']/g,
    /\.get\(\s*["']t["']\s*\)\(\s*["']([^"']+)["']/g,
    /\bRefusal\(\s*\d+\s*,\s*["']([^"']+)["']/g,
    /\bsessionRefusal\(\s*["']([^"']+)["']/g,
  ];
  const used = new Map<string, string>();
  for (const dir of SOURCE_DIRS) {
    for await (const file of sourceFiles(dir)) {
      const text = await Deno.readTextFile(file);
      for (const pattern of patterns) {
        for (const match of text.matchAll(pattern)) {
          used.set(match[1], file.pathname.replace(/^.*\/(modules|views)\//, "$1/"));
        }
      }
    }
  }
  return used;
}

Deno.test("locales/*.json includes en.json and one file per supported language", async () => {
  const locales = await loadLocales();
  assert.deepEqual([...locales.keys()].sort(), [...LANGUAGES].sort());
});

Deno.test("locales/*.json: every locale is complete: English's keys (a customer language's: the customer's side), its own plural forms, the same {{placeholders}} and <tags>, no empty value", async () => {
  const en = JSON.parse(await Deno.readTextFile(new URL("en.json", LOCALES_DIR)));
  assert.ok(flatten(en).size > 50, "en.json has keys");
  const withPlaceholders = [...flatten(en).values()].filter((v) => placeholders(String(v)).length);
  assert.ok(withPlaceholders.length > 0, "en.json has strings with placeholders to compare");
  for (const lang of LANGUAGES) {
    const theirs = JSON.parse(await Deno.readTextFile(new URL(`${lang}.json`, LOCALES_DIR)));
    assert.deepEqual({ lang, problems: localeProblems(lang, en, theirs) }, { lang, problems: [] });
  }
});

Deno.test("localeProblems() reports a missing key, a wrong placeholder, a missing plural form and an extra key", () => {
  const en = { a: { b: "Hello {{name}}", n_one: "{{count}} file", n_other: "{{count}} files" } };
  assert.deepEqual(localeProblems("ru", en, en, { scope: "all" }), [
    "missing a.n_few",
    "missing a.n_many",
  ]);
  assert.deepEqual(
    localeProblems("ja", en, { a: { b: "こんにちは {{nom}}", n_other: "{{count}} 件", x: "?" } }),
    [
      "placeholders of a.b: English has {{name}}, this has {{nom}}",
      "extra a.x (not in English, or not in scope)",
    ],
  );
  assert.deepEqual(localeProblems("de", en, { a: { b: "Hallo {{name}}", n_one: "eine Datei" } }), [
    "placeholders of a.n_one: English has {{count}}, this has none",
    "missing a.n_other",
  ]);
});

Deno.test("en.json has every key used literally with t(), Refusal() or sessionRefusal() in modules/ and views/", async () => {
  const en = (await loadLocales()).get("en")!;
  const used = await keysUsedInSource();
  assert.ok(used.size > 30, `found only ${used.size} keys in the source; is the scan broken?`);
  const known = (key: string) =>
    typeof en.get(key) === "string" ||
    (typeof en.get(`${key}_one`) === "string" && typeof en.get(`${key}_other`) === "string");
  const missing = [...used].filter(([key]) => !known(key))
    .map(([key, file]) => `${key} (${file})`);
  assert.deepEqual(missing, []);
});

Deno.test("agent/locales/*.json: one per language, each with every key, its plural forms and {{placeholders}}", async () => {
  const dir = new URL("../../agent/locales/", import.meta.url);
  const names = [...Deno.readDirSync(dir)].map((e) => e.name.replace(/\.json$/, "")).sort();
  assert.deepEqual(names, [...LANGUAGES].sort(), "one per language");
  const en = JSON.parse(await Deno.readTextFile(new URL("en.json", dir)));
  assert.ok(flatten(en).size > 20, "agent/locales/en.json has keys");
  for (const lang of LANGUAGES) {
    const theirs = JSON.parse(await Deno.readTextFile(new URL(`${lang}.json`, dir)));
    const problems = localeProblems(lang, en, theirs, { scope: "all" });
    assert.deepEqual({ lang, problems }, { lang, problems: [] });
  }
});

Deno.test("locales/*.json: a count followed by a noun is a plural pair (no '(1 messages)')", async () => {
  // "{{count}} seconds", "({{total}} messages)", "{{n}} channel(s)": a number a person reads
  // next to a word comes in `_one`/`_other` forms, with the number as {{count}}.
  const counted = /\{\{\s*(\w+)\s*\}\}\s+(?!of\b|van\b|min\.)[a-z]/gi;
  // Read in English and Dutch, whose words the pattern knows; every other language takes its
  // plural forms from English's pairs (localeProblems).
  for (const [lang, strings] of await loadLocales()) {
    if (lang !== "en" && lang !== "nl") continue;
    const offending = [...strings].filter(([key, value]) => {
      const counts = [...String(value).matchAll(counted)]
        .filter((match) => /^(n|count|total|seconds|minutes|days|existing)$/.test(match[1]));
      return counts.length > 0 && !/_(zero|one|two|few|many|other)$/.test(key);
    }).map(([key]) => key);
    assert.deepEqual(offending, [], `${lang}: counts without plural forms`);
  }
});

Deno.test("translator() picks the singular or plural form by count, in English and Dutch", async () => {
  const { translator } = await import("./i18n.ts");
  const [en, nl] = [translator("en"), translator("nl")];
  assert.equal(en("mail.pageOf", { page: 1, pages: 1, count: 1 }), "Page 1 of 1 (1 message)");
  assert.equal(en("mail.pageOf", { page: 1, pages: 1, count: 2 }), "Page 1 of 1 (2 messages)");
  assert.equal(nl("mail.pageOf", { page: 1, pages: 1, count: 1 }), "Pagina 1 van 1 (1 bericht)");
  assert.equal(
    nl("limits.tooFast", { count: 5 }),
    "Te veel verzoeken. Wacht 5 seconden en probeer het opnieuw.",
  );
});

Deno.test("translator() speaks each language with its own plural forms, never English by accident", async () => {
  const { translator, LANGUAGES, isStaffLanguage } = await import("./i18n.ts");
  const english = translator("en")("mail.pageOf", { page: 1, pages: 2, count: 2 });
  for (const lang of LANGUAGES.filter((l) => l !== "en" && isStaffLanguage(l))) {
    const t = translator(lang);
    for (const count of [1, 2, 5, 21, 1_000_000]) {
      const text = t("mail.pageOf", { page: 1, pages: 2, count });
      assert.ok(text.includes(String(count)), `${lang}: ${text}`);
      assert.notEqual(text.replace(String(count), "2"), english, `${lang} fell back to English`);
    }
  }
});
