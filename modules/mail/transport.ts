import nodemailer from "nodemailer";
import type { Config } from "../config/mod.ts";
import type { MailRow } from "./outbox.ts";

type Transport = ReturnType<typeof nodemailer.createTransport>;

const transports = new Map<string, Transport>();

/**
 * Nodemailer waits two minutes for a silent server by default; an admin's "resend" waits
 * on delivery, so we give up sooner. Query parameters in SMTP_URL (`?ignoreTLS=true`,
 * `?connectionTimeout=60000`, …) still win: nodemailer lets URL options override these.
 */
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/** One transport per SMTP URL, created on first use (nodemailer parses the URL itself). */
function _transportFor(smtpUrl: string): Transport {
  let transport = transports.get(smtpUrl);
  if (!transport) {
    transport = nodemailer.createTransport({ url: smtpUrl, ...TIMEOUTS });
    transports.set(smtpUrl, transport);
  }
  return transport;
}

/** `SMTP_FROM`, or `Rescue <no-reply@host-of-PUBLIC_URL>`. */
export function senderAddress(config: Pick<Config, "publicUrl" | "smtpFrom">): string {
  if (config.smtpFrom) return config.smtpFrom;
  return `Rescue <no-reply@${new URL(config.publicUrl).hostname}>`;
}

/** Hands one message to the SMTP server; rejects with nodemailer's error on failure. */
export async function sendOverSmtp(
  config: Pick<Config, "publicUrl" | "smtpUrl" | "smtpFrom">,
  row: MailRow,
): Promise<void> {
  if (!config.smtpUrl) throw new Error("SMTP is not configured");
  await _transportFor(config.smtpUrl).sendMail({
    from: senderAddress(config),
    to: row.toAddress,
    subject: row.subject,
    text: row.textBody,
    html: row.htmlBody ?? undefined,
    headers: { "X-Rescue-Mail-Id": row.id },
  });
}
