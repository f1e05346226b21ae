import { Refusal } from "../refusal/mod.ts";

/**
 * A number that cannot be texted. It is a `Refusal` (400, `sms.invalidNumber`), so a
 * route that lets it through shows the person a translated message, and callers can still
 * tell it apart with `instanceof`.
 */
export class InvalidPhoneNumberError extends Refusal {
  constructor() {
    super(400, "sms.invalidNumber");
    this.name = "InvalidPhoneNumberError";
  }
}

const E164ISH = /^\+?\d{6,15}$/;

/**
 * `"+31 6-1234 5678"` → `"+31612345678"`: spaces and dashes go, what remains must be an
 * optional `+` and 6 to 15 digits (E.164 allows 15). Throws `InvalidPhoneNumberError`.
 */
export function normalisePhoneNumber(raw: string): string {
  const number = raw.replace(/[\s-]+/g, "");
  if (!E164ISH.test(number)) throw new InvalidPhoneNumberError();
  return number;
}
