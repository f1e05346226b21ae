/**
 * The devices registry and the grants on it (SPEC C8): registering a device with the public
 * key it made, the customer's grants (written through `createGrant` by the request flow and
 * by tests), who may reach which device, and taking access away — by a technician (for
 * everyone, or just for them when shared) or by the customer at the device. Every change is
 * audited in its own transaction.
 */
import { and, eq, inArray, isNull } from "drizzle-orm";
import { recordAudit } from "../audit/mod.ts";
import type { Database } from "../db/mod.ts";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { DevicePublicKeySchema } from "../../protocol/mod.ts";
import {
  APPROVAL_TOOLS,
  type ApprovalTool,
  approvalTools,
} from "../../protocol/unattended_request.ts";
import {
  type AccessWindow,
  type AuthMode,
  devices,
  unattendedGrants,
  unattendedRemovals,
} from "./schema.ts";
import { accessWindowAllows, isTimeZone } from "./window.ts";
import { importDeviceKey } from "./device_key.ts";
import { deviceHub } from "./device_hub.ts";

/** Close code of a refused or removed device's socket (the agent does not retry `removed`). */
export const DEVICE_REMOVED_CLOSE = 4403;

export type Device = typeof devices.$inferSelect;
export type Grant = typeof unattendedGrants.$inferSelect;

/** At most two weeks when the customer's own credentials are kept (issue 19). */
export const CUSTOMER_CREDENTIALS_MAX_MS = 14 * 24 * 3600_000;

export interface NewDevice {
  orgId: string;
  deviceId: string;
  name: string;
  os: "linux" | "windows" | "darwin";
  /** Ed25519 SPKI, base64url, as the agent sent it. */
  publicKey: string;
}

/**
 * Registers the device (or renews it: a device that was removed and is approved again gets
 * its new key and comes back). Refuses a key that is not an Ed25519 public key.
 */
export async function registerDevice(
  deps: AppDeps,
  input: NewDevice,
  actor: { userId?: string | null; tx?: Database } = {},
): Promise<Device> {
  if (!DevicePublicKeySchema.safeParse(input.publicKey).success) {
    throw new Refusal(422, "unattended.badKey", { reason: "not an Ed25519 SPKI key" });
  }
  await importDeviceKey(input.publicKey).catch(() => {
    throw new Refusal(422, "unattended.badKey", { reason: "the key does not import" });
  });
  const now = deps.clock.now();
  const run = async (tx: Database) => {
    const values = {
      orgId: input.orgId,
      deviceId: input.deviceId,
      name: input.name.slice(0, 120),
      os: input.os,
      publicKey: input.publicKey,
      createdAt: now,
      removedAt: null,
      removedBy: null,
    };
    const [device] = await tx.insert(devices).values(values).onConflictDoUpdate({
      target: [devices.orgId, devices.deviceId],
      set: {
        name: values.name,
        os: values.os,
        publicKey: values.publicKey,
        removedAt: null,
        removedBy: null,
      },
    }).returning();
    await recordAudit(tx, {
      orgId: input.orgId,
      actorId: actor.userId ?? null,
      action: "unattended.device_registered",
      target: device.id,
      details: { deviceId: input.deviceId, name: values.name, os: input.os },
      at: now,
    });
    return device;
  };
  return actor.tx ? await run(actor.tx) : await deps.db.transaction(run);
}

export interface NewGrant {
  orgId: string;
  deviceRef: string;
  ownerUserId: string;
  sharedGroupIds?: string[];
  sharedUserIds?: string[];
  authMode: AuthMode;
  window: AccessWindow;
  timeZone: string;
  requestedInSession?: string | null;
  approvedAt: Date;
  /** The customer page's signature over the decision, stored as given. */
  approvalSignature: string;
  /** The decision's one-time nonce: a second grant with the same one is a replay. */
  approvalNonce: string;
  /** The tools the customer left ticked (absent: all of `APPROVAL_TOOLS`). */
  tools?: ApprovalTool[];
}

