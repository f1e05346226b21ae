/**
 * LAN connect's memory of accepted SSH host keys (`lan_host_keys`): per computer and host
 * address, in its organisation, the key a technician explicitly accepted — who, when. The next
 * Connect compares the key the computer reads now (`compareHostKey`, pure): the same key needs
 * no new acceptance and says whose it was; a different one is a plain warning (the connection
 * may be intercepted, or the host reinstalled) and must be accepted again, which replaces the
 * memory. A technician with `lanConnect` or an admin who reaches the computer may forget a key
 * (`mayForgetHostKeys`). Accepting and forgetting are audited.
 */
import { and, asc, eq } from "drizzle-orm";
import { recordAudit } from "../audit/mod.ts";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { can } from "../permissions/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { type Device, grantsFor } from "./devices.ts";
import { lanHostKeys } from "./schema.ts";

export type RememberedKey = typeof lanHostKeys.$inferSelect;

/** What the key read now is, against the one remembered for that host. */
export type KeyMemory =
  | { kind: "new" }
  | { kind: "same"; remembered: RememberedKey }
  | { kind: "changed"; remembered: RememberedKey };

export function compareHostKey(remembered: RememberedKey | null, fingerprint: string): KeyMemory {
  if (!remembered) return { kind: "new" };
  return remembered.fingerprint === fingerprint
    ? { kind: "same", remembered }
    : { kind: "changed", remembered };
}

/** Whether a push may go ahead without a new acceptance: the remembered key is this one. */
export function acceptedBefore(memory: KeyMemory): boolean {
  return memory.kind === "same";
}

/** Who may forget a remembered key: a technician with `lanConnect`, or an admin. */
export function mayForgetHostKeys(user: CurrentUser): boolean {
  return can(user, "lanConnect") || user.role === "admin" || user.role === "master_admin";
}

/** The key remembered for `address` seen from `device` (the caller reached it), or null. */
export async function rememberedKey(
  deps: AppDeps,
  device: Device,
  address: string,
): Promise<RememberedKey | null> {
  const [row] = await deps.db.select().from(lanHostKeys).where(and(
    eq(lanHostKeys.orgId, device.orgId),
    eq(lanHostKeys.deviceRef, device.id),
    eq(lanHostKeys.address, address),
  ));
  return row ?? null;
}

/** Every key remembered for a computer `user` reaches, by address; else a 404. */
export async function rememberedKeys(
  deps: AppDeps,
  user: CurrentUser,
  deviceRef: string,
): Promise<{ device: Device; keys: RememberedKey[] }> {
  const device = await _reached(deps, user, deviceRef);
  const keys = await deps.db.select().from(lanHostKeys).where(and(
    eq(lanHostKeys.orgId, user.orgId),
    eq(lanHostKeys.deviceRef, device.id),
  )).orderBy(asc(lanHostKeys.address));
  return { device, keys };
}

/**
 * The technician explicitly accepted `fingerprint` for `address` from `device` (lan.ts
 * `lanComputer` checked they may use it): remembered — replacing a different key — and audited
 * with the key it replaced.
 */
export async function acceptHostKey(
  deps: AppDeps,
  user: CurrentUser,
  device: Device,
  key: { address: string; keyType: string; fingerprint: string; ip: string | null },
): Promise<RememberedKey> {
  const now = deps.clock.now();
  return await deps.db.transaction(async (tx) => {
    const [before] = await tx.select().from(lanHostKeys).where(and(
      eq(lanHostKeys.deviceRef, device.id),
      eq(lanHostKeys.address, key.address),
    ));
    const values = {
      keyType: key.keyType,
      fingerprint: key.fingerprint,
      acceptedBy: user.id,
      acceptedByName: user.name,
      acceptedAt: now,
    };
    const [row] = await tx.insert(lanHostKeys).values({
      orgId: device.orgId,
      deviceRef: device.id,
      address: key.address,
      ...values,
    }).onConflictDoUpdate({ target: [lanHostKeys.deviceRef, lanHostKeys.address], set: values })
      .returning();
    await recordAudit(tx, {
      orgId: user.orgId,
      actorId: user.id,
      actorEmail: user.email,
      action: "unattended.lan_key_accepted",
      target: device.id,
      ip: key.ip,
      details: {
        computer: device.name,
        address: key.address,
        fingerprint: key.fingerprint,
        replaced: before && before.fingerprint !== key.fingerprint ? before.fingerprint : null,
      },
      at: now,
    });
    return row;
  });
}

/** Forgets a remembered key of a computer `user` reaches (403 without the right, 404 gone). */
export async function forgetHostKey(
  deps: AppDeps,
  user: CurrentUser,
  deviceRef: string,
  keyId: string,
  ip: string | null,
): Promise<RememberedKey> {
  if (!mayForgetHostKeys(user)) {
    throw new Refusal(403, "errors.permissionMissing", { params: { permission: "lanConnect" } });
  }
  const device = await _reached(deps, user, deviceRef);
  return await deps.db.transaction(async (tx) => {
    const [gone] = await tx.delete(lanHostKeys).where(and(
      eq(lanHostKeys.id, keyId),
      eq(lanHostKeys.orgId, user.orgId),
      eq(lanHostKeys.deviceRef, device.id),
    )).returning();
    if (!gone) throw new Refusal(404, "lan.keys.unknown");
    await recordAudit(tx, {
      orgId: user.orgId,
      actorId: user.id,
      actorEmail: user.email,
      action: "unattended.lan_key_forgotten",
      target: device.id,
      ip,
      details: {
        computer: device.name,
        address: gone.address,
        fingerprint: gone.fingerprint,
        acceptedBy: gone.acceptedByName,
      },
      at: deps.clock.now(),
    });
    return gone;
  });
}

async function _reached(deps: AppDeps, user: CurrentUser, deviceRef: string): Promise<Device> {
  const rows = await grantsFor(deps.db, user, deviceRef);
  if (rows.length === 0) throw new Refusal(404, "unattended.unknownDevice");
  return rows[0].device;
}
