import assert from "node:assert/strict";
import { REMOTE_UI_KEYS } from "../../protocol/mod.ts";

const locales = ["en", "nl"] as const;

Deno.test("every string the remote-view island shows is in each locale, and no stale one is", async () => {
  for (const lang of locales) {
    const url = new URL(`../../locales/${lang}.json`, import.meta.url);
    const ui: Record<string, unknown> = JSON.parse(await Deno.readTextFile(url)).remote.ui;
    for (const key of REMOTE_UI_KEYS) {
      assert.ok(typeof ui[key] === "string" && ui[key] !== "", `${lang}: remote.ui.${key}`);
    }
    const extra = Object.keys(ui).filter((key) =>
      !(REMOTE_UI_KEYS as readonly string[]).includes(key)
    );
    assert.deepEqual(extra, [], `${lang}: remote.ui keys the island never shows`);
  }
});
