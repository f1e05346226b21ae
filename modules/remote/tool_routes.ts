/**
 * The technician's side of tool consent (tool_consent.ts), for the workspace's tabs:
 *
 * - `POST /console/sessions/:id/agent/request` (form `capability`) — ask the customer;
 * - `POST /console/sessions/:id/agent/revoke` (form `capability`) — stop using it;
 * - `GET /console/sessions/:id/agent/state` — `ToolState` as JSON;
 * - `GET /console/sessions/:id/agent/events` — the same, as server-sent `state` events on
 *   every change.
 *
 * Only the technician working the session, or an external technician invited into it (the
 * same routes under `/x`); asking and stopping need the tool's permission
 * (`TOOL_PERMISSIONS`). In a cluster these run where the agent is (`relayToAgentHome`).
 */
import { type Context, Hono } from "hono";
import { Refusal } from "../refusal/mod.ts";
import { type AppEnv, liveStream, readForm, requireCaller } from "../http/mod.ts";
import { can, type Permission } from "../permissions/mod.ts";
import { loadSession, sessionForCaller } from "../support/mod.ts";
import { relayToHome } from "./home_relay.ts";
import {
  isToolCapability,
  TOOL_PERMISSIONS,
  type ToolCapability,
  toolConsent,
} from "./tool_consent.ts";

/**
 * Middleware for console session routes (`/console/sessions/:id/...`) that reach the agent:
 * in a cluster the request is handled on the instance that holds the session's agent.
 */
export const relayToAgentHome = relayToHome(async (c) => {
  const id = c.req.param("id") ?? "";
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const session = await loadSession(c.get("deps").db, id).catch(() => null);
  return session ? { id: session.id, orgId: session.orgId } : null;
});

/**
 * The session and the caller with the permissions it holds in it (a collaborator's or an
 * external technician's set; a guest reaches these under `/x`, its own session only).
 */
async function _working(c: Context<AppEnv>) {
  const { session, granted, actor } = await sessionForCaller(
    c.get("deps"),
    { user: c.get("user"), guest: c.get("guest") },
    c.req.param("id") ?? "",
    "work",
  );
  return { session, user: { userId: actor.userId, name: actor.name, ...granted } };
}

async function _capability(
  c: Context<AppEnv>,
  user: { permissions: ReadonlySet<Permission> },
): Promise<ToolCapability> {
  const capability = (await readForm(c)).capability;
  if (!isToolCapability(capability)) throw new Refusal(422, "agentTools.unknownCapability");
  const permission = TOOL_PERMISSIONS[capability];
  if (!can(user, permission)) {
    throw new Refusal(403, "errors.permissionMissing", { params: { permission } });
  }
  return capability;
}

export const toolRoutes = new Hono<AppEnv>()
  .use("/console/sessions/:id/agent/*", requireCaller(), relayToAgentHome)
  .post("/console/sessions/:id/agent/request", async (c) => {
    const { session, user } = await _working(c);
    const capability = await _capability(c, user);
    const consent = toolConsent(c.get("deps"), session);
    if (consent.outsideApproval(capability)) throw new Refusal(409, "agentTools.notApproved");
    if (!consent.request(capability, user)) {
      throw new Refusal(409, "agentTools.agentAbsent");
    }
    return c.json(consent.state);
  })
  .post("/console/sessions/:id/agent/revoke", async (c) => {
    const { session, user } = await _working(c);
    const capability = await _capability(c, user);
    const consent = toolConsent(c.get("deps"), session);
    consent.end(capability, user);
    return c.json(consent.state);
  })
  .get("/console/sessions/:id/agent/state", async (c) => {
    const { session } = await _working(c);
    return c.json(toolConsent(c.get("deps"), session).state);
  })
  .get("/console/sessions/:id/agent/events", async (c) => {
    const { session } = await _working(c);
    const consent = toolConsent(c.get("deps"), session);
    return liveStream(c, (stream) => {
      const listener = (state: unknown) =>
        stream.send({ event: "state", data: JSON.stringify(state) });
      listener(consent.state);
      consent.listeners.add(listener);
      stream.onClose(() => void consent.listeners.delete(listener));
    });
  });
