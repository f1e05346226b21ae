/**
 * Outgoing e-mail (invitations, SPEC C3 session links), never silently dropped. Every
 * message is first written to the persistent outbox — inside the caller's transaction —
 * and only then delivered over SMTP_URL with nodemailer, retried with back-off by a
 * background worker, and shown to admins at /admin/outbox to inspect and resend.
 */

/**
 * A message to send: `kind` names its purpose ("invitation", …) for the outbox list;
 * `orgId` decides which organisation's admins see it (null: system mail). `html`, when
 * given, goes out as the alternative part next to `text`.
 */
export type { OutgoingMail } from "./outbox.ts";

/**
 * `enqueueMail(db, mail, { now, smtpConfigured })` writes the message to the outbox —
 * pass the transaction so it commits (or vanishes) with the change that caused it. The
 * row is `pending` (due now) when SMTP is configured, `held` when not. Returns its id;
 * call `deliverMail(deps, [id])` after the commit to send it at once.
 */
export { enqueueMail } from "./outbox.ts";

/**
 * `deliverMail(deps, ids?)` sends the given rows (or every due pending row) over
 * `config.smtpUrl`. Success marks the row `sent`; a failure counts an attempt, keeps the
 * error and schedules a retry 1, 2, 4, … minutes later (at most an hour); the 8th failure
 * marks it `failed`. Delivery errors never throw; without SMTP it does nothing.
 */
export { deliverMail } from "./delivery.ts";

/**
 * `startMailWorker(deps)` retries due pending mail every 30 seconds until the returned
 * stop function is called. `main.ts` starts it next to the HTTP server.
 */
export { startMailWorker } from "./delivery.ts";

/**
 * The admin outbox (master admins: all mail; admins: mail about the groups they manage;
 * links and codes hidden):
 * `GET /` the paged, filterable list, `GET /:id` one message, `POST /:id/resend` and
 * `POST /resend-held` (409 while SMTP is not configured). Mounted at `/admin/outbox`.
 */
export { mailAdminRoutes } from "./routes.tsx";

/** The `mail_outbox` table: one row per message, with its delivery state. */
export { mailOutbox } from "./schema.ts";
