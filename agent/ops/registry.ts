/** Every feature's operation handlers, joined (docs/agent_ops.md). */
import type { OpEnv, OpHandlers } from "./mod.ts";
import { fileHandlers } from "../files/handlers.ts";
import { systemHandlers } from "../system/handlers.ts";
import { scriptHandlers } from "../scripts/handlers.ts";
import { rebootHandlers } from "../reboot/handlers.ts";
import { unattendedRequestHandlers } from "../unattended/request_handlers.ts";
import { serviceModeHandlers } from "../unattended/service_mode.ts";
import { callingCardHandlers } from "../calling_card/deploy.ts";

export function defaultOpHandlers(env: OpEnv): OpHandlers {
  return {
    ...fileHandlers(env),
    ...systemHandlers(env),
    ...scriptHandlers(env),
    ...rebootHandlers(env),
    ...unattendedRequestHandlers(env),
    ...serviceModeHandlers(env),
    ...callingCardHandlers(env),
  };
}
