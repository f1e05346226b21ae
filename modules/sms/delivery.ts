import type { AppDeps } from "../http/mod.ts";
import { deliverOutbox, startOutboxWorker } from "../outbox/mod.ts";
import { configuredSmsGateway, type SmsGateway } from "./gateway.ts";
import { smsStore } from "./outbox.ts";

/**
 * What delivery needs: the app's dependencies, and optionally a gateway that replaces the
 * one SMS_GATEWAY_* describes (another provider, or a test double).
 */
export type SmsDeps = AppDeps & { smsGateway?: SmsGateway };

/** The gateway in use: `deps.smsGateway`, else the configured HTTP one, else none. */
export function smsGatewayOf(deps: SmsDeps): SmsGateway | undefined {
  return deps.smsGateway ?? configuredSmsGateway(deps.config);
}

/**
 * Delivers the given rows (pending and due, or held — a caller naming a held row asks for
 * it to go out now), or every due pending row when `ids` is omitted. Failures are written
 * to the row, never thrown; database errors are. Without a gateway it does nothing. The
 * body (a PIN or link) is never logged.
 */
export async function deliverSms(deps: SmsDeps, ids?: string[]): Promise<void> {
  const gateway = smsGatewayOf(deps);
  if (!gateway) return;
  await deliverOutbox(deps, {
    name: "sms",
    store: smsStore,
    send: (row) => gateway.send({ to: row.toNumber, body: row.body }),
    logFields: (row) => ({ smsId: row.id }),
  }, { ids });
}

/**
 * Retries due pending messages every 30 seconds (`intervalMs`, for tests) and returns a
 * function that stops the loop.
 */
export function startSmsWorker(
  deps: SmsDeps,
  options: { intervalMs?: number } = {},
): () => void {
  return startOutboxWorker(deps, {
    name: "sms",
    deliver: () => deliverSms(deps),
    intervalMs: options.intervalMs,
  });
}
