import { findUserById, listApiTokens, listDevices, unusedRecoveryCodeCount } from "../auth/mod.ts";
import type { AppDeps } from "../http/mod.ts";
import { Refusal } from "../refusal/mod.ts";

/**
 * What the account page shows: the person as stored, the recovery codes they have left,
 * their signed-in devices and their API tokens. Read by the route, typed for the views.
 */
export async function loadAccount(deps: Pick<AppDeps, "db" | "clock">, userId: string) {
  const { db, clock } = deps;
  const user = await findUserById(db, userId);
  if (!user) throw new Refusal(401, "errors.unauthenticated");
  return {
    user,
    unusedCodes: user.totpEnabledAt ? await unusedRecoveryCodeCount(db, user.id) : 0,
    devices: await listDevices(db, user.id, clock.now()),
    tokens: await listApiTokens(db, user.id),
  };
}

export type AccountData = Awaited<ReturnType<typeof loadAccount>>;
