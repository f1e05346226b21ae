import assert from "node:assert/strict";
import { osLanguage } from "./identity.ts";
import { stringsLanguage } from "./strings.ts";

const VARS = ["LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"];

function withEnv(values: Record<string, string>, fn: () => void) {
  const saved = new Map(VARS.map((name) => [name, Deno.env.get(name)]));
  try {
    for (const name of VARS) Deno.env.delete(name);
    for (const [name, value] of Object.entries(values)) Deno.env.set(name, value);
    fn();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) Deno.env.delete(name);
      else Deno.env.set(name, value);
    }
  }
}

Deno.test("osLanguage() reads the locale variables with their region; the app's strings follow", () => {
  const cases: [Record<string, string>, string, string][] = [
    [{ LANG: "de_DE.UTF-8" }, "de-de", "de"],
    [{ LANG: "pt_BR.UTF-8" }, "pt-br", "pt-br"],
    [{ LANG: "pt_PT.UTF-8" }, "pt-pt", "pt"],
    [{ LANG: "zh_TW.UTF-8" }, "zh-tw", "zh-tw"],
    [{ LANG: "zh_CN.UTF-8" }, "zh-cn", "zh"],
    [{ LANG: "nb_NO.UTF-8" }, "nb-no", "no"],
    [{ LANG: "ar_EG.UTF-8" }, "ar-eg", "ar"],
    [{ LANG: "en_US.UTF-8", LC_MESSAGES: "fr_FR.UTF-8" }, "fr-fr", "fr"],
    [{ LANG: "en_US.UTF-8", LANGUAGE: "sv:en" }, "sv", "sv"],
    [{ LANG: "sr_RS.UTF-8" }, "sr-rs", "en"],
  ];
  for (const [env, tag, strings] of cases) {
    withEnv(env, () => {
      assert.equal(osLanguage(), tag, JSON.stringify(env));
      assert.equal(stringsLanguage(osLanguage()), strings, JSON.stringify(env));
    });
  }
});
