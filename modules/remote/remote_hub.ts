/**
 * The registry of one running app's remote sessions (`RemoteSession`, hub.ts): created on
 * first use, dropped when the support session ends, and counted for the metrics.
 */
import type { AppDeps } from "../http/mod.ts";
import { RemoteSession } from "./hub.ts";

/** What the app's remote sessions hold now, and the media they moved since it started. */
export interface RemoteStats {
  sessions: number;
  agents: number;
  viewers: number;
  framesIn: number;
  bytesIn: number;
  framesOut: number;
  bytesOut: number;
}

/** All remote sessions of one running app. */
export class RemoteHub {
  readonly #sessions = new Map<string, RemoteSession>();
  /** The media counters of sessions already dropped, so the totals never go back. */
  readonly #dropped = { framesIn: 0, bytesIn: 0, framesOut: 0, bytesOut: 0 };

  /**
   * How often an open viewer socket re-reads its rights while nothing asks (ViewerAuthority's
   * `everyMs`; unset: its 5 s). A test shortens it to see that read without waiting 5 s; the
   * 5 s itself is authority_test.ts's.
   */
  readonly viewerRights: { everyMs?: number } = {};

  constructor(private hostAddresses: string[]) {}

  /** The session's remote state, created on first use. */
  session(orgId: string, sessionId: string, onCreate?: (s: RemoteSession) => void) {
    let session = this.#sessions.get(sessionId);
    if (!session) {
      session = new RemoteSession(orgId, sessionId, this.hostAddresses);
      this.#sessions.set(sessionId, session);
      onCreate?.(session);
    }
    return session;
  }

  find(sessionId: string): RemoteSession | undefined {
    return this.#sessions.get(sessionId);
  }

  /** Every remote session held now (a shutdown closes their recordings). */
  all(): RemoteSession[] {
    return [...this.#sessions.values()];
  }

  drop(sessionId: string) {
    const session = this.#sessions.get(sessionId);
    if (!session) return;
    session.close();
    this.#sessions.delete(sessionId);
    for (const key of ["framesIn", "bytesIn", "framesOut", "bytesOut"] as const) {
      this.#dropped[key] += session[key];
    }
  }

  /** Counted when asked (the metrics scrape), so the media path pays nothing for it. */
  stats(): RemoteStats {
    const stats = { sessions: this.#sessions.size, agents: 0, viewers: 0, ...this.#dropped };
    for (const session of this.#sessions.values()) {
      if (session.agent) stats.agents++;
      stats.viewers += session.viewers.size;
      stats.framesIn += session.framesIn;
      stats.bytesIn += session.bytesIn;
      stats.framesOut += session.framesOut;
      stats.bytesOut += session.bytesOut;
    }
    return stats;
  }

  get size(): number {
    return this.#sessions.size;
  }
}

const hubs = new WeakMap<AppDeps, RemoteHub>();

/** The app's remote hub (one per running app, like its live hub). */
export function remoteHub(deps: AppDeps): RemoteHub {
  let hub = hubs.get(deps);
  if (!hub) hubs.set(deps, hub = new RemoteHub(["127.0.0.1"]));
  return hub;
}
