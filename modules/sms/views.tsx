import type { PageContext } from "../http/mod.ts";
import {
  type OutboxListView,
  outboxStatusLabel,
  outboxTime,
  redactSecrets,
  ResendCell,
} from "../outbox/mod.ts";
import type { SmsRow } from "./outbox.ts";

/** The SMS outbox list at /admin/sms: its words, columns and rows. */
export const SMS_LIST: OutboxListView<SmsRow> = {
  ns: "sms",
  path: "/admin/sms",
  tableId: "sms-table",
  missingHint: "sms.gatewayMissingHint",
  headings: [
    "sms.created",
    "sms.to",
    "sms.body",
    "sms.status",
    "sms.attempts",
    "sms.lastError",
    "sms.nextAttempt",
    "sms.sent",
    "sms.actions",
  ],
  Row: SmsRowView,
};

/**
 * One message as a table row, its session link and PIN hidden (`redactSecrets`): an admin
 * gets a message to the customer by resending it; resending swaps just this row.
 */
export function SmsRowView({ c, row }: { c: PageContext; row: SmsRow }) {
  return (
    <tr id={`sms-${row.id}`}>
      <td>{outboxTime(c, row.createdAt)}</td>
      <td>
        <code>{row.toNumber}</code>
      </td>
      <td>
        <code>{redactSecrets(row.body)}</code>
      </td>
      <td>{outboxStatusLabel(c, "sms", row.status)}</td>
      <td>{row.attempts}</td>
      <td class="muted">{row.lastError ?? ""}</td>
      <td>{outboxTime(c, row.nextAttemptAt)}</td>
      <td>{outboxTime(c, row.sentAt)}</td>
      <ResendCell c={c} ns="sms" action={`/admin/sms/${row.id}/resend`} />
    </tr>
  );
}
