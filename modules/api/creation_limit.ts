/**
 * How many sessions one API caller may create: a sliding one-minute window per user, kept
 * in memory per app. A script gone wrong would otherwise fill the PIN space (a million
 * codes, shared by the whole installation) and every technician's queue. The windows hang
 * off the app's dependencies, so two apps in one process (tests) never share them.
 */
export const CREATION_LIMIT = { max: 30, windowMs: 60_000 } as const;

export type Reservation = { ok: true; release(): void } | { ok: false; retryAfterSeconds: number };

const _windows = new WeakMap<object, Map<string, number[]>>();

/**
 * Takes one creation from `userId`'s budget at `now`, or says how many seconds until one
 * is free. `release()` gives it back when the creation did not happen after all.
 */
export function reserveCreation(
  owner: object,
  userId: string,
  now: Date,
  limit: { max: number; windowMs: number } = CREATION_LIMIT,
): Reservation {
  let perUser = _windows.get(owner);
  if (!perUser) _windows.set(owner, perUser = new Map());
  const at = now.getTime();
  const recent = (perUser.get(userId) ?? []).filter((t) => t > at - limit.windowMs);
  if (recent.length >= limit.max) {
    perUser.set(userId, recent);
    const freeAt = recent[recent.length - limit.max] + limit.windowMs;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((freeAt - at) / 1000)) };
  }
  recent.push(at);
  perUser.set(userId, recent);
  return {
    ok: true,
    release() {
      const times = perUser.get(userId) ?? [];
      const i = times.lastIndexOf(at);
      if (i >= 0) times.splice(i, 1);
      if (times.length === 0) perUser.delete(userId);
    },
  };
}
