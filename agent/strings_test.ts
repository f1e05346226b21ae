import assert from "node:assert/strict";
import { agentStrings, LOCALES, stringsLanguage } from "./strings.ts";

Deno.test("strings.ts carries every file in agent/locales/", () => {
  const files = [...Deno.readDirSync(new URL("./locales/", import.meta.url))]
    .map((e) => e.name.replace(/\.json$/, "")).sort();
  assert.deepEqual(Object.keys(LOCALES).sort(), files);
});

Deno.test("the support app speaks the OS language, matched by region, else English", () => {
  assert.equal(stringsLanguage("de-at"), "de");
  assert.equal(stringsLanguage("pt-br"), "pt-br");
  assert.equal(stringsLanguage("zh-cn"), "zh");
  assert.equal(stringsLanguage("xx"), "en");
  assert.equal(agentStrings("xx"), LOCALES.en);
  assert.notEqual(agentStrings("de-de"), LOCALES.en);
  assert.equal(agentStrings("de-de"), LOCALES.de);
});
