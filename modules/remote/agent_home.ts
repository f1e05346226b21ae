/**
 * Which instance holds a session's support app (`agent_homes`). The agent's socket lives on one
 * instance; viewers and the customer's remote stream that land elsewhere are relayed there
 * (home_relay.ts). Written when the agent says hello, removed when its socket closes (only
 * while the row still names this instance: the agent may have reconnected elsewhere since),
 * and every change is told to the other instances as a `remote` notice, so they close what
 * no longer points at the right place (home_watch.ts).
 */
import { and, eq } from "drizzle-orm";
import { liveInstanceUrl } from "../cluster/mod.ts";
import type { AppDeps } from "../http/mod.ts";
import { agentHomes } from "./schema.ts";

/** Where the session's agent is: on this instance, on another live one, or nowhere. */
export type AgentHome =
  | { kind: "here" }
  | { kind: "elsewhere"; instanceId: string; url: string }
  | { kind: "none" };

/** Claims, releases and home checks of one session go in order on this instance. */
const chains = new WeakMap<AppDeps, Map<string, Promise<unknown>>>();

/**
 * Runs `work` after this instance's earlier claims, releases and home checks of the session
 * and before its later ones. Home checks (home_watch.ts) run here so that one which read the
 * row before this instance's own claim cannot act after it: it would take the agent that had
 * just attached here for one living elsewhere and drop its session.
 */
export function inHomeOrder<T>(
  deps: AppDeps,
  sessionId: string,
  work: () => Promise<T>,
): Promise<T> {
  let byId = chains.get(deps);
  if (!byId) chains.set(deps, byId = new Map());
  const before = byId.get(sessionId) ?? Promise.resolve();
  const done = before.catch(() => {}).then(work);
  const tail = done.catch(() => {});
  byId.set(sessionId, tail);
  tail.then(() => {
    if (byId.get(sessionId) === tail) byId.delete(sessionId);
  });
  return done;
}

function _told(deps: AppDeps, orgId: string, sessionId: string) {
  deps.live.publish({ kind: "remote", orgId, sessionId });
}

/** The agent attached here: this instance is its home from now. */
export function claimHome(
  deps: AppDeps,
  session: { id: string; orgId: string },
): Promise<void> {
  return inHomeOrder(deps, session.id, async () => {
    const now = deps.clock.now();
    await deps.db.insert(agentHomes)
      .values({ sessionId: session.id, instanceId: deps.instance.id, since: now, kind: "agent" })
      .onConflictDoUpdate({
        target: agentHomes.sessionId,
        set: { instanceId: deps.instance.id, since: now, kind: "agent" },
      });
    _told(deps, session.orgId, session.id);
  });
}

/**
 * The agent's socket closed here. The row goes only if it still names this instance and
 * `stillHere()` (asked when the write runs) says no newer socket attached here meanwhile.
 */
export function releaseHome(
  deps: AppDeps,
  session: { id: string; orgId: string },
  stillHere: () => boolean = () => false,
): Promise<void> {
  return inHomeOrder(deps, session.id, async () => {
    if (stillHere()) return;
    const gone = await deps.db.delete(agentHomes)
      .where(and(
        eq(agentHomes.sessionId, session.id),
        eq(agentHomes.instanceId, deps.instance.id),
      ))
      .returning({ sessionId: agentHomes.sessionId });
    if (gone.length > 0) _told(deps, session.orgId, session.id);
  });
}

/**
 * The technician shows their screen (present_routes.tsx) in a session with no home: this
 * instance becomes its home (`kind: "presentation"`), so the customer's remote stream and its
 * View, answer and End — relayed to the home like the agent's — meet the presentation here.
 * A home the agent or a share holds is left alone (the offer was relayed there already); a row
 * naming a dead instance is taken over. `/agent/join` does not count this home as an app.
 */
export function claimPresentationHome(
  deps: AppDeps,
  session: { id: string; orgId: string },
): Promise<void> {
  return inHomeOrder(deps, session.id, async () => {
    const [row] = await deps.db.select({ instanceId: agentHomes.instanceId }).from(agentHomes)
      .where(eq(agentHomes.sessionId, session.id));
    if (row?.instanceId === deps.instance.id) return;
    if (row && await liveInstanceUrl(deps.db, row.instanceId, deps.clock.now())) return;
    const now = deps.clock.now();
    const values = { instanceId: deps.instance.id, since: now, kind: "presentation" as const };
    await deps.db.insert(agentHomes).values({ sessionId: session.id, ...values })
      .onConflictDoUpdate({ target: agentHomes.sessionId, set: values });
    _told(deps, session.orgId, session.id);
  });
}

/** The presentation here ended: its home goes (only a presentation's home, only this one's). */
export function releasePresentationHome(
  deps: AppDeps,
  session: { id: string; orgId: string },
): Promise<void> {
  return inHomeOrder(deps, session.id, async () => {
    const gone = await deps.db.delete(agentHomes)
      .where(and(
        eq(agentHomes.sessionId, session.id),
        eq(agentHomes.instanceId, deps.instance.id),
        eq(agentHomes.kind, "presentation"),
      ))
      .returning({ sessionId: agentHomes.sessionId });
    if (gone.length > 0) _told(deps, session.orgId, session.id);
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The session's home as the database says now (a row naming a dead instance is none). */
export async function homeOf(deps: AppDeps, sessionId: string): Promise<AgentHome> {
  if (!UUID.test(sessionId)) return { kind: "none" };
  const [row] = await deps.db.select({ instanceId: agentHomes.instanceId }).from(agentHomes)
    .where(eq(agentHomes.sessionId, sessionId));
  if (!row) return { kind: "none" };
  if (row.instanceId === deps.instance.id) return { kind: "here" };
  const url = await liveInstanceUrl(deps.db, row.instanceId, deps.clock.now());
  return url ? { kind: "elsewhere", instanceId: row.instanceId, url } : { kind: "none" };
}

/**
 * Whether the session has its support app (or a browser share) attached, on any live
 * instance; a presentation's home is no app.
 */
export async function agentAttachedAnywhere(deps: AppDeps, sessionId: string): Promise<boolean> {
  if (!UUID.test(sessionId)) return false;
  const [row] = await deps.db.select({ instanceId: agentHomes.instanceId, kind: agentHomes.kind })
    .from(agentHomes).where(eq(agentHomes.sessionId, sessionId));
  if (!row || row.kind !== "agent") return false;
  if (row.instanceId === deps.instance.id) return true;
  return await liveInstanceUrl(deps.db, row.instanceId, deps.clock.now()) !== null;
}
