import assert from "node:assert/strict";
import { redactSecrets } from "./redact.ts";

Deno.test("redactSecrets() hides link tokens and six-digit codes and keeps the rest", () => {
  const token = "Zx9_aB-3kLmNoPqRsTuVwXyZ0123456789abcdefgh";
  const body = `Choose your password here:\n\nhttps://rescue.example/invite/${token}\n` +
    `Or: https://rescue.example/s/${token}?x=1 (or enter the code 042917).\n` +
    `Setup: https://rescue.example/setup?token=${token}`;
  const shown = redactSecrets(body);
  assert.ok(!shown.includes(token));
  assert.ok(!shown.includes("042917"));
  assert.match(shown, /https:\/\/rescue\.example\/invite\/•••\n/);
  assert.match(shown, /https:\/\/rescue\.example\/s\/•••\?x=1 \(or enter the code ••••••\)/);
  assert.match(shown, /setup\?token=•••$/);
  assert.equal(redactSecrets("Call +31 612345678 at 10:00."), "Call +31 612345678 at 10:00.");
});
