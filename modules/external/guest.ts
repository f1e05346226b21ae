/**
 * The external technician's side: the one-time link or PIN turns into an access cookie
 * (its SHA-256 stored), and every request and stream of the guest checks that access again
 * — it ends with the session, when the lead removes the guest, or when the invitation
 * expires, and then says which. PIN guesses share the customers' PIN budgets per address and
 * across the installation (modules/limits), so guessing here is throttled the same way.
 */
import { and, eq, isNull } from "drizzle-orm";
import { recordAudit } from "../audit/mod.ts";
import type { AppDeps, SessionGuest } from "../http/mod.ts";
import type { Language } from "../i18n/mod.ts";
import { addressKey, consume, type LimitVerdict, record } from "../limits/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import {
  type Granted,
  invitedGrant,
  loadSession,
  logSessionEvent,
  type SupportSession,
} from "../support/mod.ts";
import { randomToken, sha256Hex } from "../tokens/mod.ts";
import { type ExternalGuest, pinFingerprint } from "./invite.ts";
import { externalGuests, type GuestEnd } from "./schema.ts";

/** Why a guest has no access (any more): shown on the refusal page. */
export type NoAccess = GuestEnd | "unknown";

export class GuestRefused extends Refusal {
  constructor(readonly reason: NoAccess, readonly guest?: ExternalGuest) {
    super(reason === "unknown" ? 403 : 410, `external.guest.reason_${reason}`);
  }
}

/**
 * Audits a refused use of a guest's link or cookie (a replay after removal, expiry or the
 * session's end): who it was and why. Unknown capabilities are not recorded per request.
 */
export async function auditRefusal(
  deps: AppDeps,
  refused: GuestRefused,
  by: "link" | "cookie",
  ip: string,
): Promise<void> {
  const guest = refused.guest;
  if (!guest) return;
  await recordAudit(deps.db, {
    orgId: guest.orgId,
    action: "external.refused",
    target: guest.sessionId,
    ip,
    details: { guestId: guest.id, name: guest.name, by, reason: refused.reason },
    at: deps.clock.now(),
  });
}

export interface GuestAccess {
  guest: ExternalGuest;
  session: SupportSession;
  /**
   * What the guest may do in the session now: its invitation's permission set narrowed to
   * what its inviter's group allows (modules/support `invitedGrant`, the collaborators' rule).
   * Every guest route and socket checks this, never the invitation's set alone.
   */
  granted: Granted;
}

/**
 * The guest as a request under `/x` carries it (`guest` in the context): what the tool
 * routes' caller check (support's `sessionForCaller`) reads — its one session and what it
 * may do there now.
 */
export function asSessionGuest(
  deps: AppDeps,
  access: GuestAccess,
  cookie: string | undefined,
): SessionGuest {
  const { guest, granted } = access;
  return {
    id: guest.id,
    orgId: guest.orgId,
    sessionId: guest.sessionId,
    name: guest.name,
    email: guest.email,
    permissions: granted.permissions,
    watch: (lost) => _watch(deps, guest, cookie, lost),
  };
}

/**
 * Calls `lost` once the guest's access ends: looked at again on every notice about its
 * session, its organisation's rights or a resync, and when the invitation expires.
 */
function _watch(
  deps: AppDeps,
  guest: ExternalGuest,
  cookie: string | undefined,
  lost: () => void,
): () => void {
  let gone = false;
  const recheck = () =>
    guestAccess(deps, cookie).then(() => {}, (error) => {
      if (!(error instanceof GuestRefused) || gone) return;
      gone = true;
      lost();
    });
  const unsubscribe = deps.live.subscribe(guest.orgId, (event) => {
    const ours = "sessionId" in event && event.sessionId === guest.sessionId &&
      event.kind === "session";
    if (ours || event.kind === "access" || event.kind === "resync") recheck();
  });
  const left = guest.expiresAt.getTime() - deps.clock.now().getTime();
  const timer = setTimeout(recheck, Math.min(Math.max(left + 500, 0), 2 ** 31 - 1));
  return () => (unsubscribe(), clearTimeout(timer));
}

/** Opens a one-time link: the guest's access token (for its cookie), or a refusal. */
export async function redeemLink(
  deps: AppDeps,
  token: string,
): Promise<{ access: string; guest: ExternalGuest }> {
  if (!/^[A-Za-z0-9_-]{20,64}$/.test(token)) throw new Refusal(404, "external.guest.linkUnknown");
  const [guest] = await deps.db.select().from(externalGuests)
    .where(eq(externalGuests.linkHash, await sha256Hex(token)));
  if (!guest) throw new Refusal(404, "external.guest.linkUnknown");
  await _stillValid(deps, guest);
  if (guest.joinedAt) {
    await recordAudit(deps.db, {
      orgId: guest.orgId,
      action: "external.refused",
      target: guest.sessionId,
      details: { guestId: guest.id, name: guest.name, by: "link", reason: "used" },
      at: deps.clock.now(),
    });
    throw new Refusal(410, "external.guest.linkUsed");
  }
  return await _join(deps, guest);
}

export type PinOutcome =
  | { kind: "ok"; access: string; guest: ExternalGuest }
  | { kind: "wrong" | "malformed" }
  | { kind: "throttled"; scope: "address" | "global"; retryAfterSeconds: number };

