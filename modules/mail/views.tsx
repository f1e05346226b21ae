import type { AppEnv, PageContext } from "../http/mod.ts";
import { CsrfField, Flash, Layout } from "../../views/layout.tsx";
import {
  type Notice,
  type OutboxListView,
  outboxStatusLabel,
  outboxTime,
  redactSecrets,
  ResendCell,
} from "../outbox/mod.ts";
import type { MailRow } from "./outbox.ts";

type Ctx = PageContext;
type TranslationKey = Parameters<AppEnv["Variables"]["t"]>[0];

/** The kinds of mail the product sends (`enqueueMail`'s `kind`), worded for the outbox. */
const KIND_LABELS: Record<string, TranslationKey> = {
  invitation: "mail.kinds.invitation",
  session_invitation: "mail.kinds.session_invitation",
  lens_invitation: "mail.kinds.lens_invitation",
  external_invitation: "mail.kinds.external_invitation",
  password_reset: "mail.kinds.password_reset",
};

/** A mail's kind in the reader's language; one this list does not know, as stored. */
export function mailKindLabel(c: Ctx, kind: string): string {
  const key = KIND_LABELS[kind];
  return key ? c.get("t")(key) : kind;
}

/** The mail outbox list at /admin/outbox: its words, columns and rows. */
export const MAIL_LIST: OutboxListView<MailRow> = {
  ns: "mail",
  path: "/admin/outbox",
  tableId: "outbox-table",
  missingHint: "mail.smtpMissingHint",
  headings: [
    "mail.created",
    "mail.kind",
    "mail.to",
    "mail.subject",
    "mail.status",
    "mail.attempts",
    "mail.lastError",
    "mail.sent",
    "mail.actions",
  ],
  Row: OutboxRowView,
};

/** One message as a table row; resending swaps just this row. */
export function OutboxRowView({ c, row }: { c: Ctx; row: MailRow }) {
  const href = `/admin/outbox/${row.id}`;
  return (
    <tr id={`mail-${row.id}`}>
      <td>{outboxTime(c, row.createdAt)}</td>
      <td>{mailKindLabel(c, row.kind)}</td>
      <td>{row.toAddress}</td>
      <td>
        <a href={href}>{redactSecrets(row.subject)}</a>
      </td>
      <td>{outboxStatusLabel(c, "mail", row.status)}</td>
      <td>{row.attempts}</td>
      <td class="muted">{row.lastError ?? ""}</td>
      <td>{outboxTime(c, row.sentAt)}</td>
      <ResendCell c={c} ns="mail" action={`${href}/resend`} />
    </tr>
  );
}

/**
 * One message, its live links and codes hidden (`redactSecrets`): reading an invitation
 * here must not let an admin set someone else's password. The HTML body is shown as
 * escaped source, never rendered.
 */
export function MessagePage({ c, row, notice }: { c: Ctx; row: MailRow; notice?: Notice }) {
  const t = c.get("t");
  return (
    <Layout c={c} title={`${t("mail.message")} · ${redactSecrets(row.subject)}`}>
      <p>
        <a href="/admin/outbox">{t("mail.back")}</a>
      </p>
      <Flash kind={notice?.kind ?? "info"} message={notice?.message} />
      <h1>{redactSecrets(row.subject)}</h1>
      <p class="muted">{t("mail.secretsHidden")}</p>
      <table>
        <tbody>
          <tr>
            <th>{t("mail.to")}</th>
            <td>{row.toAddress}</td>
          </tr>
          <tr>
            <th>{t("mail.kind")}</th>
            <td>{mailKindLabel(c, row.kind)}</td>
          </tr>
          <tr>
            <th>{t("mail.status")}</th>
            <td>{outboxStatusLabel(c, "mail", row.status)}</td>
          </tr>
          <tr>
            <th>{t("mail.attempts")}</th>
            <td>{row.attempts}</td>
          </tr>
          <tr>
            <th>{t("mail.lastError")}</th>
            <td>{row.lastError ?? ""}</td>
          </tr>
          <tr>
            <th>{t("mail.created")}</th>
            <td>{outboxTime(c, row.createdAt)}</td>
          </tr>
          <tr>
            <th>{t("mail.nextAttempt")}</th>
            <td>{outboxTime(c, row.nextAttemptAt)}</td>
          </tr>
          <tr>
            <th>{t("mail.sent")}</th>
            <td>{outboxTime(c, row.sentAt)}</td>
          </tr>
        </tbody>
      </table>
      <form method="post" action={`/admin/outbox/${row.id}/resend`}>
        <CsrfField c={c} />
        <button type="submit">{t("mail.resend")}</button>
      </form>
      <h2>{t("mail.textBody")}</h2>
      <pre class="card">{redactSecrets(row.textBody)}</pre>
      {row.htmlBody !== null && (
        <details>
          <summary>{t("mail.htmlBody")}</summary>
          <pre class="card">{redactSecrets(row.htmlBody)}</pre>
        </details>
      )}
    </Layout>
  );
}
