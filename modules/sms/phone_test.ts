import assert from "node:assert/strict";
import { Refusal } from "../refusal/mod.ts";
import { InvalidPhoneNumberError, normalisePhoneNumber } from "./phone.ts";

Deno.test("normalisePhoneNumber() strips spaces and dashes and keeps a leading +", () => {
  assert.equal(normalisePhoneNumber("+31 6-1234 5678"), "+31612345678");
  assert.equal(normalisePhoneNumber(" 06 12345678 "), "0612345678");
  assert.equal(normalisePhoneNumber("123456"), "123456");
  assert.equal(normalisePhoneNumber("+123456789012345"), "+123456789012345");
});

Deno.test("normalisePhoneNumber() refuses letters, short or long numbers and a + inside", () => {
  const bad = ["", "+", "12345", "+1234567890123456", "06-CALL-ME", "31+612345678", "+31 (0)6 1"];
  for (const raw of bad) {
    assert.throws(
      () => normalisePhoneNumber(raw),
      (error: unknown) =>
        error instanceof InvalidPhoneNumberError && error instanceof Refusal &&
        error.status === 400 && error.key === "sms.invalidNumber",
      JSON.stringify(raw),
    );
  }
});
