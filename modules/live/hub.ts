/**
 * Fan-out of "something changed" notices. Publishers say what changed (a session, one of its
 * log lines, a technician's presence); each subscriber (an SSE stream of a console or a
 * customer page) decides what that means for the person it serves. Nothing here touches the
 * database: the stores are the source of truth, the hub only says "look again". Connected to
 * a bus (bus.ts, PostgreSQL LISTEN/NOTIFY), the notices also reach the other instances.
 */
import type { LiveEvent } from "./event.ts";
import {
  LiveBus,
  type LiveBusNotifications,
  type LiveBusOptions,
  type LiveBusStats,
} from "./bus.ts";

export type { LiveEvent };

export type LiveListener = (event: LiveEvent) => void;

/** Who listens, for the metrics: a technician's console, a customer's page, or other. */
export type LiveListenerKind = "console" | "customer" | "other";

export class LiveHub {
  #byOrg = new Map<string, Set<LiveListener>>();
  #seq = 0;
  #kinds: Record<LiveListenerKind, number> = { console: 0, customer: 0, other: 0 };
  #bus?: LiveBus;

  /** Listens to one organisation's events until the returned function is called. */
  subscribe(
    orgId: string,
    listener: LiveListener,
    options: { kind?: LiveListenerKind } = {},
  ): () => void {
    let set = this.#byOrg.get(orgId);
    if (!set) this.#byOrg.set(orgId, set = new Set());
    set.add(listener);
    const kind = options.kind ?? "other";
    this.#kinds[kind]++;
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      this.#kinds[kind]--;
      set.delete(listener);
      if (set.size === 0) this.#byOrg.delete(orgId);
    };
  }

  /** How many listen now, by kind (live consoles, customer pages, the rest). */
  listeners(): Readonly<Record<LiveListenerKind, number>> {
    return { ...this.#kinds };
  }

  /**
   * Tells every listener of the event's organisation here at once, and — connected to a
   * bus — the other instances, whose hubs tell theirs. A throwing listener hurts no other.
   */
  publish(event: LiveEvent): void {
    this.#seq++;
    this.#deliver(event);
    this.#bus?.send(event);
  }

  /**
   * Connects this hub to the other instances' through `notifications` (PostgreSQL
   * LISTEN/NOTIFY) until the returned function is called.
   */
  async connectBus(
    notifications: LiveBusNotifications,
    options: LiveBusOptions,
  ): Promise<() => Promise<void>> {
    if (this.#bus) throw new Error("LiveHub is connected to a bus already");
    const bus = new LiveBus(notifications, {
      ...options,
      deliver: (event) => this.#deliver(event),
      organisations: () => this.#byOrg.keys(),
    });
    this.#bus = bus;
    try {
      await bus.start();
    } catch (error) {
      this.#bus = undefined;
      throw error;
    }
    return async () => {
      if (this.#bus === bus) this.#bus = undefined;
      await bus.stop();
    };
  }

  /** The bus's counters, when connected to one. */
  get bus(): Readonly<LiveBusStats> | undefined {
    return this.#bus?.stats;
  }

  #deliver(event: LiveEvent): void {
    for (const listener of [...(this.#byOrg.get(event.orgId) ?? [])]) {
      try {
        listener(event);
      } catch {
        // A broken stream is the stream's problem; it unsubscribes itself on close.
      }
    }
  }

  /** How many events were published so far (for tests and the benchmark). */
  get published(): number {
    return this.#seq;
  }

  listenerCount(orgId: string): number {
    return this.#byOrg.get(orgId)?.size ?? 0;
  }
}
