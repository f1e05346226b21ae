/**
 * Restarting the customer's computer (SPEC R8), the technician's side:
 *
 * - `GET /console/sessions/:id/reboot` — the dialog: the three ways, which ones this computer
 *   has (the agent's `reboot.modes`) and why not, that the customer signs in after the
 *   restart (no credentials asked or kept), and the customer's `reboot` consent;
 * - `GET /console/sessions/:id/reboot/consent` — that consent block alone (polled while the
 *   customer is asked);
 * - `POST /console/sessions/:id/reboot/ask` — ask the customer for the `reboot` consent;
 * - `POST /console/sessions/:id/reboot` (form `mode`) — restart: the customer confirms at the
 *   agent, the agent's `restarting` event makes the session Rebooting (support/reboot.ts).
 *
 * All need the `reboot` permission and the technician working the session; they run where the
 * agent is (`relayToAgentHome`). The restart runs on after the answer: its outcome is in the
 * session log, the status in the queue.
 */
import { type Context, Hono } from "hono";
import {
  type AppDeps,
  type AppEnv,
  type AuthedEnv,
  type CurrentUser,
  isHtmx,
  readForm,
  requirePermission,
} from "../http/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import {
  rebootAnnounced,
  rebootNotDone,
  rebootRequested,
  sessionForTechnician,
  type SupportSession,
} from "../support/mod.ts";
import { REBOOT_MODES, type RebootMode } from "../../protocol/reboot.ts";
import type { OpResult } from "../../protocol/mod.ts";
import { callAgent } from "./agent_ops.ts";
import { toolConsent } from "./tool_consent.ts";
import { relayToAgentHome } from "./tool_routes.ts";
import { ConsentBlock, RebootDialog } from "./reboot_views.tsx";

type C = Context<AuthedEnv>;
export type RebootModes = OpResult<"reboot.modes">;

/** Sessions whose restart is under way on this instance (one at a time per session). */
const underWay = new WeakMap<AppDeps, Set<string>>();

function _underWay(deps: AppDeps): Set<string> {
  let set = underWay.get(deps);
  if (!set) underWay.set(deps, set = new Set());
  return set;
}

async function _working(c: C): Promise<{ session: SupportSession; user: CurrentUser }> {
  const user = c.get("user");
  const { session } = await sessionForTechnician(
    c.get("deps"),
    user,
    c.req.param("id") ?? "",
    "work",
  );
  return { session, user };
}

/**
 * Starts the restart and follows it to its outcome: the `restarting` event is the moment the
 * session goes Rebooting; a failure before it is "not started", after it "failed" (the agent
 * never left); the agent going away after it is the restart itself.
 */
function _restart(deps: AppDeps, session: SupportSession, user: CurrentUser, mode: RebootMode) {
  const running = _underWay(deps);
  running.add(session.id);
  let announced: Promise<void> | null = null;
  callAgent(deps, session.id, { kind: "reboot.start", mode }, {
    onEvent: (event) => {
      announced = rebootAnnounced(deps, session.id, { mode, deviceId: event.deviceId, by: user });
    },
  }).then(async (outcome) => {
    if (announced) await announced;
    if (outcome.ok) return;
    if (announced && (outcome.code === "agent_gone" || outcome.code === "timeout")) return;
    await rebootNotDone(deps, session.id, { code: outcome.code, reason: outcome.reason });
  }).catch((error) => deps.log.error("reboot failed", { error: String(error) }))
    .finally(() => running.delete(session.id));
}

async function _modes(deps: AppDeps, sessionId: string) {
  return await callAgent(deps, sessionId, { kind: "reboot.modes" }, { timeoutMs: 5_000 });
}

export const rebootRoutes = new Hono<AppEnv>()
  .use("/console/sessions/:id/reboot", requirePermission("reboot"), relayToAgentHome)
  .use("/console/sessions/:id/reboot/*", requirePermission("reboot"), relayToAgentHome)
  .get("/console/sessions/:id/reboot", async (c) => {
    const { session } = await _working(c);
    const deps = c.get("deps");
    const state = toolConsent(deps, session).state;
    const modes = state.present ? await _modes(deps, session.id) : null;
    return c.html(
      <RebootDialog
        c={c}
        session={session}
        state={state}
        modes={modes}
        busy={_underWay(deps).has(session.id)}
      />,
    );
  })
  .get("/console/sessions/:id/reboot/consent", async (c) => {
    const { session } = await _working(c);
    const state = toolConsent(c.get("deps"), session).state;
    return c.html(<ConsentBlock c={c} sessionId={session.id} state={state} />);
  })
  .post("/console/sessions/:id/reboot/ask", async (c) => {
    const { session, user } = await _working(c);
    const consent = toolConsent(c.get("deps"), session);
    if (consent.outsideApproval("reboot")) throw new Refusal(409, "agentTools.notApproved");
    if (!consent.request("reboot", { userId: user.id, name: user.name })) {
      throw new Refusal(409, "reboot.agentAbsent");
    }
    // Asked: the agent says so in a moment, the customer answers in its window.
    const state = consent.state;
    const shown = state.consent.reboot === "granted"
      ? state
      : { ...state, consent: { ...state.consent, reboot: "asked" as const } };
    return c.html(<ConsentBlock c={c} sessionId={session.id} state={shown} />);
  })
  .post("/console/sessions/:id/reboot", async (c) => {
    const { session, user } = await _working(c);
    const deps = c.get("deps");
    const mode = (await readForm(c)).mode;
    if (!(REBOOT_MODES as readonly string[]).includes(mode ?? "")) {
      throw new Refusal(422, "reboot.badMode");
    }
    const state = toolConsent(deps, session).state;
    if (!state.present) throw new Refusal(409, "reboot.agentAbsent");
    if (state.consent.reboot !== "granted") throw new Refusal(409, "reboot.notGranted");
    if (_underWay(deps).has(session.id)) throw new Refusal(409, "reboot.busy");
    const modes = await _modes(deps, session.id);
    const offered = modes.ok && modes.result.modes.some((m) => m.mode === mode && m.available);
    if (!offered) throw new Refusal(409, "reboot.modeUnavailable");
    await rebootRequested(deps, session.id, user, mode as RebootMode);
    _restart(deps, session, user, mode as RebootMode);
    if (!isHtmx(c)) return c.json({ requested: mode }, 202);
    return c.html(
      <div class="card dialog" id="reboot-dialog" role="status">
        <p>{c.get("t")("reboot.sent")}</p>
        <button type="button" class="secondary" data-close-dialog="dialog">
          {c.get("t")("console.close")}
        </button>
      </div>,
    );
  });
