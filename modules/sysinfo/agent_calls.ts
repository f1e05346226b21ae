/**
 * The system operations as the server calls them: `callAgent` typed by this feature's own
 * specs, and an agent's failure turned into a refusal the technician can read.
 */
import type { z } from "zod";
import type { SYSTEM_OPS } from "../../protocol/system.ts";
import type { AppDeps } from "../http/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { callAgent } from "../remote/mod.ts";

type Spec = typeof SYSTEM_OPS[number];
export type SystemKind = Spec["kind"];
type Of<K extends SystemKind> = Extract<Spec, { kind: K }>;
export type SystemRequest<K extends SystemKind> = z.infer<Of<K>["request"]>;
export type SystemResult<K extends SystemKind> = z.infer<Of<K>["result"]>;

/** Failure codes with their own words (locales: sysinfo.failure.*); any other is "failed". */
export const FAILURE_CODES = [
  "agent_absent",
  "agent_gone",
  "timeout",
  "cancelled",
  "not_granted",
  "not_available",
  "invalid",
  "invalid_result",
  "no_such_process",
  "declined",
  "denied",
  "refused",
  "failed",
] as const;
export type FailureCode = typeof FAILURE_CODES[number];

/** What the agent could not do, with its reason (not translated: the agent's own words). */
export class SystemFailure extends Error {
  constructor(readonly code: FailureCode, readonly reason: string) {
    super(`${code}: ${reason}`);
  }
}

export function failureCode(code: string): FailureCode {
  return (FAILURE_CODES as readonly string[]).includes(code) ? code as FailureCode : "failed";
}

/** Runs `request` on the session's agent; throws SystemFailure when it does not succeed. */
export async function systemCall<K extends SystemKind>(
  deps: AppDeps,
  sessionId: string,
  request: SystemRequest<K> & { kind: K },
): Promise<SystemResult<K>> {
  const outcome = await callAgent(deps, sessionId, request as never) as
    | { ok: true; result: unknown }
    | { ok: false; code: string; reason: string };
  if (!outcome.ok) throw new SystemFailure(failureCode(outcome.code), outcome.reason);
  return outcome.result as SystemResult<K>;
}

/** An action's failure as a refusal: the request was wrong (422), no such process (404), else 409. */
export function failureRefusal(failure: SystemFailure): Refusal {
  const status = failure.code === "invalid" ? 422 : failure.code === "no_such_process" ? 404 : 409;
  return new Refusal(status, `sysinfo.failure.${failure.code}`, {
    params: { reason: failure.reason },
  });
}
