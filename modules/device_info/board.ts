/**
 * What a session's device dashboard holds, per app, in memory: the customer's consent as a
 * little state machine (rules as data, like modules/sessions/transitions.ts), the last report
 * the customer's browser sent, and a version that wakes whoever waits for a change (the
 * customer's page waits for an ask or a refresh; the technician's tab reads it again).
 *
 * Memory, not the database: the values are a live reading of the customer's browser, useful
 * while the session lasts and stale after; no report or history needs them, and keeping a
 * customer's device details nowhere else is the smaller promise. What was asked and answered is
 * in the session log (written by routes.tsx), which is what lasts.
 */
import type { AppDeps } from "../http/mod.ts";
import type { DeviceReport } from "./report.ts";

/** `lost`: the instance that held the board died with its values (device_home.ts). */
export type DeviceConsent = "off" | "asked" | "granted" | "denied" | "stopped" | "lost";
export type DeviceMove = "ask" | "allow" | "deny" | "stop";

/** Every allowed move; any other is refused with the consent it was tried in. */
export const DEVICE_MOVES: {
  readonly [S in DeviceConsent]: Partial<Record<DeviceMove, DeviceConsent>>;
} = {
  off: { ask: "asked" },
  asked: { allow: "granted", deny: "denied" },
  granted: { stop: "stopped" },
  denied: { ask: "asked" },
  stopped: { ask: "asked" },
  lost: { ask: "asked" },
};

/** The next consent, or null when `move` is not allowed from `from`. */
export function nextConsent(from: DeviceConsent, move: DeviceMove): DeviceConsent | null {
  return DEVICE_MOVES[from][move] ?? null;
}

export interface DeviceEntry {
  consent: DeviceConsent;
  /** Who asked last: named on the customer's prompt, the actor of the audit entry. */
  askedBy: Asker | null;
  report: DeviceReport | null;
  /** The User-Agent header of the request that brought the report. */
  userAgent: string;
  reportedAt: Date | null;
  /** Bumped by every change; the customer's page waits for a higher one. */
  version: number;
  /** Bumped by a technician's Refresh: the customer's page reads everything again. */
  refresh: number;
}

export interface Asker {
  id: string;
  name: string;
  email: string | null;
}

type Waiter = () => void;

/** Questions held at once per session (board.waitPast). */
export const MAX_WAITING = 8;

/** One app's entries by session id, and the customer pages waiting on them. */
export class DeviceBoard {
  #entries = new Map<string, DeviceEntry>();
  #waiters = new Map<string, Set<Waiter>>();

  get(sessionId: string): DeviceEntry {
    return this.#entries.get(sessionId) ??
      {
        consent: "off",
        askedBy: null,
        report: null,
        userAgent: "",
        reportedAt: null,
        version: 0,
        refresh: 0,
      };
  }

  /** Applies `move`; returns the new entry, or null (nothing changed) when it is not allowed. */
  move(sessionId: string, move: DeviceMove, by?: Asker): DeviceEntry | null {
    const entry = this.get(sessionId);
    const consent = nextConsent(entry.consent, move);
    if (!consent) return null;
    const keep = consent === "granted";
    return this.#set(sessionId, {
      ...entry,
      consent,
      askedBy: move === "ask" ? by ?? null : entry.askedBy,
      // Only a customer who shares has values here: a stop or a new ask forgets them.
      report: keep ? entry.report : null,
      reportedAt: keep ? entry.reportedAt : null,
      userAgent: keep ? entry.userAgent : "",
    });
  }

  /** Keeps the customer's latest report (only while it shares). */
  report(sessionId: string, report: DeviceReport, userAgent: string, at: Date): boolean {
    const entry = this.get(sessionId);
    if (entry.consent !== "granted") return false;
    this.#set(sessionId, { ...entry, report, userAgent, reportedAt: at });
    return true;
  }

  /** A technician wants fresh values: the sharing page is woken to send them. */
  askRefresh(sessionId: string): boolean {
    const entry = this.get(sessionId);
    if (entry.consent !== "granted") return false;
    this.#set(sessionId, { ...entry, refresh: entry.refresh + 1 });
    return true;
  }

  /**
   * The board was claimed here after the instance holding it died: its values went with it.
   * `version` starts past any the old board reached (a time in ms), so a customer page that
   * waits on an old version hears at once.
   */
  lost(sessionId: string, version: number) {
    this.#entries.set(sessionId, { ...this.get(sessionId), consent: "lost", version });
    this.#wake(sessionId);
  }

  /** The session ended: nothing of it is kept. */
  forget(sessionId: string) {
    this.#entries.delete(sessionId);
    this.#wake(sessionId);
  }

  /**
   * Resolves when the session's version passes `after`, or after `ms` (then with the same
   * version): how the customer's page hears an ask or a refresh without a stream of its own.
   */
  waitPast(sessionId: string, after: number, ms: number, signal?: AbortSignal): Promise<void> {
    if (this.get(sessionId).version > after || signal?.aborted) return Promise.resolve();
    // A page holds one; a few tabs a few. More is no customer's page: answered at once.
    if (this.waiting(sessionId) >= MAX_WAITING) return Promise.resolve();
    return new Promise((resolve) => {
      let waiters = this.#waiters.get(sessionId);
      if (!waiters) this.#waiters.set(sessionId, waiters = new Set());
      const set = waiters;
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        set.delete(done);
        if (set.size === 0 && this.#waiters.get(sessionId) === set) {
          this.#waiters.delete(sessionId);
        }
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener("abort", done);
      set.add(done);
    });
  }

  /** How many customer pages hold a question on the session now (the tests count them). */
  waiting(sessionId: string): number {
    return this.#waiters.get(sessionId)?.size ?? 0;
  }

  #set(sessionId: string, entry: DeviceEntry): DeviceEntry {
    const next = { ...entry, version: entry.version + 1 };
    this.#entries.set(sessionId, next);
    this.#wake(sessionId);
    return next;
  }

  #wake(sessionId: string) {
    for (const waiter of [...this.#waiters.get(sessionId) ?? []]) waiter();
  }
}

const boards = new WeakMap<AppDeps, DeviceBoard>();

/** The app's board (one per app, so tests can run many side by side). */
export function deviceBoard(deps: AppDeps): DeviceBoard {
  let board = boards.get(deps);
  if (!board) boards.set(deps, board = new DeviceBoard());
  return board;
}

/**
 * For support's `whenSessionEnds` (registered by the app): an ended session's entry goes at
 * once, and a customer page waiting on it wakes to hear that the session is over.
 */
export function forgetDeviceInfoAtEnd(deps: AppDeps) {
  return (_tx: unknown, session: { id: string }) => {
    deviceBoard(deps).forget(session.id);
    return Promise.resolve();
  };
}
