/**
 * How one agent operation is declared (docs/agent_ops.md): its kind, the customer consent it
 * needs at the agent, the request's fields (a strict, bounded object), its result and, when it
 * streams, its events. The server and the agent both validate against the same spec.
 */
import { z } from "zod";
import type { Capability } from "./messages.ts";

export interface OpSpec<
  K extends string = string,
  Q extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
  E extends z.ZodType = z.ZodType,
> {
  kind: K;
  /** The consent the customer must have granted at the agent; null: harmless facts. */
  capability: Capability | null;
  request: Q;
  result: R;
  event: E;
  /** How long the server waits for the outcome by default (ms). */
  timeoutMs: number;
}

export const DEFAULT_OP_TIMEOUT_MS = 30_000;

/** One operation's spec; `params` excludes `kind`, which the request carries as its tag. */
export function defineOp<
  K extends string,
  P extends z.ZodRawShape,
  R extends z.ZodType,
  E extends z.ZodType = z.ZodNever,
>(spec: {
  kind: K;
  capability: Capability | null;
  params: P;
  result: R;
  event?: E;
  timeoutMs?: number;
}): OpSpec<K, z.ZodObject<{ kind: z.ZodLiteral<K> } & P, z.core.$strict>, R, E> {
  return {
    kind: spec.kind,
    capability: spec.capability,
    request: z.strictObject({ kind: z.literal(spec.kind), ...spec.params }),
    result: spec.result,
    event: (spec.event ?? z.never()) as E,
    timeoutMs: spec.timeoutMs ?? DEFAULT_OP_TIMEOUT_MS,
  };
}
