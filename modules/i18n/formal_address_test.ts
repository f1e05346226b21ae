// The customer is addressed formally in every language whose translators chose the formal
// form for customers (Dutch has its own test, both ways: dutch_address_test.ts). A customer
// string, a customer-only language's file, or the support app's strings with the informal
// second person fails. (Languages whose software speaks to everyone with the informal form —
// Danish, Norwegian, Swedish, Finnish — or without a T/V distinction are not listed.)
import assert from "node:assert/strict";
import { CUSTOMER_ADDRESSED } from "./customer_address.ts";
import { isCustomerOnly } from "./locale_rules.ts";

/** The informal second person of each language, as whole words. */
const INFORMAL: Record<string, string> = {
  de: "du|dich|dir|dein|deine|deinen|deinem|deiner|deines",
  fr: "tu|toi|ton|tes",
  it: "tu|ti|tuo|tua|tuoi|tue",
  es: "tú|tus|contigo|puedes|tienes|quieres",
  ru: "ты|тебя|тебе|тобой|твой|твоя|твоё|твои|твоего|твоей",
  cs: "ty|tebe|tobě|tvůj|tvoje",
  sk: "ty|teba|tebe|tvoj|tvoja|tvoje",
  bg: "ти|теб|твой|твоя|твоето|твоите",
  el: "εσύ|σου",
  tr: "sen|seni|sana|senin",
  hu: "te|téged|neked|tiéd",
  ro: "tu|tine|ție|tău|ta",
};

function leaves(tree: object, prefix = ""): [string, string][] {
  return Object.entries(tree).flatMap(([key, value]): [string, string][] =>
    typeof value === "string" ? [[prefix + key, value]] : leaves(value, `${prefix}${key}.`)
  );
}

async function read(path: string): Promise<object> {
  return JSON.parse(await Deno.readTextFile(new URL(path, import.meta.url)));
}

Deno.test("every listed language addresses the customer formally, on pages and in the support app", async () => {
  const strays: string[] = [];
  for (const [lang, words] of Object.entries(INFORMAL)) {
    const informal = new RegExp(`(?<![\\p{L}\\d])(${words})(?![\\p{L}\\d])`, "iu");
    const toCustomer = (key: string) =>
      isCustomerOnly(lang) || CUSTOMER_ADDRESSED.some((prefix) => key.startsWith(prefix));
    for (const [key, text] of leaves(await read(`../../locales/${lang}.json`))) {
      if (toCustomer(key) && informal.test(text)) strays.push(`${lang} ${key}: ${text}`);
    }
    for (const [key, text] of leaves(await read(`../../agent/locales/${lang}.json`))) {
      if (informal.test(text)) strays.push(`${lang} (support app) ${key}: ${text}`);
    }
  }
  assert.deepEqual(strays, []);
});

Deno.test("the informal patterns find the informal form (the test can fail)", () => {
  const informal = (lang: string) =>
    new RegExp(`(?<![\\p{L}\\d])(${INFORMAL[lang]})(?![\\p{L}\\d])`, "iu");
  assert.ok(informal("de").test("Kannst du deinen Bildschirm teilen?"));
  assert.ok(!informal("de").test("Können Sie Ihren Bildschirm teilen?"));
  assert.ok(informal("ru").test("Покажи твой экран"));
  assert.ok(!informal("ru").test("Покажите ваш экран"));
  assert.ok(informal("fr").test("Tu peux partager ton écran"));
  assert.ok(!informal("fr").test("Vous pouvez partager votre écran"));
});