/**
 * Writes the customer's grant. Refuses a window that means nothing, an unknown time zone, a
 * grant with the customer's credentials longer than two weeks (or without an end), and a
 * replayed approval (its nonce used before: 409, nothing written).
 */
export async function createGrant(
  deps: AppDeps,
  input: NewGrant,
  options: { tx?: Database } = {},
): Promise<Grant> {
  if (!isTimeZone(input.timeZone)) {
    throw new Refusal(422, "unattended.badWindow", { reason: "unknown time zone" });
  }
  const probe = accessWindowAllows({ window: input.window, timeZone: input.timeZone }, new Date(0));
  if (!probe.ok && probe.reason === "bad_window") {
    throw new Refusal(422, "unattended.badWindow", { reason: "the window means nothing" });
  }
  if (input.authMode === "customer_credentials") {
    const until = input.window.untilAt ? Date.parse(input.window.untilAt) : Infinity;
    if (!(until - input.approvedAt.getTime() <= CUSTOMER_CREDENTIALS_MAX_MS)) {
      throw new Refusal(422, "unattended.credentialsTooLong", {
        reason: "the customer's credentials are kept two weeks at most",
      });
    }
  }
  const now = deps.clock.now();
  const run = async (tx: Database) => {
    const [device] = await tx.select().from(devices).where(
      and(eq(devices.id, input.deviceRef), eq(devices.orgId, input.orgId)),
    );
    if (!device || device.removedAt) {
      throw new Refusal(404, "unattended.unknownDevice", { reason: "no such device" });
    }
    const [replayed] = await tx.select({ id: unattendedGrants.id }).from(unattendedGrants)
      .where(eq(unattendedGrants.approvalNonce, input.approvalNonce));
    if (replayed) {
      throw new Refusal(409, "unattended.replayedApproval", { reason: "nonce used before" });
    }
    const [grant] = await tx.insert(unattendedGrants).values({
      ...input,
      sharedGroupIds: input.sharedGroupIds ?? [],
      sharedUserIds: input.sharedUserIds ?? [],
      requestedInSession: input.requestedInSession ?? null,
      tools: approvalTools(input.tools ?? APPROVAL_TOOLS),
      createdAt: now,
    }).returning();
    await recordAudit(tx, {
      orgId: input.orgId,
      actorId: input.ownerUserId,
      action: "unattended.grant_created",
      target: device.id,
      details: {
        grantId: grant.id,
        authMode: input.authMode,
        window: input.window,
        timeZone: input.timeZone,
        session: input.requestedInSession ?? null,
        tools: grant.tools,
      },
      at: now,
    });
    return grant;
  };
  return options.tx ? await run(options.tx) : await deps.db.transaction(run);
}

/** Whether `user` is among those a grant is for (owner, a shared user, a shared group). */
export function grantIsFor(grant: Grant, user: Pick<CurrentUser, "id" | "groupId">): boolean {
  return grant.ownerUserId === user.id || grant.sharedUserIds.includes(user.id) ||
    (user.groupId !== null && grant.sharedGroupIds.includes(user.groupId));
}

/**
 * The live grants (not revoked, device not removed, not removed by this user) through which
 * `user` may reach devices; one device may have several.
 */
export async function grantsFor(
  db: Database,
  user: Pick<CurrentUser, "id" | "orgId" | "groupId">,
  deviceRef?: string,
): Promise<{ grant: Grant; device: Device }[]> {
  const rows = await db.select({ grant: unattendedGrants, device: devices }).from(unattendedGrants)
    .innerJoin(devices, eq(devices.id, unattendedGrants.deviceRef))
    .where(and(
      eq(unattendedGrants.orgId, user.orgId),
      isNull(unattendedGrants.revokedAt),
      isNull(devices.removedAt),
      deviceRef ? eq(devices.id, deviceRef) : undefined,
    ));
  const mine = rows.filter((row) => grantIsFor(row.grant, user));
  if (mine.length === 0) return [];
  const removed = await db.select({ grantId: unattendedRemovals.grantId }).from(
    unattendedRemovals,
  ).where(and(
    eq(unattendedRemovals.userId, user.id),
    inArray(unattendedRemovals.grantId, mine.map((row) => row.grant.id)),
  ));
  const gone = new Set(removed.map((row) => row.grantId));
  return mine.filter((row) => !gone.has(row.grant.id));
}

