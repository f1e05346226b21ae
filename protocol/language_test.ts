import assert from "node:assert/strict";
import { matchLanguage } from "./language.ts";

const OURS = ["en", "nl", "de", "pt", "pt-br", "zh", "zh-tw", "no"] as const;

Deno.test("matchLanguage() finds our locale for browser and OS tags", () => {
  const cases: [string, string | undefined][] = [
    ["de", "de"],
    ["de-AT", "de"],
    ["DE_de.UTF-8", "de"],
    ["nl_BE@euro", "nl"],
    ["pt-BR", "pt-br"],
    ["pt_BR.UTF-8", "pt-br"],
    ["pt-PT", "pt"],
    ["pt", "pt"],
    ["zh-CN", "zh"],
    ["zh-Hans-SG", "zh"],
    ["zh-TW", "zh-tw"],
    ["zh_HK.UTF-8", "zh-tw"],
    ["zh-Hant", "zh-tw"],
    ["nb-NO", "no"],
    ["nn", "no"],
    ["fr-CA", undefined],
    ["", undefined],
  ];
  for (const [tag, want] of cases) assert.equal(matchLanguage(tag, OURS), want, tag);
});

Deno.test("matchLanguage(): Portuguese outside Brazil falls to pt-br when pt is not offered", () => {
  assert.equal(matchLanguage("pt-PT", ["en", "pt-br"]), "pt-br");
  assert.equal(matchLanguage("zh-TW", ["en", "zh"]), undefined);
});
