import assert from "node:assert/strict";
import { LANGUAGES } from "./i18n.ts";

const LOCALES_DIR = new URL("../../locales/", import.meta.url);
const SOURCE_DIRS = [
  new URL("../../modules/", import.meta.url),
  new URL("../../views/", import.meta.url),
];

/** Dotted key → value for every leaf; a leaf that is not a string is kept as is, to be caught. */
function flatten(tree: Record<string, unknown>, prefix = ""): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(tree)) {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [k, v] of flatten(value as Record<string, unknown>, `${prefix}${key}.`)) {
        out.set(k, v);
      }
    } else {
      out.set(`${prefix}${key}`, value);
    }
  }
  return out;
}

async function loadLocales(): Promise<Map<string, Map<string, unknown>>> {
  const locales = new Map<string, Map<string, unknown>>();
  for await (const entry of Deno.readDir(LOCALES_DIR)) {
    if (!entry.isFile || !entry.name.endsWith(".json")) continue;
    const text = await Deno.readTextFile(new URL(entry.name, LOCALES_DIR));
    locales.set(entry.name.replace(/\.json$/, ""), flatten(JSON.parse(text)));
  }
  return locales;
}

function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\{\{\s*([^}\s,]+)[^}]*\}\}/g)].map((m) => m[1]))].sort();
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

Deno.test("locales/*.json: every locale has exactly the keys of en.json", async () => {
  const locales = await loadLocales();
  const en = locales.get("en")!;
  assert.ok(en.size > 50, `en.json has ${en.size} keys`);
  for (const [lang, keys] of locales) {
    const missing = [...en.keys()].filter((k) => !keys.has(k));
    const extra = [...keys.keys()].filter((k) => !en.has(k));
    assert.deepEqual({ lang, missing, extra }, { lang, missing: [], extra: [] });
  }
});

Deno.test("locales/*.json: every value is a non-empty string", async () => {
  for (const [lang, keys] of await loadLocales()) {
    for (const [key, value] of keys) {
      assert.equal(typeof value, "string", `${lang}: ${key} is not a string`);
      assert.ok((value as string).trim() !== "", `${lang}: ${key} is empty`);
    }
  }
});

Deno.test("locales/*.json: every translation uses the same {{placeholders}} as en.json", async () => {
  const locales = await loadLocales();
  const en = locales.get("en")!;
  const withPlaceholders = [...en.values()].filter((v) => placeholders(String(v)).length > 0);
  assert.ok(withPlaceholders.length > 0, "en.json has strings with placeholders to compare");
  for (const [lang, keys] of locales) {
    for (const [key, value] of keys) {
      if (!en.has(key)) continue; // reported by the key-set test
      assert.deepEqual(
        placeholders(String(value)),
        placeholders(String(en.get(key))),
        `${lang}: ${key}`,
      );
    }
  }
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

Deno.test("agent/locales/*.json: every locale has the keys and {{placeholders}} of en.json", async () => {
  const dir = new URL("../../agent/locales/", import.meta.url);
  const locales = new Map<string, Map<string, unknown>>();
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith(".json")) continue;
    const text = await Deno.readTextFile(new URL(entry.name, dir));
    locales.set(entry.name.replace(/\.json$/, ""), flatten(JSON.parse(text)));
  }
  assert.deepEqual([...locales.keys()].sort(), [...LANGUAGES].sort(), "one per language");
  const en = locales.get("en")!;
  assert.ok(en.size > 20, `agent/locales/en.json has ${en.size} keys`);
  for (const [lang, keys] of locales) {
    assert.deepEqual([...keys.keys()].sort(), [...en.keys()].sort(), `${lang}: keys`);
    for (const [key, value] of keys) {
      assert.ok(typeof value === "string" && value.trim() !== "", `${lang}: ${key} is empty`);
      assert.deepEqual(placeholders(value), placeholders(String(en.get(key))), `${lang}: ${key}`);
    }
  }
});

Deno.test("locales/*.json: a count followed by a noun is a plural pair (no '(1 messages)')", async () => {
  // "{{count}} seconds", "({{total}} messages)", "{{n}} channel(s)": a number a person reads
  // next to a word comes in `_one`/`_other` forms, with the number as {{count}}.
  const counted = /\{\{\s*(\w+)\s*\}\}\s+(?!of\b|van\b|min\.)[a-z]/gi;
  for (const [lang, strings] of await loadLocales()) {
    const offending = [...strings].filter(([key, value]) => {
      const counts = [...String(value).matchAll(counted)]
        .filter((match) => /^(n|count|total|seconds|minutes|days|existing)$/.test(match[1]));
      return counts.length > 0 && !/_(one|other)$/.test(key);
    }).map(([key]) => key);
    assert.deepEqual(offending, [], `${lang}: counts without plural forms`);
    for (const [key, value] of strings) {
      if (!/_(one|other)$/.test(key)) continue;
      assert.ok(String(value).includes("{{count}}"), `${lang}: ${key} shows {{count}}`);
      const twin = key.replace(/_(one|other)$/, (_, form) => form === "one" ? "_other" : "_one");
      assert.equal(typeof strings.get(twin), "string", `${lang}: ${key} has ${twin}`);
    }
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
