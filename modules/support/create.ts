/**
 * Creating sessions (SPEC C1–C5): a technician's private session by PIN, link, e-mail or
 * SMS, and a customer's channel session from the public form. Each starts one queue entry
 * in Connecting with its connecting deadline; the customer's page moves it on.
 */
import { recordAudit } from "../audit/mod.ts";
import type { Database } from "../db/mod.ts";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { enforce } from "../limits/mod.ts";
import { enqueueMail } from "../mail/mod.ts";
import { emailTextIn, renderTemplate } from "../org/mod.ts";
import { type Language, LANGUAGES, rawString } from "../i18n/mod.ts";
import { randomToken } from "../tokens/mod.ts";
import { logEvent, replaceDeadlines, settingsFor, type SupportSession } from "./engine.ts";
import { queueSessionWebhook } from "./webhook_events.ts";
import { uniquePin } from "./pin.ts";
import { queueEntries, type SessionMethod, supportSessions } from "./schema.ts";

/**
 * The SMS to the customer in each language, from the locale files (sms.invitation), as the
 * connection e-mail's default (modules/org EMAIL_DEFAULTS); `renderTemplate` fills it in.
 */
const SMS_TEXT = Object.fromEntries(
  LANGUAGES.map((lang) => [lang, rawString(lang, "sms.invitation")]),
) as Record<Language, string>;

export type PrivateMethod = Exclude<SessionMethod, "channel" | "unattended">;

export interface NewPrivateSession {
  method: PrivateMethod;
  customerName: string;
  fields: Record<string, string>;
  /** E-mail address (method email) or phone number (method sms). */
  contact?: string;
  ip?: string | null;
}

export interface CreatedSession {
  session: SupportSession;
  entryId: string;
  link: string;
  /** The outbox row for e-mail / SMS invitations. */
  messageId?: string;
}

/** Hook for the SMS method: writes the message inside the transaction (the sms module). */
export type SmsSender = (
  tx: Database,
  message: { orgId: string; to: string; body: string; now: Date },
) => Promise<string>;

export function customerLink(deps: AppDeps, token: string): string {
  return `${deps.config.publicUrl.replace(/\/$/, "")}/s/${token}`;
}

export interface CreateOptions {
  sendSms?: SmsSender;
  organisation?: string;
  /**
   * The invitation's language (the console's dialog offers the customer's, the technician's
   * by default): the e-mail's default text and the SMS are in it (an admin's own e-mail text
   * is sent as written). Without it, the user's language setting, else English.
   */
  language?: Language;
}

/**
 * A technician's session (console dialog or API). Throws `RateLimited` past the
 * `sessionCreate` budget of the user (a 429 refusal with Retry-After).
 */
export async function createPrivateSession(
  deps: AppDeps,
  user: CurrentUser,
  input: NewPrivateSession,
  options: CreateOptions = {},
): Promise<CreatedSession> {
  const now = deps.clock.now();
  // Every door (console dialog, API) spends the same budget, on every instance: a script
  // gone wrong would otherwise fill the PIN space and every technician's queue.
  const refund = await enforce(deps.db, { action: "sessionCreate", key: user.id, now });
  try {
    return await _createPrivate(deps, user, input, options, now);
  } catch (error) {
    await refund();
    throw error;
  }
}

