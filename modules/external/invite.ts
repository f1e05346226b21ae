/**
 * SPEC K2: the lead technician of an active session invites an external technician — an
 * approved one, or (with `inviteExternalUnlisted`) anyone by name and e-mail — by one of the
 * methods the inviter's group allows, with a permission set that is a subset of the
 * inviter's, valid for a chosen time. The lead sees them and removes them. Each step is one
 * transaction with its audit entry, then a line in the session log and a live notice (the
 * guest's own stream hears it and closes).
 */
import { and, asc, eq, isNull } from "drizzle-orm";
import { recordAudit } from "../audit/mod.ts";
import { getOrganisation } from "../auth/mod.ts";
import type { Database } from "../db/mod.ts";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { formatMoment, type Language, translator } from "../i18n/mod.ts";
import { deliverMail, enqueueMail } from "../mail/mod.ts";
import { can, type Permission } from "../permissions/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import {
  logSessionEvent,
  sessionForTechnician,
  settingsFor,
  type SupportSession,
} from "../support/mod.ts";
import { randomToken, sha256Hex } from "../tokens/mod.ts";
import { findApproved } from "./approved.ts";
import { externalGuests, type ExternalMethod } from "./schema.ts";

export type ExternalGuest = typeof externalGuests.$inferSelect;

export const EXTERNAL_METHODS: readonly ExternalMethod[] = ["link", "email", "pin"];
/** How long an invitation may be valid, in minutes (the dialog's choices). */
export const EXPIRY_MINUTES = [15, 60, 240, 1440] as const;
/**
 * What an external technician may be given besides the chat: what its console can do — the
 * session's picture, control of it passed like a collaborator's (never leading), the file
 * manager and system information (the technicians' own routes under `/x`, checked by the
 * same caller check; the customer's consent still asked for each).
 */
export const GUEST_PERMISSIONS: readonly Permission[] = [
  "desktopView",
  "remoteControl",
  "fileManager",
  "systemInfo",
];

export interface InviteInput {
  /** An approved person's id, or none with `name` and `email` (unlisted). */
  approvedId?: string;
  name?: string;
  email?: string;
  method: string;
  permissions: string[];
  minutes: number;
  /** The inviter's language: the link's page and the e-mail speak it. */
  lang: Language;
}

export interface Invitation {
  guest: ExternalGuest;
  /** The one-time link (link method; the e-mail carries it too). */
  link?: string;
  pin?: string;
}

const bad = (key: Parameters<typeof _refusal>[1]) => _refusal(422, key);
function _refusal(
  status: 403 | 404 | 409 | 422,
  key:
    | "notLead"
    | "method"
    | "unlisted"
    | "choose"
    | "permission"
    | "expiry"
    | "guestNotFound"
    | "notFound"
    | "email"
    | "name",
): Refusal {
  return new Refusal(status, `external.errors.${key}`);
}

/** Which invitation methods `user`'s group allows (its settings). */
export async function allowedMethods(db: Database, user: CurrentUser): Promise<ExternalMethod[]> {
  const settings = await settingsFor(db, user.groupId);
  return EXTERNAL_METHODS.filter((m) =>
    m === "link"
      ? settings.externalByLink
      : m === "email"
      ? settings.externalByEmail
      : settings.externalByPin
  );
}

/** The permissions `user` may hand to a guest: its own, among what a guest's console does. */
export function grantable(user: CurrentUser): Permission[] {
  return GUEST_PERMISSIONS.filter((p) => can(user, p));
}

/**
 * The session if `user` leads it and it is Active: the only state in which external
 * technicians are invited or removed.
 */
export async function ledSession(
  deps: AppDeps,
  user: CurrentUser,
  sessionId: string,
): Promise<SupportSession> {
  const { session, entry } = await sessionForTechnician(deps, user, sessionId, "read");
  if (entry.userId !== user.id || entry.role !== "lead" || entry.status !== "active") {
    throw _refusal(403, "notLead");
  }
  return session;
}

