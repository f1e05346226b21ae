import assert from "node:assert/strict";
import { joinRefusal } from "./join_refusal.ts";
import { agentStrings } from "./strings.ts";

const ru = agentStrings("ru");
const en = agentStrings("en");

Deno.test("joinRefusal() words each refusal of a PIN in the customer's language", () => {
  assert.equal(joinRefusal(422, { error: "wrong" }, ru), ru.errors.pinWrong);
  assert.equal(joinRefusal(422, { error: "malformed" }, ru), "PIN-код состоит из 6 цифр.");
  assert.equal(
    joinRefusal(429, { retryAfterSeconds: 42 }, ru),
    "Слишком много попыток. Подождите 42 с и повторите попытку.",
  );
  assert.equal(joinRefusal(500, {}, ru), "Сервер поддержки отклонил запрос (500).");
  for (const text of [ru.errors.pinWrong, ru.errors.pinTooMany]) {
    assert.doesNotMatch(text.replace(/\{\{\w+\}\}/g, ""), /[a-z]{3}/, `English in ${text}`);
  }
});

Deno.test("joinRefusal() waits a minute when the server names no usable wait", () => {
  assert.equal(
    joinRefusal(429, { retryAfterSeconds: "soon" }, en),
    "Too many tries. Wait 60 s and try again.",
  );
  assert.equal(
    joinRefusal(429, { retryAfterSeconds: -5 }, en),
    en.errors.pinTooMany.replace("{{seconds}}", "60"),
  );
});
