/**
 * Every agent operation (docs/agent_ops.md), joined from the features' own files, and the
 * types both sides use: a request, its result and its events by kind.
 */
import { z } from "zod";
import { defineOp, type OpSpec } from "./op_spec.ts";
import { FILE_OPS } from "./files.ts";
import { SYSTEM_OPS } from "./system.ts";
import { SCRIPT_OPS } from "./scripts.ts";
import { REBOOT_OPS } from "./reboot.ts";
import { UNATTENDED_REQUEST_OPS } from "./unattended_request.ts";

/** What the agent is and can do here (no consent: it is what the technician sees anyway). */
const CORE_OPS = [
  defineOp({
    kind: "agent.about",
    capability: null,
    params: {},
    result: z.strictObject({
      os: z.enum(["linux", "windows", "darwin"]),
      /** The kinds this agent has handlers for (the rest answer `not_available`). */
      ops: z.array(z.string().max(64)).max(256),
    }),
  }),
] as const;

export const ALL_OPS = [
  ...CORE_OPS,
  ...FILE_OPS,
  ...SYSTEM_OPS,
  ...SCRIPT_OPS,
  ...REBOOT_OPS,
  ...UNATTENDED_REQUEST_OPS,
] as const;

type AnyOp = typeof ALL_OPS[number];
export type OpKind = AnyOp["kind"];
type SpecOf<K extends OpKind> = Extract<AnyOp, { kind: K }>;
export type OpRequest<K extends OpKind = OpKind> = z.infer<SpecOf<K>["request"]>;
export type OpResult<K extends OpKind = OpKind> = z.infer<SpecOf<K>["result"]>;
export type OpEvent<K extends OpKind = OpKind> = z.infer<SpecOf<K>["event"]>;

const BY_KIND = new Map<string, OpSpec>(ALL_OPS.map((spec) => [spec.kind, spec as OpSpec]));

/** The spec of `kind`, or undefined for a kind this build does not know. */
export function opSpec(kind: string): OpSpec | undefined {
  return BY_KIND.get(kind);
}

/** Largest JSON body (request or result) one operation may carry, in UTF-16 units. */
export const OP_BODY_MAX = 8 * 1024 * 1024;
/** Largest piece of a body (or one event) per frame, so a frame stays under 64 KiB. */
export const OP_PART_MAX = 48 * 1024;
