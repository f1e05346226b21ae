/**
 * Connecting with nobody present (SPEC C8): a technician picks a computer in Computers; the
 * grant's window is checked at `now` (the injected clock) in the grant's time zone, then the
 * group's approval workflow (none / another technician's or an admin's approval / a ticket
 * reference), then whether the device is online — its socket held by this instance or by
 * another one of the cluster. Then a new session, Active at once for this technician and
 * logged as unattended, and the device is told to join it: at once when this instance holds
 * its socket, else through a `deviceJoin` live notice that the holding instance hears
 * (device_gateway.ts). Every connection and every refusal is written
 * (`unattended_connections`) and audited.
 *
 * OS credentials typed at Connect (a grant "asked at every connection") travel with the join
 * sealed to the device's X25519 sealing key for this session (protocol/sealed_credentials.ts:
 * ephemeral ECDH → HKDF-SHA-256 → AES-256-GCM, the session id bound in): on this instance's
 * socket and in the notice alike, so they reach the device whichever instance holds it and
 * only the device can open them. A device whose agent announced no sealing key (from before
 * issue 19) gets them in the clear only on this instance's own socket; held by another
 * instance, the Connect is refused with the reason (`credentials_unsealable`) rather than
 * dropping them. The plain text is stored, logged, audited and published nowhere.
 */
import { and, desc, eq, gt, isNull } from "drizzle-orm";
import { recordAudit } from "../audit/mod.ts";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { can } from "../permissions/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import type { TranslationKey } from "../i18n/mod.ts";
import { createUnattendedSession, settingsFor, type SupportSession } from "../support/mod.ts";
import { sealCredentials } from "../../protocol/mod.ts";
import { type Device, type Grant, grantsFor } from "./devices.ts";
import { deviceHub } from "./device_hub.ts";
import { devices, unattendedApprovals, unattendedConnections } from "./schema.ts";
import { accessWindowAllows, type WindowRefusal } from "./window.ts";

/** How long an approval stays good for its one connection. */
export const APPROVAL_TTL_MS = 60 * 60_000;
export const TICKET_MAX = 100;

export type ConnectRefusal =
  | WindowRefusal
  | "no_access"
  | "offline"
  | "approval_needed"
  | "ticket_needed"
  | "credentials_unsealable";

const REFUSAL_KEYS: Record<ConnectRefusal, TranslationKey> = {
  revoked: "unattended.refused.revoked",
  not_yet: "unattended.refused.not_yet",
  expired: "unattended.refused.expired",
  not_today: "unattended.refused.not_today",
  outside_hours: "unattended.refused.outside_hours",
  bad_window: "unattended.refused.bad_window",
  no_access: "unattended.refused.no_access",
  offline: "unattended.refused.offline",
  approval_needed: "unattended.refused.approval_needed",
  ticket_needed: "unattended.refused.ticket_needed",
  credentials_unsealable: "unattended.refused.credentials_unsealable",
};

export interface ConnectOptions {
  /** The ticket reference, where the group asks for one. */
  ticket?: string;
  ip?: string | null;
  /**
   * The customer's OS credentials typed at Connect, for a grant "asked at every connection":
   * sent with the join (to type into its login screen) sealed to the device's key for this
   * session, and nowhere else — not stored, logged nor audited (see the header); ignored for
   * other grants.
   */
  credentials?: { user: string; password: string };
}

/**
 * Starts an unattended session on `deviceRef` for `user` at `now`, or refuses with the
 * reason (a `Refusal` whose `reason` is the `ConnectRefusal` code), audited either way.
 */