/** A PIN entered on /x/pin from `ip`; the chosen language becomes the guest's. */
export async function redeemPin(
  deps: AppDeps,
  guess: string,
  ip: string,
  lang: Language,
): Promise<PinOutcome> {
  const now = deps.clock.now();
  const own = await consume(deps.db, { action: "pinAddress", key: addressKey(ip), now });
  if (!own.ok) {
    return { kind: "throttled", scope: "address", retryAfterSeconds: own.retryAfterSeconds };
  }
  const first = await consume(deps.db, {
    action: "pinFirstTries",
    key: addressKey(ip, { v6Bits: 48 }),
    now,
  });
  let server: LimitVerdict | null = null;
  if (!first.ok) {
    server = await consume(deps.db, { action: "pinGlobal", key: "*", now });
    if (!server.ok) {
      await own.refund();
      return { kind: "throttled", scope: "global", retryAfterSeconds: server.retryAfterSeconds };
    }
  }
  if (/^\d{6}$/.test(guess)) {
    const [guest] = await deps.db.select().from(externalGuests).where(and(
      eq(externalGuests.pinHash, await pinFingerprint(guess)),
      isNull(externalGuests.joinedAt),
      isNull(externalGuests.endedAt),
    ));
    if (guest && guest.expiresAt > now) {
      for (const use of [own, first, server]) if (use?.ok) await use.refund();
      await deps.db.update(externalGuests).set({ language: lang })
        .where(eq(externalGuests.id, guest.id));
      try {
        return { kind: "ok", ...(await _join(deps, { ...guest, language: lang })) };
      } catch (error) {
        if (!(error instanceof GuestRefused)) throw error;
      }
    }
  }
  if (first.ok) await record(deps.db, { action: "pinGlobal", key: "*", now });
  return { kind: /^\d{6}$/.test(guess) ? "wrong" : "malformed" };
}

/**
 * The guest behind an access cookie and its session, if the access still holds; otherwise
 * a `GuestRefused` naming why (an expiry found here is recorded once).
 */
export async function guestAccess(deps: AppDeps, access: string | undefined): Promise<GuestAccess> {
  if (!access || !/^[A-Za-z0-9_-]{20,64}$/.test(access)) throw new GuestRefused("unknown");
  const [guest] = await deps.db.select().from(externalGuests)
    .where(eq(externalGuests.accessHash, await sha256Hex(access)));
  if (!guest) throw new GuestRefused("unknown");
  const session = await _stillValid(deps, guest);
  return { guest, session, granted: await invitedGrant(deps, guest.invitedBy, guest.permissions) };
}

/** Throws why `guest` has no access now; the session when it has. */
async function _stillValid(deps: AppDeps, guest: ExternalGuest): Promise<SupportSession> {
  if (guest.endReason) throw new GuestRefused(guest.endReason, guest);
  const session = await loadSession(deps.db, guest.sessionId);
  if (session.endedAt) throw new GuestRefused("ended", guest);
  const now = deps.clock.now();
  if (guest.expiresAt <= now) {
    await _expire(deps, guest, session);
    throw new GuestRefused("expired", guest);
  }
  return session;
}

async function _expire(deps: AppDeps, guest: ExternalGuest, session: SupportSession) {
  const now = deps.clock.now();
  const expired = await deps.db.transaction(async (tx) => {
    const [row] = await tx.update(externalGuests).set({ endedAt: now, endReason: "expired" })
      .where(and(eq(externalGuests.id, guest.id), isNull(externalGuests.endedAt))).returning();
    if (!row) return false;
    await recordAudit(tx, {
      orgId: guest.orgId,
      action: "external.expired",
      target: guest.sessionId,
      details: { guestId: guest.id, name: guest.name, email: guest.email },
      at: now,
    });
    return true;
  });
  if (!expired) return;
  await logSessionEvent(deps, session, "log.externalExpired", { name: guest.name }, {
    author: "system",
  });
  deps.live.publish({ kind: "session", orgId: guest.orgId, sessionId: guest.sessionId });
}

/** Uses the link or PIN once: a fresh access token, the join logged and audited. */
async function _join(
  deps: AppDeps,
  guest: ExternalGuest,
): Promise<{ access: string; guest: ExternalGuest }> {
  const session = await _stillValid(deps, guest);
  const access = randomToken();
  const now = deps.clock.now();
  const joined = await deps.db.transaction(async (tx) => {
    const [row] = await tx.update(externalGuests).set({
      joinedAt: now,
      accessHash: await sha256Hex(access),
      // A PIN works once: cleared, so entering it again is a wrong code.
      pinHash: null,
    }).where(and(eq(externalGuests.id, guest.id), isNull(externalGuests.joinedAt)))
      .returning();
    if (!row) return null;
    await recordAudit(tx, {
      orgId: guest.orgId,
      action: "external.joined",
      target: guest.sessionId,
      details: { guestId: guest.id, name: guest.name, email: guest.email, method: guest.method },
      at: now,
    });
    return row;
  });
  // Two tabs opening the same link at once: the second finds it used.
  if (!joined) throw new Refusal(410, "external.guest.linkUsed");
  await logSessionEvent(deps, session, "log.externalJoined", { name: guest.name }, {
    name: guest.name,
    author: "technician",
  });
  deps.live.publish({ kind: "session", orgId: guest.orgId, sessionId: guest.sessionId });
  return { access, guest: joined };
}
