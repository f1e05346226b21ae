/**
 * Where a Lens session lives in a cluster (`lens_homes`): its phone peer, viewer peers and
 * state are in the memory of the instance that started it, so requests that land elsewhere —
 * the technician's `/console/lens…` (found by the technician), the phone's `/lens/<token>…`
 * (found by the token's hash) — are relayed there (`relayTo`, modules/remote). The row is
 * written at start and removed at the end; a dead instance's rows go with its `instances` row,
 * after which its sessions are simply not running anywhere (the technician's page says so).
 * The row's unique `user_id` is "one Lens session per technician" across the cluster.
 */
import { and, eq } from "drizzle-orm";
import { liveInstanceUrl } from "../cluster/mod.ts";
import type { AppDeps } from "../http/mod.ts";
import { sha256Hex } from "../tokens/mod.ts";
import { lensHomes } from "./schema.ts";

/** Where a Lens session is: here, on another live instance, or nowhere. */
export type LensHome =
  | { kind: "here" }
  | { kind: "elsewhere"; instanceId: string; url: string }
  | { kind: "none" };

/**
 * Claims the home of a session starting here. False when the technician already has one on a
 * live instance (the caller refuses: one per technician); a row naming a dead instance that
 * was not reaped yet, or this instance (a session it no longer holds), is replaced.
 */
export async function claimLensHome(
  deps: AppDeps,
  lens: { id: string; userId: string; token: string },
): Promise<boolean> {
  const row = {
    lensId: lens.id,
    userId: lens.userId,
    tokenHash: await sha256Hex(lens.token),
    instanceId: deps.instance.id,
    since: deps.clock.now(),
  };
  const [held] = await deps.db.select({ instanceId: lensHomes.instanceId }).from(lensHomes)
    .where(eq(lensHomes.userId, lens.userId));
  if (held && held.instanceId !== deps.instance.id) {
    const url = await liveInstanceUrl(deps.db, held.instanceId, deps.clock.now());
    if (url) return false;
  }
  if (held) {
    await deps.db.delete(lensHomes).where(and(
      eq(lensHomes.userId, lens.userId),
      eq(lensHomes.instanceId, held.instanceId),
    ));
  }
  // Two starts at once on two instances: the unique user id lets one in.
  const written = await deps.db.insert(lensHomes).values(row).onConflictDoNothing()
    .returning({ lensId: lensHomes.lensId });
  return written.length > 0;
}

/** The session ended here: its row goes (only its own). */
export async function releaseLensHome(deps: AppDeps, lensId: string): Promise<void> {
  await deps.db.delete(lensHomes).where(eq(lensHomes.lensId, lensId));
}

async function _home(deps: AppDeps, instanceId: string | undefined): Promise<LensHome> {
  if (!instanceId) return { kind: "none" };
  if (instanceId === deps.instance.id) return { kind: "here" };
  const url = await liveInstanceUrl(deps.db, instanceId, deps.clock.now());
  return url ? { kind: "elsewhere", instanceId, url } : { kind: "none" };
}

/** The home of the technician's running Lens session. */
export async function lensHomeOfTechnician(deps: AppDeps, userId: string): Promise<LensHome> {
  const [row] = await deps.db.select({ instanceId: lensHomes.instanceId }).from(lensHomes)
    .where(eq(lensHomes.userId, userId));
  return await _home(deps, row?.instanceId);
}

/** The home of the Lens session a customer's link names. */
export async function lensHomeOfToken(deps: AppDeps, token: string): Promise<LensHome> {
  if (!token || token.length > 200) return { kind: "none" };
  const [row] = await deps.db.select({ instanceId: lensHomes.instanceId }).from(lensHomes)
    .where(eq(lensHomes.tokenHash, await sha256Hex(token)));
  return await _home(deps, row?.instanceId);
}

/** The home of a Lens session by its id (a recording's part left open: is it still written?). */
export async function lensHomeOf(deps: AppDeps, lensId: string): Promise<LensHome> {
  const [row] = await deps.db.select({ instanceId: lensHomes.instanceId }).from(lensHomes)
    .where(eq(lensHomes.lensId, lensId));
  return await _home(deps, row?.instanceId);
}
