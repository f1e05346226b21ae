/**
 * The two things the System tab changes on the customer's computer — ending a process and
 * starting, stopping or restarting a service. The customer confirms each in the agent's
 * window; whatever the outcome, it is written to the session log (both sides read it) and a
 * done action to the audit log.
 */
import { recordAudit } from "../audit/mod.ts";
import type { AppDeps } from "../http/mod.ts";
import {
  auditActor,
  logSessionEvent,
  type SessionActor,
  type SupportSession,
} from "../support/mod.ts";
import type { ServiceAction } from "../../protocol/system.ts";
import { systemCall, SystemFailure, type SystemResult } from "./agent_calls.ts";
import { type ServiceRefusal, serviceRefusal } from "./service_offers.ts";

function _by(user: SessionActor) {
  return { author: "technician" as const, userId: user.userId, name: user.name };
}

/** The audit entry's actor and details: an external technician is named in the details. */
function _auditBy(user: SessionActor, details: Record<string, unknown>) {
  const by = auditActor(user, details);
  return {
    actorId: by.actor?.id ?? null,
    actorEmail: by.actor?.email ?? null,
    details: by.details,
  };
}

async function _refused(
  deps: AppDeps,
  session: SupportSession,
  user: SessionActor,
  what: string,
  failure: SystemFailure,
) {
  // Nothing was done when the agent was not there or refused before asking.
  if (failure.code === "agent_absent" || failure.code === "invalid") return;
  await logSessionEvent(deps, session, "log.system.actionRefused", {
    name: user.name,
    what,
    reason: `${failure.code}: ${failure.reason}`.slice(0, 300),
  }, _by(user));
}

export async function endProcess(
  deps: AppDeps,
  session: SupportSession,
  user: SessionActor,
  target: { pid: number; force: boolean; ip?: string },
): Promise<SystemResult<"system.endProcess">> {
  let result: SystemResult<"system.endProcess">;
  try {
    result = await systemCall(deps, session.id, {
      kind: "system.endProcess",
      pid: target.pid,
      force: target.force,
    });
  } catch (error) {
    if (error instanceof SystemFailure) {
      await _refused(deps, session, user, `end process ${target.pid}`, error);
    }
    throw error;
  }
  const data = { name: user.name, pid: result.pid, process: result.name };
  await logSessionEvent(
    deps,
    session,
    result.ended ? "log.system.processEnded" : "log.system.processNotEnded",
    data,
    _by(user),
  );
  await recordAudit(deps.db, {
    orgId: session.orgId,
    ..._auditBy(user, {
      pid: result.pid,
      process: result.name,
      force: target.force,
      ended: result.ended,
    }),
    action: "session.process_ended",
    target: session.id,
    ip: target.ip ?? null,
    at: deps.clock.now(),
  });
  return result;
}

/** An action the service's state does not allow now: nothing was sent, nobody was asked. */
export class ServiceRefused extends Error {
  constructor(readonly unit: string, readonly refusal: ServiceRefusal) {
    super(`${unit}: ${refusal}`);
  }
}

/**
 * The services as the agent reads them now: an action the row does not allow is refused
 * before the customer is asked (a stale page, a hand-made request). Where the list cannot be
 * read, the agent's own answer to the action says why.
 */
async function _serviceAllows(
  deps: AppDeps,
  session: SupportSession,
  target: { unit: string; action: ServiceAction },
) {
  const services = await systemCall(deps, session.id, { kind: "system.services" });
  if (!services.available) return;
  const row = services.value.find((s) => s.name === target.unit);
  if (!row) throw new ServiceRefused(target.unit, "gone");
  const refusal = serviceRefusal(row, target.action);
  if (refusal) throw new ServiceRefused(target.unit, refusal);
}

export async function changeService(
  deps: AppDeps,
  session: SupportSession,
  user: SessionActor,
  target: { unit: string; action: ServiceAction; ip?: string },
): Promise<SystemResult<"system.serviceAction">> {
  let result: SystemResult<"system.serviceAction">;
  try {
    await _serviceAllows(deps, session, target);
    result = await systemCall(deps, session.id, {
      kind: "system.serviceAction",
      unit: target.unit,
      action: target.action,
    });
  } catch (error) {
    if (error instanceof SystemFailure) {
      await _refused(deps, session, user, `${target.action} ${target.unit}`, error);
    }
    throw error;
  }
  await logSessionEvent(deps, session, "log.system.serviceAction", {
    name: user.name,
    action: target.action,
    unit: result.unit,
    state: result.active,
  }, _by(user));
  await recordAudit(deps.db, {
    orgId: session.orgId,
    ..._auditBy(user, { unit: result.unit, action: target.action, active: result.active }),
    action: "session.service_action",
    target: session.id,
    ip: target.ip ?? null,
    at: deps.clock.now(),
  });
  return result;
}
