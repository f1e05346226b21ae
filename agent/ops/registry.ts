/** Every feature's operation handlers, joined (docs/agent_ops.md). */
import type { OpEnv, OpHandlers } from "./mod.ts";
import { fileHandlers } from "../files/handlers.ts";
import { systemHandlers } from "../system/handlers.ts";
import { scriptHandlers } from "../scripts/handlers.ts";
import { rebootHandlers } from "../reboot/handlers.ts";
import { unattendedRequestHandlers } from "../unattended/request_handlers.ts";
import { unattendedPorts } from "../unattended/ports.ts";
import type { UnattendedPorts } from "../unattended/request_handlers.ts";
import { serviceModeHandlers } from "../unattended/service_mode.ts";
import { callingCardHandlers } from "../calling_card/deploy.ts";

/** `window`: what the agent's own window offers the handlers (the credentials form). */
export function defaultOpHandlers(
  env: OpEnv,
  window: { askCredentials?: UnattendedPorts["askCredentials"] } = {},
): OpHandlers {
  // Where services are written: `/` on a customer's computer; tests give a temporary root.
  const root = Deno.env.get("RESCUE_SERVICE_ROOT") || undefined;
  return {
    ...fileHandlers(env),
    ...systemHandlers(env),
    ...scriptHandlers(env),
    ...rebootHandlers(env),
    ...unattendedRequestHandlers(env, { ports: unattendedPorts(env, { root, ...window }) }),
    ...serviceModeHandlers(env, { root }),
    ...callingCardHandlers(env),
  };
}