export type RemoveScope = "everyone" | "me";

/**
 * Takes access away. "me": this user no longer reaches the device through any grant (the
 * others keep theirs). "everyone": every grant is revoked and the device removed — only the
 * owner of a grant on it or an admin may; a technician who has it through sharing is
 * refused (403) and may remove it just for themselves. Returns whether the device was removed.
 */
export async function removeAccess(
  deps: AppDeps,
  user: CurrentUser,
  deviceRef: string,
  scope: RemoveScope,
): Promise<{ deviceRemoved: boolean; device: Device }> {
  const reachable = await grantsFor(deps.db, user, deviceRef);
  if (reachable.length === 0) {
    throw new Refusal(404, "unattended.unknownDevice", { reason: "not reachable by this user" });
  }
  const device = reachable[0].device;
  const now = deps.clock.now();
  if (scope === "everyone") {
    const owns = reachable.some((row) => row.grant.ownerUserId === user.id);
    if (!owns && user.role === "technician") {
      throw new Refusal(403, "unattended.notOwner", { reason: "shared with this user" });
    }
  }
  await deps.db.transaction(async (tx) => {
    if (scope === "me") {
      await tx.insert(unattendedRemovals).values(
        reachable.map((row) => ({ grantId: row.grant.id, userId: user.id, removedAt: now })),
      ).onConflictDoNothing();
    } else {
      await tx.update(unattendedGrants).set({
        revokedAt: now,
        revokedBy: user.id,
        revokedReason: "technician",
      }).where(and(eq(unattendedGrants.deviceRef, device.id), isNull(unattendedGrants.revokedAt)));
      await tx.update(devices).set({ removedAt: now, removedBy: user.id })
        .where(eq(devices.id, device.id));
    }
    await recordAudit(tx, {
      orgId: user.orgId,
      actorId: user.id,
      actorEmail: user.email,
      action: "unattended.access_removed",
      target: device.id,
      details: { scope, name: device.name, grants: reachable.map((row) => row.grant.id) },
      at: now,
    });
  });
  if (scope === "everyone") _tellRemoved(deps, device.id, "access removed");
  return { deviceRemoved: scope === "everyone", device };
}

/** A removed device's service hears it at once (and stops waiting for technicians). */
function _tellRemoved(deps: AppDeps, deviceRef: string, reason: string) {
  const link = deviceHub(deps).find(deviceRef);
  link?.send({ type: "deviceRefused", code: "removed", reason });
  link?.close(DEVICE_REMOVED_CLOSE, "removed");
}

/**
 * The customer revoked unattended access at the device (`agent --unattended revoke`, its
 * key proven): every grant revoked, the device removed, audited as the customer's act.
 */
export async function revokeFromDevice(deps: AppDeps, device: Device): Promise<number> {
  const now = deps.clock.now();
  return await deps.db.transaction(async (tx) => {
    const revoked = await tx.update(unattendedGrants).set({
      revokedAt: now,
      revokedReason: "customer",
    }).where(and(eq(unattendedGrants.deviceRef, device.id), isNull(unattendedGrants.revokedAt)))
      .returning({ id: unattendedGrants.id });
    await tx.update(devices).set({ removedAt: now }).where(eq(devices.id, device.id));
    await recordAudit(tx, {
      orgId: device.orgId,
      action: "unattended.revoked_by_customer",
      target: device.id,
      details: { deviceId: device.deviceId, name: device.name, grants: revoked.length },
      at: now,
    });
    return revoked.length;
  }).then((count) => {
    _tellRemoved(deps, device.id, "revoked at the device");
    return count;
  });
}
