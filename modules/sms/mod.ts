/**
 * Text messages (SPEC C4: the session PIN or link by SMS), never silently dropped. Every
 * message is first written to the persistent SMS outbox — inside the caller's transaction —
 * and only then handed to the configured gateway (SMS_GATEWAY_URL, a generic HTTP
 * provider), retried with back-off by a background worker, and shown to admins at
 * /admin/sms to copy and resend. Without a gateway the outbox is the default: messages
 * are `held` there until an admin sends them.
 */

/**
 * `enqueueSms(db, { orgId, to, body, now, gatewayConfigured })` normalises and checks the
 * number (throwing `InvalidPhoneNumberError` before anything is written) and writes the
 * message — pass the transaction so it commits (or vanishes) with the change that caused
 * it. The row is `pending` (due now) when a gateway is configured, `held` when not.
 * Returns its id; call `deliverSms(deps, [id])` after the commit to send it at once.
 */
export { enqueueSms, type OutgoingSms } from "./outbox.ts";

/**
 * `deliverSms(deps, ids?)` sends the given rows (or every due pending row) through
 * `deps.smsGateway`, else the gateway SMS_GATEWAY_* configures. Success marks the row
 * `sent`; a failure counts an attempt, keeps the error and schedules a retry 1, 2, 4, …
 * minutes later (at most an hour); the 8th failure marks it `failed`. Delivery errors never
 * throw; without a gateway it does nothing. `SmsDeps` is `AppDeps` plus that optional
 * gateway.
 */
export { deliverSms, type SmsDeps } from "./delivery.ts";

/**
 * `startSmsWorker(deps)` retries due pending messages every 30 seconds until the returned
 * stop function is called. `main.ts` starts it next to the mail worker.
 */
export { startSmsWorker } from "./delivery.ts";

/**
 * The admin SMS outbox (master admins: every message; admins: those about the groups they
 * manage; links and PINs hidden): `GET /` the paged list with a status filter, `POST /:id/resend` and
 * `POST /resend-held` (409 while no gateway is configured), each resend audited as
 * `sms.resent`. Mounted at `/admin/sms`.
 */
export { smsAdminRoutes } from "./routes.tsx";

/**
 * `SmsGateway` is anything with `send({ to, body })` that resolves once a provider accepted
 * the message and throws when it did not. `httpSmsGateway({ url, auth?, template?,
 * timeoutMs? })` is the generic HTTP provider: a POST of `{"to","body"}` JSON (or the
 * template, JSON or form, with `{{to}}`/`{{body}}` filled in), `auth` as the Authorization
 * header, any non-2xx an error naming the status.
 */
export { httpSmsGateway, type HttpSmsGatewayOptions, type SmsGateway } from "./gateway.ts";

/**
 * `normalisePhoneNumber(raw)` strips spaces and dashes and accepts an optional `+` and 6–15
 * digits, else throws `InvalidPhoneNumberError` — a `Refusal` 400 with the message key
 * `sms.invalidNumber`, so a form can show it as it is.
 */
export { InvalidPhoneNumberError, normalisePhoneNumber } from "./phone.ts";

/** The `sms_outbox` table: one row per text message, with its delivery state. */
export { smsOutbox } from "./schema.ts";
