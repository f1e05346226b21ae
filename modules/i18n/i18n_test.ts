import assert from "node:assert/strict";
import { isTranslationKey } from "./i18n.ts";

Deno.test("isTranslationKey() accepts a leaf of en.json, not a branch or an unknown key", () => {
  assert.equal(isTranslationKey("errors.notFound"), true);
  assert.equal(isTranslationKey("status.waiting"), true);
  assert.equal(isTranslationKey("errors"), false);
  assert.equal(isTranslationKey("status.no_such_status"), false);
  assert.equal(isTranslationKey(""), false);
});