export async function inviteExternal(
  deps: AppDeps,
  user: CurrentUser,
  sessionId: string,
  input: InviteInput,
): Promise<Invitation> {
  if (!can(user, "inviteExternal")) {
    throw new Refusal(403, "errors.permissionMissing", {
      params: { permission: "inviteExternal" },
    });
  }
  const session = await ledSession(deps, user, sessionId);
  const method = input.method as ExternalMethod;
  if (!(await allowedMethods(deps.db, user)).includes(method)) throw bad("method");
  if (!(EXPIRY_MINUTES as readonly number[]).includes(input.minutes)) throw bad("expiry");
  const offered = grantable(user);
  if (input.permissions.some((p) => !offered.includes(p as Permission))) {
    throw _refusal(403, "permission");
  }
  const who = await _who(deps.db, user, input);
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + input.minutes * 60_000);
  const token = randomToken();
  const pin = method === "pin" ? _randomPin() : undefined;
  const link = `${deps.config.publicUrl.replace(/\/$/, "")}/x/join/${token}`;
  let mailId: string | undefined;
  // Read before the transaction: PGlite has one connection, held by an open transaction.
  const organisation = method === "email" ? await _organisationName(deps, session) : "";
  const guest = await deps.db.transaction(async (tx) => {
    const [row] = await tx.insert(externalGuests).values({
      orgId: session.orgId,
      sessionId: session.id,
      approvedId: who.approvedId,
      name: who.name,
      email: who.email,
      organisation: who.organisation,
      method,
      language: method === "pin" ? null : input.lang,
      permissions: input.permissions.filter((p) => offered.includes(p as Permission)),
      invitedBy: user.id,
      linkHash: method === "pin" ? null : await sha256Hex(token),
      pinHash: pin ? await pinFingerprint(pin) : null,
      expiresAt,
      createdAt: now,
    }).returning();
    if (method === "email") {
      const t = translator(input.lang);
      const values = {
        name: who.name,
        technician: user.name,
        organisation,
        time: formatMoment(input.lang, expiresAt, "dateTime"),
        link,
      };
      mailId = await enqueueMail(tx, {
        orgId: session.orgId,
        kind: "external_invitation",
        to: who.email,
        subject: t("external.email.subject", values),
        text: t("external.email.body", { ...values, interpolation: { escapeValue: false } }),
      }, { now, smtpConfigured: Boolean(deps.config.smtpUrl) });
    }
    await recordAudit(tx, {
      orgId: session.orgId,
      actorId: user.id,
      actorEmail: user.email,
      action: "external.invited",
      target: session.id,
      details: {
        guestId: row.id,
        name: row.name,
        email: row.email,
        listed: row.approvedId !== null,
        method,
        permissions: row.permissions,
        expiresAt: expiresAt.toISOString(),
      },
      at: now,
    });
    return row;
  });
  await logSessionEvent(deps, session, "log.externalInvited", {
    name: user.name,
    guest: guest.name,
  }, { userId: user.id, name: user.name, author: "technician" });
  deps.live.publish({ kind: "session", orgId: session.orgId, sessionId: session.id });
  if (mailId) await deliverMail(deps, [mailId]);
  return { guest, link: method === "link" ? link : undefined, pin };
}

/** The lead removes a guest: its access ends at once (its streams hear the notice and close). */
export async function removeGuest(
  deps: AppDeps,
  user: CurrentUser,
  sessionId: string,
  guestId: string,
): Promise<void> {
  const session = await ledSession(deps, user, sessionId);
  if (!/^[0-9a-f-]{36}$/.test(guestId)) throw _refusal(404, "guestNotFound");
  const now = deps.clock.now();
  const guest = await deps.db.transaction(async (tx) => {
    const [row] = await tx.update(externalGuests).set({ endedAt: now, endReason: "removed" })
      .where(and(
        eq(externalGuests.id, guestId),
        eq(externalGuests.sessionId, session.id),
        isNull(externalGuests.endedAt),
      )).returning();
    if (!row) throw _refusal(404, "guestNotFound");
    await recordAudit(tx, {
      orgId: session.orgId,
      actorId: user.id,
      actorEmail: user.email,
      action: "external.removed",
      target: session.id,
      details: { guestId: row.id, name: row.name, email: row.email },
      at: now,
    });
    return row;
  });
  await logSessionEvent(deps, session, "log.externalRemoved", {
    name: user.name,
    guest: guest.name,
  }, { userId: user.id, name: user.name, author: "technician" });
  deps.live.publish({ kind: "session", orgId: session.orgId, sessionId: session.id });
}

/** A session's guests, oldest first (ended ones too: the lead sees what became of them). */
export async function guestsOf(db: Database, sessionId: string): Promise<ExternalGuest[]> {
  return await db.select().from(externalGuests).where(eq(externalGuests.sessionId, sessionId))
    .orderBy(asc(externalGuests.createdAt));
}

/** The stored fingerprint of a guest's PIN (SHA-256; a PIN is used once and then cleared). */
export async function pinFingerprint(pin: string): Promise<string> {
  return await sha256Hex(`external-pin:${pin}`);
}

async function _who(db: Database, user: CurrentUser, input: InviteInput) {
  if (input.approvedId) {
    const row = await findApproved(db, user.orgId, input.approvedId);
    if (!row) throw _refusal(404, "notFound");
    return { approvedId: row.id, name: row.name, email: row.email, organisation: row.organisation };
  }
  const name = (input.name ?? "").trim();
  const email = (input.email ?? "").trim().toLowerCase();
  if (!name && !email) throw bad("choose");
  if (!can(user, "inviteExternalUnlisted")) throw _refusal(403, "unlisted");
  if (name.length > 100 || !name) throw bad("name");
  if (email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw bad("email");
  return { approvedId: null, name, email, organisation: "" };
}

function _randomPin(): string {
  const buffer = new Uint32Array(1);
  for (;;) {
    crypto.getRandomValues(buffer);
    if (buffer[0] < 4_294_000_000) return String(buffer[0] % 1_000_000).padStart(6, "0");
  }
}

async function _organisationName(deps: AppDeps, session: SupportSession): Promise<string> {
  return (await getOrganisation(deps.db, session.orgId))?.name ?? "";
}