export async function connectUnattended(
  deps: AppDeps,
  user: CurrentUser,
  deviceRef: string,
  now: Date,
  options: ConnectOptions = {},
): Promise<{ session: SupportSession; device: Device; grant: Grant }> {
  if (!can(user, "unattendedAccess")) {
    throw new Refusal(403, "errors.permissionMissing", {
      params: { permission: "unattendedAccess" },
    });
  }
  const rows = await grantsFor(deps.db, user, deviceRef);
  const [device] = rows.length ? [rows[0].device] : await deps.db.select().from(devices).where(
    and(eq(devices.id, deviceRef), eq(devices.orgId, user.orgId)),
  ).catch(() => []);
  if (!device) throw new Refusal(404, "unattended.unknownDevice", { reason: "no such device" });
  const refuse = (code: ConnectRefusal, grant?: Grant) =>
    _refused(deps, user, device, code, { grant, now, ip: options.ip ?? null });
  if (rows.length === 0) return await refuse(device.removedAt ? "revoked" : "no_access");
  const verdicts = rows.map((row) => ({ row, verdict: accessWindowAllows(row.grant, now) }));
  const allowed = verdicts.find((v) => v.verdict.ok);
  if (!allowed) {
    const first = verdicts[0];
    return await refuse(first.verdict.ok ? "no_access" : first.verdict.reason, first.row.grant);
  }
  const grant = allowed.row.grant;
  const settings = await settingsFor(deps.db, user.groupId);
  const ticket = (options.ticket ?? "").trim().slice(0, TICKET_MAX);
  if (settings.unattendedApproval === "ticket" && !ticket) {
    return await refuse("ticket_needed", grant);
  }
  let approvalId: string | null = null;
  if (settings.unattendedApproval === "approval") {
    const [approval] = await deps.db.select().from(unattendedApprovals).where(and(
      eq(unattendedApprovals.deviceRef, device.id),
      eq(unattendedApprovals.requesterId, user.id),
      eq(unattendedApprovals.state, "approved"),
      isNull(unattendedApprovals.usedAt),
      gt(unattendedApprovals.decidedAt, new Date(now.getTime() - APPROVAL_TTL_MS)),
    )).orderBy(desc(unattendedApprovals.decidedAt)).limit(1);
    if (!approval) return await refuse("approval_needed", grant);
    approvalId = approval.id;
  }
  // Held here: told at once. Held by another instance: that instance hears the
  // `deviceJoin` notice and tells it (device_gateway.ts). Held nowhere: offline.
  const credentials = grant.authMode === "ask_each_time" ? options.credentials : undefined;
  const link = deviceHub(deps).find(device.id);
  let sealingKey = link?.sealingKey ?? null;
  if (!link) {
    const [fresh] = await deps.db.select({
      online: devices.onlineInstance,
      sealingKey: devices.sealingKey,
    }).from(devices).where(eq(devices.id, device.id));
    if (!fresh?.online) return await refuse("offline", grant);
    sealingKey = fresh.sealingKey;
    // Only sealed may they go through another instance; this agent cannot open sealed ones.
    if (credentials && !sealingKey) return await refuse("credentials_unsealable", grant);
  }
  const session = await createUnattendedSession(deps, user, {
    deviceName: device.name,
    deviceId: device.deviceId,
    log: ticket ? { ticket } : {},
  }, async (tx, session) => {
    if (approvalId) {
      const used = await tx.update(unattendedApprovals).set({
        state: "used",
        usedAt: now,
        sessionId: session.id,
      }).where(and(eq(unattendedApprovals.id, approvalId), isNull(unattendedApprovals.usedAt)))
        .returning({ id: unattendedApprovals.id });
      if (used.length !== 1) throw new Refusal(409, REFUSAL_KEYS.approval_needed);
    }
    await tx.insert(unattendedConnections).values({
      orgId: user.orgId,
      deviceRef: device.id,
      grantId: grant.id,
      userId: user.id,
      sessionId: session.id,
      outcome: "connected",
      ticket: ticket || null,
      at: now,
    });
    await tx.update(devices).set({ lastSessionId: session.id }).where(eq(devices.id, device.id));
    await recordAudit(tx, {
      orgId: user.orgId,
      actorId: user.id,
      actorEmail: user.email,
      action: "unattended.connected",
      target: session.id,
      ip: options.ip ?? null,
      details: {
        device: device.id,
        name: device.name,
        grant: grant.id,
        ticket: ticket || null,
        approval: approvalId,
      },
      at: now,
    });
  });
  const sealed = credentials && sealingKey
    ? await sealCredentials(sealingKey, session.id, credentials)
    : undefined;
  if (link) {
    link.join({
      sessionId: session.id,
      token: session.token,
      technician: user.name.slice(0, 200),
      ...(sealed ? { sealedCredentials: sealed } : credentials && { credentials }),
    });
  } else {
    deps.live.publish({
      kind: "deviceJoin",
      orgId: user.orgId,
      deviceRef: device.id,
      sessionId: session.id,
      ...(sealed ? { sealedCredentials: sealed } : {}),
    });
  }
  return { session, device, grant };
}

async function _refused(
  deps: AppDeps,
  user: CurrentUser,
  device: Device,
  code: ConnectRefusal,
  at: { grant?: Grant; now: Date; ip: string | null },
): Promise<never> {
  await deps.db.transaction(async (tx) => {
    await tx.insert(unattendedConnections).values({
      orgId: user.orgId,
      deviceRef: device.id,
      grantId: at.grant?.id ?? null,
      userId: user.id,
      outcome: "refused",
      reason: code,
      at: at.now,
    });
    await recordAudit(tx, {
      orgId: user.orgId,
      actorId: user.id,
      actorEmail: user.email,
      action: "unattended.refused",
      target: device.id,
      ip: at.ip,
      details: { reason: code, name: device.name, grant: at.grant?.id ?? null },
      at: at.now,
    });
  });
  throw new Refusal(code === "no_access" ? 404 : 409, REFUSAL_KEYS[code], { reason: code });
}
