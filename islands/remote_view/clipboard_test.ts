import assert from "node:assert/strict";
import { CLIPBOARD_MAX_CHARS } from "../../protocol/limits.ts";
import { clipboardProblem } from "./clipboard.tsx";

Deno.test("clipboardProblem() refuses empty text and text over the protocol's limit", () => {
  assert.equal(clipboardProblem(""), "clipboardEmpty");
  assert.equal(clipboardProblem("x".repeat(CLIPBOARD_MAX_CHARS + 1)), "clipboardTooLong");
  assert.equal(clipboardProblem("x".repeat(CLIPBOARD_MAX_CHARS)), null);
  assert.equal(clipboardProblem("€"), null);
});
