/**
 * Why the server did not give the support app a session for its PIN (`POST /agent/join`), in
 * the customer's words (agent/locales' `errors`): the terminal prints it, and the customer
 * reads it in their own language like everything else the app says.
 */
import { type AgentStrings, fill } from "./strings.ts";

export function joinRefusal(
  status: number,
  body: { error?: unknown; retryAfterSeconds?: unknown },
  strings: AgentStrings,
): string {
  const errors = strings.errors;
  if (status === 429) {
    const seconds = Number(body.retryAfterSeconds);
    return fill(errors.pinTooMany, {
      seconds: String(Number.isInteger(seconds) && seconds > 0 ? seconds : 60),
    });
  }
  if (body.error === "wrong") return errors.pinWrong;
  if (body.error === "malformed") return errors.pinMalformed;
  return fill(errors.joinRefused, { status: String(status) });
}
