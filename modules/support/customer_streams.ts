/**
 * The customer page's live stream (SPEC C7, T1): one server-sent-event stream per open page.
 * Opening it is what "the customer is connected" means; when the last stream of a session
 * closes and none comes back within a grace period (a reload, a flaky network), the customer
 * is lost. The per-app registry counts open streams per session and owns the grace timers,
 * so tests can shorten the grace and wait until nothing is pending.
 *
 * Several instances: each writes how many streams of a session it holds to
 * `customer_stream_holds` (its rows go with its `instances` row when it dies). A grace that
 * ends calls the customer lost only if no instance holds a stream of the session then,
 * decided with the session row locked — so a stream that reopened on another instance wins,
 * and two instances whose timers end together change the session once. Sessions still
 * marked connected that nobody holds (their instance died or crashed) get the grace of a
 * dropped stream from whichever instance notices first (`reconcile`).
 */
import { and, count, eq, isNull, notExists, notInArray, sql } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import type { AppDeps, LiveStream } from "../http/mod.ts";
import type { Translator } from "../i18n/mod.ts";
import { customerConnected, customerLost, findByToken } from "./customer.ts";
import { loadSession, type SupportSession } from "./engine.ts";
import { readLog } from "./session_log.ts";
import { customerStreamHolds, supportSessions } from "./schema.ts";
import { isCustomerVisible, renderLogLine } from "./customer_log_view.tsx";

export interface CustomerStreamOptions {
  /** How long a session may have no open stream before the customer counts as lost. */
  graceMs: number;
  /** Comment lines that keep proxies from closing an idle stream. */
  heartbeatMs: number;
}

type Timer = ReturnType<typeof setTimeout>;

interface Grace {
  timer: Timer;
  done: Promise<void>;
  settle: () => void;
}

/** Open streams and pending grace timers of one app, keyed by session id. */
export class CustomerStreams {
  readonly options: CustomerStreamOptions = { graceMs: 5_000, heartbeatMs: 15_000 };
  #open = new Map<string, number>();
  #grace = new Map<string, Grace>();
  /** Each session's hold writes, chained so they land in the order the streams came and went. */
  #writes = new Map<string, Promise<void>>();

  constructor(private deps: AppDeps) {}

  /**
   * A stream opened: cancels the session's pending loss, if any, and records the hold.
   * Resolves once the hold is written — call `customerConnected` after that, so a grace
   * ending elsewhere either sees the hold or is undone by it.
   */
  opened(sessionId: string): Promise<void> {
    const pending = this.#grace.get(sessionId);
    if (pending) {
      clearTimeout(pending.timer);
      this.#grace.delete(sessionId);
      pending.settle();
    }
    this.#open.set(sessionId, (this.#open.get(sessionId) ?? 0) + 1);
    return this.#write(sessionId, (db) => addHold(db, sessionId, this.deps.instance.id));
  }

