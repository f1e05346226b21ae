/**
 * The one rate limiter (issue 11): counts live in `rate_limits`, so every door of an action
 * and every instance of the server spend the same budget. A use is one atomic upsert
 * (`count = count + 1 … returning count`), so 50 concurrent uses of a budget of 30 grant
 * exactly 30 on either engine; a refused use is taken back, so it costs the caller nothing
 * and Retry-After stays true. Windows older than two of their length are swept now and then.
 */
import { and, eq, like, lt, sql } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import type { TranslationKey } from "../i18n/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { type LimitAction, LIMITS, slidingVerdict } from "./policy.ts";
import { rateLimits } from "./schema.ts";

export interface LimitRequest {
  action: LimitAction;
  /** Per what: a user id, an address (see `addressKey`), a session id, `*`. */
  key: string;
  now: Date;
}

export type LimitVerdict =
  | { ok: true; refund(): Promise<void> }
  | { ok: false; retryAfterSeconds: number };

/** What a person is told when a limit stops them ({{count}} seconds until they may try again). */
const LIMIT_MESSAGE: Record<LimitAction, TranslationKey> = {
  sessionCreate: "limits.sessionCreate",
  lensInvite: "limits.tooFast",
  channelForm: "channels.public.tooManySubmissions",
  customerChat: "limits.customerChat",
  pinAddress: "limits.tooFast",
  pinGlobal: "limits.tooFast",
  pinFirstTries: "limits.tooFast",
  pinRefusalAudit: "limits.tooFast",
  deviceRefusalAudit: "limits.tooFast",
  ssoStart: "limits.tooFast",
  passwordResetAddress: "limits.tooFast",
  passwordResetAccount: "limits.tooFast",
};

/** A use refused by the limiter: a 429 refusal with Retry-After, like every other refusal. */
export class RateLimited extends Refusal {
  constructor(readonly action: LimitAction, readonly retryAfterSeconds: number) {
    super(429, LIMIT_MESSAGE[action], {
      params: { count: retryAfterSeconds },
      headers: { "Retry-After": String(retryAfterSeconds) },
      reason: `Rate limit of ${action} reached, retry after ${retryAfterSeconds} s`,
    });
    this.name = "RateLimited";
  }
}

/** Takes one use from the budget, or says how long to wait (the use is then not counted). */
export async function consume(db: Database, request: LimitRequest): Promise<LimitVerdict> {
  const { windowMs, max } = LIMITS[request.action];
  const w = _window(request);
  const [current, prev] = await Promise.all([
    _increment(db, w.key, w.start),
    _count(db, w.key, w.prevStart),
  ]);
  const verdict = slidingVerdict(
    { prev, current: current - 1 },
    { elapsedMs: w.elapsedMs, windowMs, max },
  );
  const refund = () => _decrement(db, w.key, w.start);
  await _sweepNowAndThen(db, request.now);
  if (verdict.ok) return { ok: true, refund };
  await refund();
  return verdict;
}

/** `consume`, throwing `RateLimited` when refused; returns the refund. */
export async function enforce(db: Database, request: LimitRequest): Promise<() => Promise<void>> {
  const verdict = await consume(db, request);
  if (!verdict.ok) throw new RateLimited(request.action, verdict.retryAfterSeconds);
  return verdict.refund;
}

/**
 * Counts one use whatever the budget says (something that happened, not a request); the
 * current fixed window's count, this use included.
 */
export async function record(db: Database, request: LimitRequest): Promise<number> {
  const w = _window(request);
  return await _increment(db, w.key, w.start);
}

/** The exact counts of the current and the previous fixed window, as `record` left them. */
export async function windowCounts(
  db: Database,
  request: LimitRequest,
): Promise<{ current: number; previous: number }> {
  const w = _window(request);
  const [current, previous] = await Promise.all([
    _count(db, w.key, w.start),
    _count(db, w.key, w.prevStart),
  ]);
  return { current, previous };
}

/** The sliding estimate of uses so far (previous window weighed in), without using any. */
export async function usage(db: Database, request: LimitRequest): Promise<number> {
  const { windowMs } = LIMITS[request.action];
  const w = _window(request);
  const [current, prev] = await Promise.all([
    _count(db, w.key, w.start),
    _count(db, w.key, w.prevStart),
  ]);
  return prev * (1 - w.elapsedMs / windowMs) + current;
}

/** Deletes windows that no estimate reads any more (older than two of their length). */
export async function sweepRateLimits(db: Database, now: Date): Promise<void> {
  for (const [action, { windowMs }] of Object.entries(LIMITS)) {
    await db.delete(rateLimits).where(and(
      like(rateLimits.key, `${action}:%`),
      lt(rateLimits.windowStart, new Date(now.getTime() - 2 * windowMs)),
    ));
  }
}

/**
 * The throttling key of a client address: IPv6 by its /64 (one customer line gets a whole
 * /64, so single addresses would cost an attacker nothing) or, with `v6Bits: 48`, by the
 * /48 a site usually gets; IPv4 as it is.
 */
export function addressKey(ip: string, options: { v6Bits?: 48 | 64 } = {}): string {
  const address = ip.trim().toLowerCase().replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped) return mapped[1];
  if (!address.includes(":")) return address;
  const [head, tail = ""] = address.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = address.includes("::")
    ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right]
    : left;
  const bits = options.v6Bits ?? 64;
  const kept = groups.slice(0, bits / 16).map((g) => g.replace(/^0+(?=.)/, ""));
  return `${kept.join(":")}::/${bits}`;
}

function _window(request: LimitRequest) {
  const { windowMs } = LIMITS[request.action];
  const at = request.now.getTime();
  const start = Math.floor(at / windowMs) * windowMs;
  return {
    key: `${request.action}:${request.key}`,
    start: new Date(start),
    prevStart: new Date(start - windowMs),
    elapsedMs: at - start,
  };
}

async function _increment(db: Database, key: string, windowStart: Date): Promise<number> {
  const [row] = await db.insert(rateLimits).values({ key, windowStart, count: 1 })
    .onConflictDoUpdate({
      target: [rateLimits.key, rateLimits.windowStart],
      set: { count: sql`${rateLimits.count} + 1` },
    }).returning({ count: rateLimits.count });
  return row.count;
}

async function _decrement(db: Database, key: string, windowStart: Date): Promise<void> {
  await db.update(rateLimits).set({ count: sql`greatest(${rateLimits.count} - 1, 0)` })
    .where(and(eq(rateLimits.key, key), eq(rateLimits.windowStart, windowStart)));
}

async function _count(db: Database, key: string, windowStart: Date): Promise<number> {
  const [row] = await db.select({ count: rateLimits.count }).from(rateLimits)
    .where(and(eq(rateLimits.key, key), eq(rateLimits.windowStart, windowStart)));
  return row?.count ?? 0;
}

const SWEEP_EVERY_MS = 60_000;
const _lastSweep = new WeakMap<Database, number>();

/** At most once a minute per database handle, the request that comes by sweeps. */
async function _sweepNowAndThen(db: Database, now: Date): Promise<void> {
  const last = _lastSweep.get(db);
  const at = now.getTime();
  if (last !== undefined && at - last < SWEEP_EVERY_MS && at >= last) return;
  _lastSweep.set(db, at);
  await sweepRateLimits(db, now);
}
