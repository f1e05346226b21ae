import { type Context, Hono } from "hono";
import {
  type AppEnv,
  type AuthedEnv,
  type CurrentUser,
  liveStream,
  readForm,
  requireUser,
} from "../http/mod.ts";
import { can, type Permission } from "../permissions/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { attachmentDisposition } from "../files/mod.ts";
import { relayToAgentHome, toolConsent } from "../remote/mod.ts";
import { sessionForTechnician } from "../support/mod.ts";
import { getScript, listScripts, type Script } from "./service.ts";
import { getRun, listRuns, liveRuns, type RunEvent, startRun, stopRun } from "./runs.ts";
import { RunView, ScriptsPanel } from "./session_views.tsx";
import { watchStartScripts } from "./start_scripts.ts";

type C = Context<AuthedEnv>;

/** Either scripts permission opens the tab; each run checks the one its script needs. */
function _mayUseScripts<U extends { permissions: ReadonlySet<Permission> }>(user: U): U {
  if (!can(user, "scriptsDeploy") && !can(user, "scriptsNested")) {
    throw new Refusal(403, "errors.permissionMissing", { params: { permission: "scriptsDeploy" } });
  }
  return user;
}

/** The session and the caller with the permissions it holds in it (a collaborator's set). */
async function _working(c: C) {
  const user = _mayUseScripts(c.get("user"));
  const { session, granted } = await sessionForTechnician(
    c.get("deps"),
    user,
    c.req.param("id") ?? "",
  );
  return { session, user: _mayUseScripts({ ...user, permissions: granted.permissions }) };
}

/** The scripts this technician may run: own (scriptsDeploy) and nested (scriptsNested). */
async function _available(
  c: C,
  user: CurrentUser,
): Promise<{ own: Script[]; nested: Script[] }> {
  const { db } = c.get("deps");
  return {
    own: can(user, "scriptsDeploy")
      ? await listScripts(db, { orgId: user.orgId, ownerId: user.id })
      : [],
    nested: can(user, "scriptsNested")
      ? await listScripts(db, { orgId: user.orgId, ownerId: null })
      : [],
  };
}

/**
 * `/console/sessions/:id/scripts…`: the workspace's Scripts tab, running a script, its live
 * output (server-sent events), Stop, and the full output's download. Relayed to the agent's
 * home instance, where the runs and the customer's consent live.
 */
export const scriptSessionRoutes = new Hono<AppEnv>()
  .use("/console/sessions/:id/scripts", requireUser(), relayToAgentHome)
  .use("/console/sessions/:id/scripts/*", requireUser(), relayToAgentHome)
  .get("/console/sessions/:id/scripts", async (c) => {
    const { session, user } = await _working(c);
    const deps = c.get("deps");
    const state = toolConsent(deps, session).state;
    const runs = await listRuns(deps, session.id);
    const current = runs.find((r) => r.status === "running" && liveRuns(deps).has(r.id));
    watchStartScripts(deps, session, user);
    return c.html(
      <ScriptsPanel
        c={c}
        sessionId={session.id}
        {...await _available(c, user)}
        consent={state.consent.scripts}
        present={state.present}
        runs={runs}
        canManage={can(user, "scriptsDeploy")}
        current={current}
      />,
    );
  })
  .post("/console/sessions/:id/scripts/ask", async (c) => {
    const { session, user } = await _working(c);
    const consent = toolConsent(c.get("deps"), session);
    if (consent.outsideApproval("scripts")) throw new Refusal(409, "agentTools.notApproved");
    if (!consent.request("scripts", { userId: user.id, name: user.name })) {
      throw new Refusal(409, "scripts.agentAbsent");
    }
    return c.body(null, 204);
  })
  .post("/console/sessions/:id/scripts/run", async (c) => {
    const { session, user } = await _working(c);
    const id = (await readForm(c)).script ?? "";
    const { db } = c.get("deps");
    const own = await getScript(db, { orgId: user.orgId, ownerId: user.id }, id);
    const script = own ?? await getScript(db, { orgId: user.orgId, ownerId: null }, id);
    if (!script) throw new Refusal(404, "scripts.notFound");
    const permission = own ? "scriptsDeploy" : "scriptsNested";
    if (!can(user, permission)) {
      throw new Refusal(403, "errors.permissionMissing", { params: { permission } });
    }
    const run = await startRun(c.get("deps"), { session, user, script, trigger: "manual" });
    return c.html(<RunView c={c} run={run} />);
  })
  .get("/console/sessions/:id/scripts/runs/:run/events", async (c) => {
    const { session } = await _working(c);
    const deps = c.get("deps");
    const row = await getRun(deps, session.id, c.req.param("run"));
    if (!row) throw new Refusal(404, "scripts.runNotFound");
    const after = Number(c.req.header("last-event-id") ?? c.req.query("after") ?? 0) || 0;
    return await liveStream(c, (stream) => {
      const send = (event: RunEvent) => {
        if (event.seq <= after) return;
        const data = JSON.stringify(event.kind === "output" ? event.output : event.end);
        stream.send({ event: event.kind, data, id: event.seq });
        if (event.kind === "end") stream.close();
      };
      const live = liveRuns(deps).get(row.id);
      if (!live) {
        // Not running here (long over, or its instance restarted): the stored end.
        const status = row.status === "running" ? "failed" : row.status;
        send({
          seq: Number.MAX_SAFE_INTEGER,
          kind: "end",
          end: {
            status,
            exitCode: row.exitCode,
            reason: row.reason,
            outputSize: row.outputSize ?? 0,
          },
        });
        return;
      }
      for (const event of live.events) send(event);
      if (live.ended) return;
      live.listeners.add(send);
      stream.onClose(() => void live.listeners.delete(send));
    });
  })
  .post("/console/sessions/:id/scripts/runs/:run/stop", async (c) => {
    const { session } = await _working(c);
    const deps = c.get("deps");
    const row = await getRun(deps, session.id, c.req.param("run"));
    if (!row) throw new Refusal(404, "scripts.runNotFound");
    if (!stopRun(deps, row.id)) throw new Refusal(409, "scripts.notRunning");
    return c.body(null, 204);
  })
  .get("/console/sessions/:id/scripts/runs/:run/output", async (c) => {
    const user = _mayUseScripts(c.get("user"));
    const deps = c.get("deps");
    const { session } = await sessionForTechnician(deps, user, c.req.param("id"), "read");
    const row = await getRun(deps, session.id, c.req.param("run"));
    if (!row?.outputSha256) throw new Refusal(404, "scripts.runNotFound");
    const opened = await deps.files.open(row.outputSha256);
    if (!opened) throw new Refusal(404, "scripts.runNotFound");
    return c.body(opened.body, 200, {
      "content-type": "text/plain; charset=utf-8",
      "content-length": String(opened.size),
      "content-disposition": attachmentDisposition(`${row.name}-output.txt`),
      "x-content-type-options": "nosniff",
      "cache-control": "no-store",
    });
  });