  /** A stream closed: the last one starts the grace period, after which the customer is lost. */
  closed(sessionId: string): Promise<void> {
    const left = (this.#open.get(sessionId) ?? 1) - 1;
    const write = this.#write(sessionId, (db) => dropHold(db, sessionId, this.deps.instance.id));
    if (left > 0) {
      this.#open.set(sessionId, left);
      return write;
    }
    this.#open.delete(sessionId);
    this.#startGrace(sessionId);
    return write;
  }

  /**
   * Sessions the database still calls connected that no instance holds a stream of (the
   * one that held them died or crashed, and its holds went with its row): each gets the
   * grace of a closed stream — a page or agent back in time keeps it, the rest go
   * Reconnecting. Run at start-up, when a beat removed dead instances, and every few
   * seconds as a safety net; several instances may arm the same session, the locked check
   * at the end applies the loss once. Returns how many were put on notice here.
   */
  async reconcile(): Promise<number> {
    const rows = await this.deps.db.select({ id: supportSessions.id }).from(supportSessions)
      .where(and(
        eq(supportSessions.customerState, "connected"),
        isNull(supportSessions.endedAt),
        notExists(
          this.deps.db.select({ one: sql`1` }).from(customerStreamHolds)
            .where(eq(customerStreamHolds.sessionId, supportSessions.id)),
        ),
      ));
    let armed = 0;
    for (const { id } of rows) {
      if (this.openCount(id) > 0 || this.#grace.has(id)) continue;
      this.#startGrace(id);
      armed++;
    }
    return armed;
  }

  /**
   * The periodic check: first this instance's holds as the database has them. Gone if
   * another instance took this one for dead while it stalled (the beat wrote its row again
   * since): written again, and the customers of those streams connected again. Left over
   * from a close whose write failed: removed, or that customer would never be lost. Then
   * `reconcile`. Cheap when all is well: one count and one query that finds nothing.
   */
  async sweep(): Promise<number> {
    const me = this.deps.instance.id;
    const [{ held }] = await this.deps.db.select({ held: count() }).from(customerStreamHolds)
      .where(eq(customerStreamHolds.instanceId, me));
    if (held !== this.#open.size && this.#writes.size === 0) {
      const open = [...this.#open.keys()];
      await this.deps.db.delete(customerStreamHolds).where(and(
        eq(customerStreamHolds.instanceId, me),
        open.length > 0 ? notInArray(customerStreamHolds.sessionId, open) : undefined,
      ));
      for (const [sessionId, streams] of this.#open) {
        await this.#write(sessionId, (db) => setHold(db, sessionId, me, streams));
        const session = await loadSession(this.deps.db, sessionId).catch(() => null);
        if (session && this.openCount(sessionId) > 0) await customerConnected(this.deps, session);
      }
    }
    return await this.reconcile();
  }

  /** Runs `write` after the session's earlier hold writes; a failure is logged, not thrown. */
  #write(sessionId: string, write: (db: Database) => Promise<void>): Promise<void> {
    const next = (this.#writes.get(sessionId) ?? Promise.resolve()).then(() => write(this.deps.db))
      .catch((error) => {
        this.deps.log.warn("customer stream hold not written", { sessionId, error: String(error) });
      });
    this.#writes.set(sessionId, next);
    next.then(() => {
      if (this.#writes.get(sessionId) === next) this.#writes.delete(sessionId);
    });
    return next;
  }

  #startGrace(sessionId: string): void {
    let settle = () => {};
    const done = new Promise<void>((resolve) => settle = resolve);
    const timer = setTimeout(async () => {
      try {
        await this.#expire(sessionId);
      } catch (error) {
        this.deps.log.error("customer lost failed", { sessionId, error: String(error) });
      } finally {
        if (this.#grace.get(sessionId)?.timer === timer) this.#grace.delete(sessionId);
        settle();
      }
    }, this.options.graceMs);
    this.#grace.set(sessionId, { timer, done, settle });
  }

  /** The grace ended: lost, unless a stream of the session is held on any instance now. */
  async #expire(sessionId: string): Promise<void> {
    await this.#writes.get(sessionId); // this instance's own hold is up to date first
    if (this.openCount(sessionId) > 0) return;
    await customerLost(this.deps, sessionId, {
      held: async (tx) =>
        (await tx.select({ one: sql`1` }).from(customerStreamHolds)
          .where(eq(customerStreamHolds.sessionId, sessionId)).limit(1)).length > 0,
    });
  }

  openCount(sessionId: string): number {
    return this.#open.get(sessionId) ?? 0;
  }

  /** Resolves once no grace timer or hold write is pending (each fired or was cancelled). */
  async idle(): Promise<void> {
    while (this.#grace.size > 0 || this.#writes.size > 0) {
      await Promise.all([
        ...[...this.#grace.values()].map((g) => g.done),
        ...this.#writes.values(),
      ]);
    }
  }
}

/** One more stream of the session on this instance (the row is created at the first). */
async function addHold(db: Database, sessionId: string, instanceId: string): Promise<void> {
  await db.insert(customerStreamHolds).values({ sessionId, instanceId, streams: 1 })
    .onConflictDoUpdate({
      target: [customerStreamHolds.sessionId, customerStreamHolds.instanceId],
      set: { streams: sql`${customerStreamHolds.streams} + 1` },
    });
}

/** One stream fewer; the row goes with the last one. */
async function dropHold(db: Database, sessionId: string, instanceId: string): Promise<void> {
  const mine = and(
    eq(customerStreamHolds.sessionId, sessionId),
    eq(customerStreamHolds.instanceId, instanceId),
  );
  await db.transaction(async (tx) => {
    const gone = await tx.delete(customerStreamHolds)
      .where(and(mine, sql`${customerStreamHolds.streams} <= 1`))
      .returning({ streams: customerStreamHolds.streams });
    if (gone.length > 0) return;
    await tx.update(customerStreamHolds)
      .set({ streams: sql`${customerStreamHolds.streams} - 1` }).where(mine);
  });
}

/** Writes the hold as this instance counts it (after the database lost it). */
async function setHold(
  db: Database,
  sessionId: string,
  instanceId: string,
  streams: number,
): Promise<void> {
  await db.insert(customerStreamHolds).values({ sessionId, instanceId, streams })
    .onConflictDoUpdate({
      target: [customerStreamHolds.sessionId, customerStreamHolds.instanceId],
      set: { streams },
    });
}

const registries = new WeakMap<AppDeps, CustomerStreams>();

/** The registry of `deps`' app (created on first use). */
export function customerStreams(deps: AppDeps): CustomerStreams {
  let registry = registries.get(deps);
  if (!registry) registries.set(deps, registry = new CustomerStreams(deps));
  return registry;
}

function _state(session: SupportSession): string {
  return JSON.stringify({ chatEnabled: session.chatEnabled, ended: Boolean(session.endedAt) });
}

/**
 * Runs the customer's stream for `session` on `stream` (opened by `liveStream`): log lines
 * after `afterId` (rendered in `t`'s language, each with its id for Last-Event-ID), then
 * every new one as it is written, and the session's state (chat on/off, ended) whenever it
 * changes. An ended session gets its state and the stream closes. A live session counts
 * the stream open and the customer connected before this returns.
 */
export async function startCustomerStream(
  deps: AppDeps,
  stream: LiveStream,
  session: SupportSession,
  options: { afterId: number; t: Translator },
): Promise<void> {
  const registry = customerStreams(deps);
  const live = !session.endedAt;
  if (live) {
    stream.onClose(() => registry.closed(session.id));
    await registry.opened(session.id);
    try {
      await customerConnected(deps, session);
    } catch (error) {
      deps.log.warn("customer connect not applied", {
        sessionId: session.id,
        error: String(error),
      });
    }
  }
  // Lines are read by their place in commit order (`seq`, schema.ts): a line that commits
  // after one the stream sent always has a higher place, so `seq > last` never misses one.
  let last = options.afterId;
  let lastState = "";
  let chain = Promise.resolve();

  const pump = async () => {
    if (stream.closed) return;
    const lines = await readLog(deps.db, session.id, last);
    for (const line of lines) {
      last = Math.max(last, line.seq ?? line.id);
      if (!isCustomerVisible(line)) continue;
      const html = await renderLogLine(line, { t: options.t, token: session.token });
      stream.send({ event: "log", data: html, id: last });
    }
    const fresh = await findByToken(deps, session.token);
    if (!fresh) return;
    const state = _state(fresh);
    if (state !== lastState) {
      lastState = state;
      stream.send({ event: "state", data: state });
    }
    if (fresh.endedAt) stream.close();
  };
  const schedule = () => {
    chain = chain.then(pump).catch((error) => {
      deps.log.error("customer stream failed", { sessionId: session.id, error: String(error) });
    });
  };

  const unsubscribe = deps.live.subscribe(session.orgId, (event) => {
    // "resync": notices may have been missed (modules/live); pumping reads everything anew.
    if (event.kind === "resync" || "sessionId" in event && event.sessionId === session.id) {
      schedule();
    }
  }, { kind: "customer" });
  stream.onClose(async () => {
    unsubscribe();
    await chain;
  });
  schedule();
}
