/**
 * In-process fan-out of "something changed" notices. Publishers say what changed (a session,
 * one of its log lines, a technician's presence); each subscriber (an SSE stream of a console
 * or a customer page) decides what that means for the person it serves. Nothing here touches
 * the database: the stores are the source of truth, the hub only says "look again".
 */
export type LiveEvent =
  | { readonly kind: "session"; readonly orgId: string; readonly sessionId: string }
  | {
    readonly kind: "log";
    readonly orgId: string;
    readonly sessionId: string;
    readonly logId: number;
  }
  | { readonly kind: "presence"; readonly orgId: string; readonly userId: string }
  /** The session's agent home changed (modules/remote): viewers and streams look again. */
  | { readonly kind: "remote"; readonly orgId: string; readonly sessionId: string }
  /**
   * A person's rights or sign-in changed (deactivated, moved, signed out, their group's
   * permissions edited): whatever holds a long-lived connection for them checks again.
   * Without `userId`, anyone in the organisation may be concerned.
   */
  | { readonly kind: "access"; readonly orgId: string; readonly userId?: string };

export type LiveListener = (event: LiveEvent) => void;

/** Who listens, for the metrics: a technician's console, a customer's page, or other. */
export type LiveListenerKind = "console" | "customer" | "other";

export class LiveHub {
  #byOrg = new Map<string, Set<LiveListener>>();
  #seq = 0;
  #kinds: Record<LiveListenerKind, number> = { console: 0, customer: 0, other: 0 };

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

  /** Tells every listener of the event's organisation; a throwing listener hurts no other. */
  publish(event: LiveEvent): void {
    this.#seq++;
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