async function _createPrivate(
  deps: AppDeps,
  user: CurrentUser,
  input: NewPrivateSession,
  options: CreateOptions,
  now: Date,
): Promise<CreatedSession> {
  const settings = await settingsFor(deps.db, user.groupId);
  const created = await deps.db.transaction(async (tx) => {
    const pin = await uniquePin(tx);
    const token = randomToken(24);
    const [session] = await tx.insert(supportSessions).values({
      orgId: user.orgId,
      kind: "private",
      method: input.method,
      groupId: user.groupId,
      createdBy: user.id,
      customerName: input.customerName,
      customerContact: input.contact ?? "",
      fields: input.fields,
      pin,
      pinExpiresAt: new Date(now.getTime() + settings.connectingTimeout * 60_000),
      token,
      customerState: "pending",
      createdAt: now,
      updatedAt: now,
      leadUserId: user.id,
    }).returning();
    const entry = await _connectingLead(tx, session, { userId: user.id }, settings, now);
    await logEvent(tx, session.id, "log.created", now, { method: input.method }, {
      userId: user.id,
      name: user.name,
      author: "technician",
    });
    const link = customerLink(deps, token);
    let messageId: string | undefined;
    const values = {
      customerName: input.customerName,
      technicianName: user.name,
      link,
      pin,
      organisation: options.organisation ?? "",
    };
    const language = options.language ?? user.language ?? "en";
    if (input.method === "email" && input.contact) {
      const text = emailTextIn(settings, language);
      messageId = await enqueueMail(tx, {
        orgId: user.orgId,
        kind: "session_invitation",
        to: input.contact,
        subject: renderTemplate(text.emailSubject, values),
        text: renderTemplate(text.emailTemplate, values),
      }, { now, smtpConfigured: Boolean(deps.config.smtpUrl) });
    }
    if (input.method === "sms" && input.contact) {
      if (!options.sendSms) throw new Error("SMS sender missing");
      messageId = await options.sendSms(tx, {
        orgId: user.orgId,
        to: input.contact,
        body: renderTemplate(SMS_TEXT[language], values),
        now,
      });
    }
    await recordAudit(tx, {
      orgId: user.orgId,
      actorId: user.id,
      actorEmail: user.email,
      action: "session.created",
      target: session.id,
      ip: input.ip ?? null,
      details: { method: input.method, number: session.number },
      at: now,
    });
    return { session, entryId: entry.id, link, messageId };
  });
  deps.live.publish({ kind: "session", orgId: user.orgId, sessionId: created.session.id });
  return created;
}

/** A new session's lead row, Connecting in a technician's or a channel's queue, with its
 * connecting deadline. */
async function _connectingLead(
  tx: Database,
  session: SupportSession,
  queue: { userId: string } | { channelId: string },
  settings: Awaited<ReturnType<typeof settingsFor>>,
  now: Date,
) {
  const [entry] = await tx.insert(queueEntries).values({
    sessionId: session.id,
    orgId: session.orgId,
    ...queue,
    role: "lead",
    status: "connecting",
    statusSince: now,
    createdAt: now,
  }).returning();
  await replaceDeadlines(tx, entry, "connecting", settings, now);
  await queueSessionWebhook(tx, {
    type: "session.created",
    key: `session.created:${session.id}`,
    sessionId: session.id,
    entry: { ...entry, status: "" },
    to: "connecting",
    at: now,
  });
  return entry;
}

export interface NewChannelSession {
  orgId: string;
  channelId: string;
  /** The first group serving the channel: its settings apply until someone picks it up. */
  groupId: string | null;
  customerName: string;
  fields: Record<string, string>;
  language?: string;
}

/** A customer's channel session: lands in the channel's queue, Connecting until the page opens. */
export async function createChannelSession(
  deps: AppDeps,
  input: NewChannelSession,
): Promise<SupportSession> {
  const now = deps.clock.now();
  const settings = await settingsFor(deps.db, input.groupId);
  const session = await deps.db.transaction(async (tx) => {
    const [session] = await tx.insert(supportSessions).values({
      orgId: input.orgId,
      kind: "channel",
      method: "channel",
      channelId: input.channelId,
      groupId: input.groupId,
      customerName: input.customerName,
      fields: input.fields,
      token: randomToken(24),
      customerState: "pending",
      customerLanguage: input.language ?? null,
      createdAt: now,
      updatedAt: now,
    }).returning();
    await _connectingLead(tx, session, { channelId: input.channelId }, settings, now);
    await logEvent(tx, session.id, "log.createdByCustomer", now, {}, {
      name: input.customerName,
      author: "customer",
    });
    return session;
  });
  deps.live.publish({ kind: "session", orgId: input.orgId, sessionId: session.id });
  return session;
}
