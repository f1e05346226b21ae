/**
 * The customer's side (SPEC C7, Q8): the page (later the agent) arriving, losing and
 * regaining its connection, leaving, declining the terms (the customer's chat is in chat.ts).
 * One customer event fans out to every live queue entry of the session; rows that do not take
 * it (an Invitation does not care that the network dropped) are left alone.
 */
import { eq } from "drizzle-orm";
import { recordAudit } from "../audit/mod.ts";
import { addressKey, consume } from "../limits/mod.ts";
import type { Database } from "../db/mod.ts";
import type { AppDeps } from "../http/mod.ts";
import type { Translator } from "../i18n/mod.ts";
import {
  outcomeOfCustomerLeaving,
  type SessionEvent,
  type SessionOutcome,
} from "../sessions/mod.ts";
import {
  applyEvent,
  type Entry,
  liveEntries,
  loadSession,
  logEvent,
  settingsFor,
  type SupportSession,
} from "./engine.ts";
import { sessionEnded } from "./end_hooks.ts";
import type { PinVerdict } from "./pin.ts";
import { rebooting } from "./reboot.ts";
import { type NoDesktopReport, supportSessions } from "./schema.ts";
import { logSessionEvent } from "./session_log.ts";

export async function findByToken(
  deps: AppDeps,
  token: string,
): Promise<SupportSession | undefined> {
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(token)) return undefined;
  const [row] = await deps.db.select().from(supportSessions).where(
    eq(supportSessions.token, token),
  );
  return row;
}

/** One customer event: what each live row takes, the session's new fields, the log line. */
interface Change {
  pick: (entry: Entry) => SessionEvent | null;
  patch: Partial<typeof supportSessions.$inferInsert>;
  log?: string;
  /** The change ends the session for everyone: the end's hooks run after the log line. */
  ends?: SessionOutcome;
}

/**
 * Applies a customer event in one transaction. `change` may be a function of the session as
 * it is now, read with its row locked (`for update`): two instances deciding the same
 * change at once take turns, and the second sees what the first did (null: nothing to do).
 * Returns whether anything changed; only then is it announced.
 */
async function _fanOut(
  deps: AppDeps,
  session: SupportSession,
  change:
    | Change
    | ((fresh: SupportSession, tx: Database) => Change | null | Promise<Change | null>),
): Promise<boolean> {
  const now = deps.clock.now();
  const applied = await deps.db.transaction(async (tx) => {
    let decided: Change | null = null;
    if (typeof change === "function") {
      const [fresh] = await tx.select().from(supportSessions)
        .where(eq(supportSessions.id, session.id)).for("update");
      decided = fresh ? await change(fresh, tx) : null;
    } else decided = change;
    if (!decided) return false; // the common case of a page reload: nothing more to read
    const settings = await settingsFor(tx, session.groupId);
    await tx.update(supportSessions).set({ ...decided.patch, updatedAt: now })
      .where(eq(supportSessions.id, session.id));
    for (const entry of await liveEntries(tx, session.id)) {
      const event = decided.pick(entry);
      if (event) {
        await applyEvent(tx, entry, event, now, {
          settings,
          lenient: true,
          actorName: session.customerName,
        });
      }
    }
    if (decided.log) {
      await logEvent(tx, session.id, decided.log, now, {}, {
        author: "customer",
        name: session.customerName,
      });
    }
    if (decided.ends) {
      const [ended] = await tx.select().from(supportSessions)
        .where(eq(supportSessions.id, session.id));
      await sessionEnded(deps, tx, ended, { outcome: decided.ends, at: now });
    }
    return true;
  });
  if (applied) deps.live.publish({ kind: "session", orgId: session.orgId, sessionId: session.id });
  return applied;
}

/**
 * The customer's page (or agent) is connected: Connecting → Waiting, or back from a drop.
 * Decided on the locked row, not on `session` as the caller read it: another instance may
 * have called the customer lost since (its grace ended just before this stream's hold was
 * written), and this stream must bring them back.
 */
export async function customerConnected(deps: AppDeps, session: SupportSession): Promise<void> {
  if (session.endedAt || session.customerState === "left") return;
  await _fanOut(deps, session, (fresh) => {
    if (fresh.endedAt || fresh.customerState === "left") return null;
    if (fresh.customerState === "connected") return null;
    const first = fresh.customerState === "pending";
    return {
      pick: () => ({ type: first ? "customer_connected" : "network_restored" }),
      // The PIN stays with the session (pin.ts): the support app joins with the same code.
      patch: {
        customerState: "connected",
        pinExpiresAt: null,
        // The wait the reports measure starts when the customer first arrives.
        ...(first ? { connectedAt: deps.clock.now() } : {}),
      },
      log: first ? "log.customerConnected" : "log.customerReconnected",
    };
  });
}

/**
 * The customer's connection dropped (the page's stream closed and did not come back).
 * Idempotent: a customer no longer connected (lost already, left, ended) is left as is and
 * nothing is logged. `held` (in the same transaction, the session row locked) says whether
 * a stream of the session is open somewhere after all: then the customer stays connected.
 * Returns whether the customer was marked lost.
 */
export async function customerLost(
  deps: AppDeps,
  sessionId: string,
  options: { held?: (tx: Database) => Promise<boolean> } = {},
): Promise<boolean> {
  const session = await loadSession(deps.db, sessionId);
  if (session.customerState !== "connected" || session.endedAt) return false;
  return await _fanOut(deps, session, async (fresh, tx) => {
    if (fresh.customerState !== "connected" || fresh.endedAt) return null;
    if (options.held && await options.held(tx)) return null;
    // A restart takes the agent and the page away on purpose: Rebooting, not Reconnecting.
    if (await rebooting(tx, fresh.id)) return null;
    return {
      pick: () => ({ type: "network_lost" }),
      patch: { customerState: "lost" },
      log: "log.customerLost",
    };
  });
}

