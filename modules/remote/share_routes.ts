/**
 * The customer's browser screen share (browser_share.ts), from the Instant Chat page:
 *
 * - `POST /s/:token/share/offer` — the page's complete WebRTC offer (`{ sdp }`, every
 *   candidate in it) → our complete answer and the share's id (`{ sdp, id }`, the page knows
 *   its share's view by it: `CustomerView.shareId`). Refused while the support app is attached (it
 *   shares the screen itself) and while nobody works the session (queued or on hold);
 * - `POST /s/:token/share/stop` — the customer stops (our button, or the browser's own stop);
 * - `POST /console/sessions/:id/share/switch` — a technician who may control asks the customer
 *   to switch to the support app (the page offers this session's download); when the app
 *   attaches, it takes the share's place in the same session (hub.ts `agentAttached`).
 *
 * In a cluster the customer's two go to the session's home (`relayToHome`) and a share claims
 * the home as the agent does, so the technicians' viewers are relayed to the instance holding
 * the peer; the technician's switch request is not relayed yet (it answers 409 elsewhere).
 * Hold, transfer and end stop the share (the session's notices are followed).
 */
import { type Context, Hono } from "hono";
import { Refusal } from "../refusal/mod.ts";
import { type AppDeps, type AppEnv, requireUser } from "../http/mod.ts";
import { can } from "../permissions/mod.ts";
import {
  findByToken,
  isWorkedNow,
  sessionForTechnician,
  type SupportSession,
} from "../support/mod.ts";
import { BrowserShare } from "./browser_share.ts";
import { claimHome, releaseHome } from "./agent_home.ts";
import { relayToHome } from "./home_relay.ts";
import { remoteFor } from "./remote_for.ts";
import { whileWorked } from "./worked_watch.ts";

const MAX_OFFER = 64 * 1024;
const shares = new WeakMap<AppDeps, Map<string, BrowserShare>>();

/** The session's browser share on this instance, if one runs. */
export function browserShareOf(deps: AppDeps, sessionId: string): BrowserShare | undefined {
  return shares.get(deps)?.get(sessionId);
}

async function _target(c: Context<AppEnv>): Promise<SupportSession | null> {
  const session = await findByToken(c.get("deps"), c.req.param("token") ?? "");
  return session && !session.endedAt ? session : null;
}

async function _session(c: Context<AppEnv>): Promise<SupportSession> {
  const session = await _target(c);
  if (!session) throw new Refusal(404, "customer.notFound");
  return session;
}

export const shareRoutes = new Hono<AppEnv>()
  .post("/s/:token/share/offer", relayToHome(_target), async (c) => {
    const deps = c.get("deps");
    const session = await _session(c);
    const body = await c.req.json().catch(() => null) as { sdp?: unknown } | null;
    const sdp = body?.sdp;
    if (typeof sdp !== "string" || !sdp.startsWith("v=0") || sdp.length > MAX_OFFER) {
      throw new Refusal(422, "customerShare.badOffer");
    }
    const current = browserShareOf(deps, session.id);
    const attached = remoteFor(deps, session).agent;
    if (attached && attached !== current?.link) {
      throw new Refusal(409, "customerShare.agentAttached");
    }
    if (!(await isWorkedNow(deps, session.id))) throw new Refusal(409, "customerShare.notWorked");
    // The current share's release is ordered before the claim (agent_home.ts `inHomeOrder`).
    current?.close();
    // This instance is the share's home from now, claimed before the share takes the session's
    // `RemoteSession` (as the agent's attach, agent_gateway.ts): a home check that read the row
    // before the claim — after a failover, the dead instance still counted live — is over
    // before the session is taken and cannot drop the one the share stands in (viewers would
    // find one without it); and from the offer on, another instance finds the home here, not
    // none for as long as the answer takes (ICE gathering).
    await claimHome(deps, session);
    const remote = remoteFor(deps, session);
    let byId = shares.get(deps);
    if (!byId) shares.set(deps, byId = new Map());
    const registry = byId;
    let unsubscribe = () => {};
    const share: BrowserShare = new BrowserShare(remote, ["127.0.0.1"], () => {
      unsubscribe();
      if (registry.get(session.id) === share) registry.delete(session.id);
      releaseHome(deps, session, () => remote.agent != null).catch((error) =>
        deps.log.error("share home release failed", { error: String(error) })
      );
    });
    registry.set(session.id, share);
    // Held, transferred or ended: the share stops (as agent view does).
    unsubscribe = whileWorked(deps, session, () => share.close());
    try {
      return c.json({ sdp: await share.answer(sdp), id: share.id });
    } catch (error) {
      share.close();
      deps.log.error("share offer refused", { error: String(error) });
      throw new Refusal(422, "customerShare.badOffer");
    }
  })
  .post("/s/:token/share/stop", relayToHome(_target), async (c) => {
    const session = await _session(c);
    browserShareOf(c.get("deps"), session.id)?.close();
    return c.body(null, 204);
  })
  .post("/console/sessions/:id/share/switch", requireUser(), async (c) => {
    const deps = c.get("deps");
    const user = c.get("user");
    const { session, granted } = await sessionForTechnician(
      deps,
      user,
      c.req.param("id") ?? "",
      "work",
    );
    if (!can(granted, "remoteControl")) {
      throw new Refusal(403, "errors.permissionMissing", {
        params: { permission: "remoteControl" },
      });
    }
    // The share's peer lives on this instance only (no relay for this yet, see the top).
    const refused = remoteFor(deps, session).askSwitchToAgent({ userId: user.id, name: user.name });
    if (refused) throw new Refusal(409, "customerShare.noShare");
    return c.body(null, 204);
  });
