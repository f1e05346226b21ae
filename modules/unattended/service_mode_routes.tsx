/**
 * Service mode (SPEC R9): `POST /console/sessions/:id/service-mode` asks the customer's agent
 * to restart itself as a system service (`service.restart`), so the session survives user
 * switching. The customer confirms in the agent's window; the agent's `restarting` event puts
 * the session in Rebooting (modules/support reboot.ts, as a restart of the computer does) and
 * the same device's hello brings it back — the same session, no new one. Needs
 * `unattendedAccess`, the technician working the Active session, and runs where the agent is.
 */
import { Hono } from "hono";
import {
  type AppDeps,
  type AppEnv,
  type CurrentUser,
  isHtmx,
  requirePermission,
} from "../http/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { callAgent, relayToAgentHome, toolConsent } from "../remote/mod.ts";
import {
  logSessionEvent,
  rebootAnnounced,
  rebootNotDone,
  sessionForTechnician,
  type SupportSession,
} from "../support/mod.ts";

/** Sessions whose hand-over is under way on this instance. */
const underWay = new WeakMap<AppDeps, Set<string>>();

/** Starts the hand-over and follows it; resolves when its outcome is written (tests wait). */
export function startServiceMode(
  deps: AppDeps,
  session: SupportSession,
  user: CurrentUser,
): Promise<void> {
  let running = underWay.get(deps);
  if (!running) underWay.set(deps, running = new Set());
  if (running.has(session.id)) throw new Refusal(409, "unattendedRequest.service.busy");
  running.add(session.id);
  let announced: Promise<void> | null = null;
  return callAgent(deps, session.id, { kind: "service.restart" }, {
    onEvent: (event) => {
      announced = rebootAnnounced(deps, session.id, {
        mode: "normal",
        deviceId: event.deviceId,
        by: user,
        service: true,
      });
    },
  }).then(async (outcome) => {
    if (announced) await announced;
    if (outcome.ok) return;
    // After `restarting` the agent leaving is the hand-over itself.
    if (announced && (outcome.code === "agent_gone" || outcome.code === "timeout")) return;
    await rebootNotDone(deps, session.id, { code: outcome.code, reason: outcome.reason });
  }).catch((error) => deps.log.error("service mode failed", { error: String(error) }))
    .finally(() => running.delete(session.id));
}

export const serviceModeRoutes = new Hono<AppEnv>()
  .use(
    "/console/sessions/:id/service-mode",
    requirePermission("unattendedAccess"),
    relayToAgentHome,
  )
  .post("/console/sessions/:id/service-mode", async (c) => {
    const deps = c.get("deps");
    const user = c.get("user");
    const { session, entry } = await sessionForTechnician(deps, user, c.req.param("id"), "work");
    if (entry.status !== "active") throw new Refusal(409, "unattendedRequest.notActive");
    // The Windows app has no service mode (agent/unattended/service_mode.ts: systemd only).
    if (toolConsent(deps, session).state.os === "windows") {
      throw new Refusal(409, "unattended.serviceModeWindows");
    }
    await logSessionEvent(deps, session, "log.serviceModeRequested", {}, {
      userId: user.id,
      name: user.name,
      author: "technician",
    });
    startServiceMode(deps, session, user);
    if (!isHtmx(c)) return c.json({ requested: "service" }, 202);
    return c.html(
      <div class="card dialog" id="unattended-dialog" role="status">
        <p>{c.get("t")("unattendedRequest.service.sent")}</p>
        <button type="button" class="secondary" data-close-dialog="dialog">
          {c.get("t")("console.close")}
        </button>
      </div>,
    );
  });
