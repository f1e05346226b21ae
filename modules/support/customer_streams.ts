/**
 * The customer page's live stream (SPEC C7, T1): one server-sent-event stream per open page.
 * Opening it is what "the customer is connected" means; when the last stream of a session
 * closes and none comes back within a grace period (a reload, a flaky network), the customer
 * is lost. The per-app registry counts open streams per session and owns the grace timers,
 * so tests can shorten the grace and wait until nothing is pending.
 */
import { and, eq, isNull } from "drizzle-orm";
import type { AppDeps, LiveStream } from "../http/mod.ts";
import type { Translator } from "../i18n/mod.ts";
import { customerConnected, customerLost, findByToken } from "./customer.ts";
import type { SupportSession } from "./engine.ts";
import { readLog } from "./session_log.ts";
import { supportSessions } from "./schema.ts";
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

  constructor(private deps: AppDeps) {}

  /** A stream opened: cancels the session's pending loss, if any. */
  opened(sessionId: string): void {
    const pending = this.#grace.get(sessionId);
    if (pending) {
      clearTimeout(pending.timer);
      this.#grace.delete(sessionId);
      pending.settle();
    }
    this.#open.set(sessionId, (this.#open.get(sessionId) ?? 0) + 1);
  }

  /** A stream closed: the last one starts the grace period, after which the customer is lost. */
  closed(sessionId: string): void {
    const left = (this.#open.get(sessionId) ?? 1) - 1;
    if (left > 0) {
      this.#open.set(sessionId, left);
      return;
    }
    this.#open.delete(sessionId);
    this.#startGrace(sessionId);
  }

  /**
   * At start-up: sessions the database still calls connected have no stream in this process
   * (the one that held them is gone, perhaps crashed). Each gets the grace of a closed
   * stream: a page or agent that comes back in time keeps it; the rest go Reconnecting, as
   * for a lost network. Returns how many were put on notice.
   */
  async reconcile(): Promise<number> {
    const rows = await this.deps.db.select({ id: supportSessions.id }).from(supportSessions)
      .where(and(eq(supportSessions.customerState, "connected"), isNull(supportSessions.endedAt)));
    let armed = 0;
    for (const { id } of rows) {
      if (this.openCount(id) > 0 || this.#grace.has(id)) continue;
      this.#startGrace(id);
      armed++;
    }
    return armed;
  }

  #startGrace(sessionId: string): void {
    let settle = () => {};
    const done = new Promise<void>((resolve) => settle = resolve);
    const timer = setTimeout(async () => {
      try {
        await customerLost(this.deps, sessionId);
      } catch (error) {
        this.deps.log.error("customer lost failed", { sessionId, error: String(error) });
      } finally {
        if (this.#grace.get(sessionId)?.timer === timer) this.#grace.delete(sessionId);
        settle();
      }
    }, this.options.graceMs);
    this.#grace.set(sessionId, { timer, done, settle });
  }

  openCount(sessionId: string): number {
    return this.#open.get(sessionId) ?? 0;
  }

  /** Resolves once no grace timer is pending (each fired or was cancelled by a reconnect). */
  async idle(): Promise<void> {
    while (this.#grace.size > 0) {
      await Promise.all([...this.#grace.values()].map((g) => g.done));
    }
  }
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
    registry.opened(session.id);
    stream.onClose(() => registry.closed(session.id));
    try {
      await customerConnected(deps, session);
    } catch (error) {
      deps.log.warn("customer connect not applied", {
        sessionId: session.id,
        error: String(error),
      });
    }
  }
  let lastId = options.afterId;
  let lastState = "";
  let chain = Promise.resolve();

  const pump = async () => {
    if (stream.closed) return;
    const lines = await readLog(deps.db, session.id, lastId);
    for (const line of lines) {
      lastId = line.id;
      if (!isCustomerVisible(line)) continue;
      const html = await renderLogLine(line, { t: options.t, token: session.token });
      stream.send({ event: "log", data: html, id: line.id });
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
    if ("sessionId" in event && event.sessionId === session.id) schedule();
  }, { kind: "customer" });
  stream.onClose(async () => {
    unsubscribe();
    await chain;
  });
  schedule();
}
