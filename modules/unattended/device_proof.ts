/**
 * Proving a device holds its key: the server hands out a fresh nonce, the device signs
 * `deviceProofText(purpose, deviceId, nonce)` (protocol/device.ts) with the Ed25519 key it
 * made, the server checks the signature against the public key it registered. A nonce is
 * good once and for a minute: on the socket it lives in the connection, for the local
 * command's HTTP calls in `device_challenges` (any instance can check it, once). Every
 * refusal changes nothing else and is audited — a flood of them as a few counted entries.
 */
import { and, eq, gt, isNull, lt } from "drizzle-orm";
import { recordAudit } from "../audit/mod.ts";
import { addressKey, record, windowCounts } from "../limits/mod.ts";
import type { AppDeps } from "../http/mod.ts";
import { randomToken } from "../tokens/mod.ts";
import { deviceProofText, type DevicePurpose, DeviceSignatureSchema } from "../../protocol/mod.ts";
import { deviceChallenges, devices } from "./schema.ts";
import type { Device } from "./devices.ts";
import { base64urlBytes, importDeviceKey } from "./device_key.ts";

/** The request flow verifies the approval's signature with the same key import. */
export { importDeviceKey };

export const CHALLENGE_TTL_MS = 60_000;

export type DeviceRefusalCode = "unknown_device" | "removed" | "bad_proof" | "bad_challenge";

export type DeviceVerdict =
  | { ok: true; device: Device }
  | { ok: false; code: DeviceRefusalCode; reason: string };

/** A fresh nonce for the socket's challenge (kept by the connection). */
export function newNonce(): string {
  return randomToken(32);
}

/**
 * Checks a device's proof for `nonce` (which the caller issued and has now consumed): the
 * device is registered, not removed, and the signature is its key's over this very text
 * (which covers the sealing key its hello announced, if any).
 * A refusal is audited (`unattended.device_refused`, with the code; `_auditRefusal` bounds a
 * flood) and nothing changes.
 */
export async function verifyDeviceHello(
  deps: AppDeps,
  proof: { deviceId: string; signature: string; purpose: DevicePurpose; sealingKey?: string },
  nonce: string,
  ip: string | null = null,
): Promise<DeviceVerdict> {
  const refuse = async (
    code: DeviceRefusalCode,
    reason: string,
    device?: Device,
  ): Promise<DeviceVerdict> => {
    await _auditRefusal(deps, {
      code,
      device,
      ip,
      deviceId: proof.deviceId,
      purpose: proof.purpose,
    });
    return { ok: false, code, reason };
  };
  const candidates = await deps.db.select().from(devices)
    .where(eq(devices.deviceId, proof.deviceId));
  if (candidates.length === 0) return await refuse("unknown_device", "This device is not known");
  if (!DeviceSignatureSchema.safeParse(proof.signature).success) {
    return await refuse("bad_proof", "The device key's signature does not match", candidates[0]);
  }
  const text = new TextEncoder().encode(
    deviceProofText(proof.purpose, proof.deviceId, nonce, proof.sealingKey),
  );
  for (const device of candidates) {
    const key = await importDeviceKey(device.publicKey).catch(() => null);
    if (!key) continue;
    const good = await crypto.subtle.verify("Ed25519", key, base64urlBytes(proof.signature), text);
    if (!good) continue;
    if (device.removedAt) {
      return await refuse("removed", "Unattended access to this computer was removed", device);
    }
    return { ok: true, device };
  }
  return await refuse("bad_proof", "The device key's signature does not match", candidates[0]);
}

/**
 * Audits a refusal without letting a flood write a row per attempt: anyone can send proofs
 * (an unknown id or a forged key costs nothing), so refusals are counted per address, code and
 * device in a fixed window (limits' `deviceRefusalAudit`, shared by every instance), and only
 * the first of a window and each tenfold (10th, 100th, …) become an audit entry, carrying the
 * window's count so far; the first of the next window also carries the exact count of the one
 * before (`previousWindowCount`). Every attempt is still checked and refused.
 */
async function _auditRefusal(
  deps: AppDeps,
  refusal: {
    code: DeviceRefusalCode;
    device?: Device;
    ip: string | null;
    deviceId: string;
    purpose: DevicePurpose;
  },
) {
  const now = deps.clock.now();
  const { code, device, ip } = refusal;
  const request = {
    action: "deviceRefusalAudit" as const,
    key: `${ip ? addressKey(ip) : "-"}:${code}:${device?.id ?? "-"}`,
    now,
  };
  const count = await record(deps.db, request);
  if (count !== 1 && !/^10+$/.test(String(count))) return;
  const previous = count === 1 ? (await windowCounts(deps.db, request)).previous : 0;
  await recordAudit(deps.db, {
    orgId: device?.orgId ?? null,
    action: "unattended.device_refused",
    target: device?.id ?? null,
    ip,
    details: {
      deviceId: refusal.deviceId,
      code,
      purpose: refusal.purpose,
      count,
      ...(previous > 0 ? { previousWindowCount: previous } : {}),
    },
    at: now,
  });
}

/** A nonce for the local command's next HTTP call, good once for a minute. */
export async function issueChallenge(deps: AppDeps, deviceId: string): Promise<string> {
  const now = deps.clock.now();
  const nonce = newNonce();
  await deps.db.delete(deviceChallenges).where(lt(deviceChallenges.expiresAt, now));
  await deps.db.insert(deviceChallenges).values({
    nonce,
    deviceId,
    expiresAt: new Date(now.getTime() + CHALLENGE_TTL_MS),
  });
  return nonce;
}

/** Uses up a nonce issued to `deviceId`; false when unknown, expired or used already. */
export async function consumeChallenge(
  deps: AppDeps,
  deviceId: string,
  nonce: string,
): Promise<boolean> {
  const used = await deps.db.update(deviceChallenges).set({ usedAt: deps.clock.now() }).where(and(
    eq(deviceChallenges.nonce, nonce),
    eq(deviceChallenges.deviceId, deviceId),
    isNull(deviceChallenges.usedAt),
    gt(deviceChallenges.expiresAt, deps.clock.now()),
  )).returning({ nonce: deviceChallenges.nonce });
  return used.length === 1;
}
