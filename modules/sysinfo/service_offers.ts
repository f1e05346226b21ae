/**
 * Which of Start, Stop and Restart a service's row offers, and why not — one rule for the
 * Services view (what it shows) and the server (what it refuses before the customer is asked).
 * A running service offers Stop and Restart, a stopped or failed one Start, one on its way
 * between the two nothing; a service that does not accept a stop request (Windows:
 * SERVICE_ACCEPT_STOP; systemd: CanStop, RefuseManualStop) cannot be stopped or restarted, a
 * disabled Windows service or a masked unit cannot be started.
 */
import type { ServiceAction, ServiceRow } from "../../protocol/system.ts";

/** Why an action is not offered (locales: sysinfo.service.why.*). */
export type ServiceRefusal =
  | "running"
  | "stopped"
  | "pending"
  | "cannotStop"
  | "disabled"
  | "masked"
  | "cannotStart"
  /** Not among the services the agent lists now. */
  | "gone";

/** systemd's ActiveState, also the agent's word for a Windows service's state. */
function _phase(row: ServiceRow): "running" | "stopped" | "pending" {
  if (row.active === "active") return "running";
  if (row.active === "inactive" || row.active === "failed") return "stopped";
  return "pending"; // activating, deactivating, reloading, a word not known here
}

function _startRefusal(row: ServiceRow): ServiceRefusal | null {
  if (row.canStart !== false) return null;
  if (row.enabled === "disabled") return "disabled";
  if (row.enabled === "masked" || row.load === "masked") return "masked";
  return "cannotStart";
}

/** null when `action` may be asked of `row` now; else the reason it may not. */
export function serviceRefusal(row: ServiceRow, action: ServiceAction): ServiceRefusal | null {
  const phase = _phase(row);
  if (phase === "pending") return "pending";
  if (action === "start") return phase === "running" ? "running" : _startRefusal(row);
  if (phase === "stopped") return "stopped";
  if (row.canStop === false) return "cannotStop";
  return action === "restart" ? _startRefusal(row) : null;
}

/**
 * The buttons a row shows, each with its refusal (null: it may be pressed). Start on a running
 * service and Stop on a stopped one are left out; what the state would offer but the service
 * does not allow stays, disabled, with its reason as the title.
 */
export function serviceOffers(
  row: ServiceRow,
): { action: ServiceAction; refusal: ServiceRefusal | null }[] {
  const phase = _phase(row);
  const actions: ServiceAction[] = phase === "running"
    ? ["stop", "restart"]
    : phase === "stopped"
    ? ["start"]
    : [];
  return actions.map((action) => ({ action, refusal: serviceRefusal(row, action) }));
}