/** The customer ended the session: Closed (or Closed by waiting customer) on every row. */
export async function customerLeft(deps: AppDeps, session: SupportSession): Promise<void> {
  if (session.customerState === "left") return;
  const now = deps.clock.now();
  await _fanOut(deps, session, (fresh) => {
    const outcome = fresh.outcome ?? outcomeOfCustomerLeaving(fresh.pickedUpAt !== null);
    return {
      pick: (entry) => {
        if (entry.status === "waiting") return { type: "customer_left" };
        if (entry.status === "connecting") return { type: "terms_declined" };
        return { type: "customer_closed" };
      },
      patch: {
        customerState: "left",
        endedAt: fresh.endedAt ?? now,
        outcome,
        pin: null,
        pinExpiresAt: null,
      },
      log: "log.customerLeft",
      // Only when this leave is the end (a session a technician ended already has had its end).
      ends: fresh.endedAt ? undefined : outcome,
    };
  });
}

/** The customer declined the group's terms: the session never starts. */
export async function termsDeclined(deps: AppDeps, session: SupportSession): Promise<void> {
  await _fanOut(deps, session, {
    pick: () => ({ type: "terms_declined" }),
    patch: {
      customerState: "left",
      endedAt: deps.clock.now(),
      outcome: "terms_declined",
      pin: null,
      pinExpiresAt: null,
    },
    log: "log.termsDeclined",
    ends: "terms_declined",
  });
}

export async function acceptTerms(deps: AppDeps, session: SupportSession): Promise<void> {
  await deps.db.update(supportSessions).set({ termsAcceptedAt: deps.clock.now() })
    .where(eq(supportSessions.id, session.id));
}

export async function setCustomerLanguage(
  deps: AppDeps,
  session: SupportSession,
  language: string,
): Promise<void> {
  await deps.db.update(supportSessions).set({ customerLanguage: language })
    .where(eq(supportSessions.id, session.id));
}

/**
 * The support app's device id (from its hello, checked by the protocol's decoder): kept on
 * the session so the device's earlier sessions are found (the History tab).
 */
export async function recordDevice(
  deps: AppDeps,
  session: SupportSession,
  deviceId: string,
): Promise<void> {
  if (session.deviceId === deviceId) return;
  await deps.db.update(supportSessions).set({ deviceId })
    .where(eq(supportSessions.id, session.id));
}

/**
 * What the support app's hello said of its screen (`noDesktop`, null: it shares one), kept
 * on the session for the queue and the workspace; a screen it cannot share is also a line in
 * the session's log, in words (`log.noDesktop.<reason>`), when it is new (not at every
 * reconnection that says the same). Called before `customerConnected`, whose notice then
 * re-renders the rows.
 */
export async function recordNoDesktop(
  deps: AppDeps,
  session: SupportSession,
  report: NoDesktopReport | null,
): Promise<void> {
  // jsonb keeps its own key order: compared field by field.
  const was = session.noDesktop ?? null;
  const same = was === null || report === null
    ? was === report
    : was.reason === report.reason && was.user === report.user && was.detail === report.detail;
  if (same) return;
  await deps.db.update(supportSessions).set({ noDesktop: report, updatedAt: deps.clock.now() })
    .where(eq(supportSessions.id, session.id));
  if (!report) return;
  await logSessionEvent(deps, session, `log.noDesktop.${report.reason}`, {
    user: report.user ?? "",
    detail: report.detail ?? "",
  }, { author: "system" });
}

/** Why the support app shares no screen, in words (the log line's own sentence). */
export function noDesktopWords(t: Translator, report: NoDesktopReport): string {
  return t(`log.noDesktop.${report.reason}`, {
    user: report.user ?? "",
    detail: report.detail ?? "",
  });
}

/**
 * Audits a refused PIN (only its first two digits: enough to spot a sweep, useless to a
 * reader) and, for each live code the guess locked by strikes, logs and audits the lock in
 * that session's organisation so its technician sees why the PIN stopped working.
 */
export async function pinRefused(
  deps: AppDeps,
  verdict: Exclude<PinVerdict, { kind: "ok" }> & { lockedSessionIds?: string[] },
  guess: string,
  ip: string,
): Promise<void> {
  const now = deps.clock.now();
  const reason = verdict.kind === "throttled"
    ? `throttled_${verdict.scope}`
    : /^\d{6}$/.test(guess)
    ? "wrong"
    : "malformed";
  // Guesses refused unchecked cost an attacker nothing: audit the first per address only,
  // or a spray would write one row per request.
  const audited = verdict.kind !== "throttled" ||
    (await consume(deps.db, { action: "pinRefusalAudit", key: addressKey(ip), now })).ok;
  if (audited) {
    await recordAudit(deps.db, {
      action: "session.pin_refused",
      ip,
      details: { reason, prefix: guess.replace(/\D/g, "").slice(0, 2) },
      at: now,
    });
  }
  for (const sessionId of verdict.lockedSessionIds ?? []) {
    const session = await loadSession(deps.db, sessionId);
    const logId = await deps.db.transaction(async (tx) => {
      await recordAudit(tx, {
        orgId: session.orgId,
        action: "session.pin_locked",
        target: sessionId,
        ip,
        details: { number: session.number },
        at: now,
      });
      return await logEvent(tx, sessionId, "log.pinLocked", now);
    });
    deps.live.publish({ kind: "log", orgId: session.orgId, sessionId, logId });
  }
}
