/**
 * What every outbox shares (mail, SMS): a message is written to its table first and only
 * then delivered, with back-off retries, a background worker, and an admin list to inspect
 * and resend. An outbox module keeps its own table, carrier and words; this module holds
 * the queries over the shared delivery columns, the delivery loop, the resend, and the
 * admin list's views.
 */

/**
 * `OutboxStore` wraps a table with the shared delivery columns (`id`, `orgId`, `status`,
 * `attempts`, `lastError`, `createdAt`, `nextAttemptAt`, `sentAt`): `list` (paged, newest
 * first), `find`, `resetForResend`, and for delivery `claim` and `record`. Every query is
 * limited to an `OutboxScope` (master admin: everything; admin: messages about its groups,
 * which each outbox's `OutboxGroupFilter` recognises); `OUTBOX_STATUSES` lists the
 * statuses in filter order.
 */
export {
  OUTBOX_STATUSES,
  type OutboxGroupFilter,
  type OutboxPage,
  type OutboxQuery,
  type OutboxRow,
  type OutboxScope,
  type OutboxStatus,
  OutboxStore,
  type OutboxTable,
} from "./store.ts";

/**
 * `deliverOutbox(deps, courier, { ids })` claims due pending rows (or the named ones, held
 * included), hands each to `courier.send`, and marks it `sent`, or counts a failed attempt
 * and retries `retryDelayMs(attempts)` later (1, 2, 4, … minutes, at most an hour) until
 * the `MAX_ATTEMPTS`th failure marks it `failed`. `startOutboxWorker(deps, { name,
 * deliver })` runs a deliverer every 30 seconds until the returned function is called.
 */
export {
  type Courier,
  deliverOutbox,
  MAX_ATTEMPTS,
  retryDelayMs,
  startOutboxWorker,
} from "./delivery.ts";

/**
 * `resendOutbox(deps, { store, scope, actor, ids?, action, details, deliver })` resets the
 * rows (or every held and failed one in scope) to pending, audits each in the same
 * transaction, then delivers them now. Returns the rows as they were before.
 */
export { type ResendActor, type ResendOptions, resendOutbox } from "./resend.ts";

/**
 * `redactSecrets(text)` hides link tokens and six-digit codes: no admin page shows a live
 * set-password, sign-in or session link; the admin resends the message instead.
 */
export { redactSecrets } from "./redact.ts";

/**
 * Route helpers for an admin outbox: the caller's scope and audit identity, the `:id`
 * parameter (404 unless a UUID), and the list's `?status=&page=`.
 */
export { outboxId, outboxListQuery, outboxScope, resendActor } from "./request.ts";

/**
 * The admin routes both outboxes have (list, resend held, resend one) from an `OutboxAdmin`
 * (view, store, resend, whether it can send, the page after a plain-form resend); the mail
 * and SMS modules add their own routes to what `outboxAdminRoutes` returns.
 */
export { type OutboxAdmin, outboxAdminRoutes, outboxListWithNotice } from "./routes.tsx";

/**
 * The admin list, shared by the outboxes and set apart by an `OutboxListView` (path, locale
 * namespace, headings, row component): `renderOutboxList` answers the page or, for htmx,
 * its table; `ResendCell`, `outboxTime` and `outboxStatusLabel` build a row.
 */
export {
  type Notice,
  type OutboxListProps,
  type OutboxListView,
  type OutboxNamespace,
  outboxStatusLabel,
  outboxTime,
  renderOutboxList,
  ResendCell,
} from "./views.tsx";
