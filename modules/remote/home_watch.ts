/**
 * What an instance holds of a session's remote side, checked whenever the agent's home may
 * have changed (a `remote` notice for the session, or `resync` for the organisation): the
 * agent's socket, viewer sockets and customer remote streams handled here, and those relayed
 * from here to the home. Whatever no longer points at the right place is closed (a viewer
 * with 4012 "moved"): the island and the customer's page reconnect at once and land right.
 *
 * - handled here (`relayedTo: null`): wrong once the home is another live instance;
 * - relayed to instance X: wrong once the home is not X (here, another, or none).
 *
 * When the home is elsewhere, this instance's `RemoteSession` of the session is dropped too.
 */
import type { AppDeps } from "../http/mod.ts";
import type { LiveEvent } from "../live/mod.ts";
import { type AgentHome, homeOf, inHomeOrder } from "./agent_home.ts";
import { remoteHub } from "./remote_hub.ts";

/** WebSocket close code for "the session's remote side lives elsewhere now: reconnect". */
export const MOVED = 4012;

export interface Watched {
  /** The instance it is relayed to, or null when handled here. */
  relayedTo: string | null;
  close(): void;
}

interface OrgWatch {
  unsubscribe: () => void;
  sessions: Map<string, Set<Watched>>;
}

class HomeWatch {
  readonly #orgs = new Map<string, OrgWatch>();
  /** Per session, a check asked for that has not read the home yet (later asks share it). */
  readonly #waiting = new Map<string, Promise<void>>();

  constructor(private deps: AppDeps) {}

  watch(session: { id: string; orgId: string }, watched: Watched): () => void {
    let org = this.#orgs.get(session.orgId);
    if (!org) {
      const sessions = new Map<string, Set<Watched>>();
      const unsubscribe = this.deps.live.subscribe(
        session.orgId,
        (event) => this.#heard(session.orgId, event),
      );
      this.#orgs.set(session.orgId, org = { unsubscribe, sessions });
    }
    let set = org.sessions.get(session.id);
    if (!set) org.sessions.set(session.id, set = new Set());
    set.add(watched);
    let watching = true;
    return () => {
      if (!watching) return;
      watching = false;
      set.delete(watched);
      if (set.size > 0) return;
      org.sessions.delete(session.id);
      if (org.sessions.size > 0) return;
      org.unsubscribe();
      this.#orgs.delete(session.orgId);
    };
  }

  #heard(orgId: string, event: LiveEvent) {
    const org = this.#orgs.get(orgId);
    if (!org) return;
    // "resync" (modules/live): notices may have been missed, look at every session again.
    if (event.kind === "resync") {
      for (const sessionId of org.sessions.keys()) this.check(orgId, sessionId);
    } else if (event.kind === "remote" && org.sessions.has(event.sessionId)) {
      this.check(orgId, event.sessionId);
    }
  }

  /**
   * Looks at the session's home again, in order with this instance's own claims and releases
   * of it (agent_home.ts `inHomeOrder`): a check never acts on a row read before a claim made
   * here and finished after it. A check still waiting for its turn answers the asks after it.
   */
  check(orgId: string, sessionId: string): Promise<void> {
    const waiting = this.#waiting.get(sessionId);
    if (waiting) return waiting;
    const done = inHomeOrder(this.deps, sessionId, async () => {
      // Reading from now: an ask from here on needs a check of its own.
      this.#waiting.delete(sessionId);
      const home = await homeOf(this.deps, sessionId);
      this.#apply(orgId, sessionId, home);
    }).catch((error) =>
      this.deps.log.error("agent home check failed", { sessionId, error: String(error) })
    );
    this.#waiting.set(sessionId, done);
    return done;
  }

  #apply(orgId: string, sessionId: string, home: AgentHome) {
    for (const watched of [...this.#orgs.get(orgId)?.sessions.get(sessionId) ?? []]) {
      const right = watched.relayedTo === null
        ? home.kind !== "elsewhere"
        : home.kind === "elsewhere" && home.instanceId === watched.relayedTo;
      if (!right) watched.close();
    }
    const local = home.kind === "elsewhere" ? remoteHub(this.deps).find(sessionId) : undefined;
    if (local) {
      // The home's log tells what happens to view and control; this copy just goes quietly.
      local.onEvent = () => {};
      remoteHub(this.deps).drop(sessionId);
    }
  }
}

const watches = new WeakMap<AppDeps, HomeWatch>();

function _watch(deps: AppDeps): HomeWatch {
  let watch = watches.get(deps);
  if (!watch) watches.set(deps, watch = new HomeWatch(deps));
  return watch;
}

/** Closes `watched` when the session's home no longer fits it; returns the way to stop. */
export function watchHome(
  deps: AppDeps,
  session: { id: string; orgId: string },
  watched: Watched,
): () => void {
  return _watch(deps).watch(session, watched);
}

/** Checks one session's home now (tests; a relay that just learnt its target died). */
export function checkHome(deps: AppDeps, session: { id: string; orgId: string }): Promise<void> {
  return _watch(deps).check(session.orgId, session.id);
}
