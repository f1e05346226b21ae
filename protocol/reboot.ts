/**
 * The agent operations of reboot and reconnect (issue 17, SPEC R8; docs/agent_ops.md).
 *
 * - `reboot.modes` (no consent: what the technician may offer): the three modes and, per
 *   mode, whether this computer has it and, if not, why (a code the console words).
 * - `reboot.start` (the `reboot` consent, then the customer confirms once more in the agent's
 *   window): the agent writes what resumes the session after the restart, announces the
 *   restart with a `restarting` event — the moment the session goes Rebooting — and restarts
 *   the computer. The result arrives only if the agent is still there to send it; a failed
 *   restart is an `opFailed` (`reboot_failed`) after the event, and the session goes back.
 */
import { z } from "zod";
import { defineOp, type OpSpec } from "./op_spec.ts";

/** Normal restart; safe mode with networking; forced (emergency) restart. */
export const REBOOT_MODES = ["normal", "safe", "forced"] as const;
export type RebootMode = typeof REBOOT_MODES[number];

/**
 * Why a mode is not offered here: `no_safe_mode` (the OS has no safe mode with networking the
 * agent could come back from — Linux), `not_built` (this OS's reboot layer is not built yet).
 */
export const REBOOT_UNAVAILABLE = ["no_safe_mode", "not_built"] as const;
export type RebootUnavailable = typeof REBOOT_UNAVAILABLE[number];

/**
 * What the customer does after the restart for the session to resume: `sign_in` — the support
 * app starts again when the customer signs in (no credentials leave the customer's computer,
 * none are kept by the agent either).
 */
export const REBOOT_RESUMES = ["sign_in"] as const;

const deviceId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);
const mode = z.enum(REBOOT_MODES);

export const REBOOT_OPS = [
  defineOp({
    kind: "reboot.modes",
    capability: null,
    params: {},
    result: z.strictObject({
      modes: z.array(z.strictObject({
        mode,
        available: z.boolean(),
        unavailable: z.enum(REBOOT_UNAVAILABLE).nullable(),
      })).length(REBOOT_MODES.length),
      resumes: z.enum(REBOOT_RESUMES),
    }),
  }),
  defineOp({
    kind: "reboot.start",
    capability: "reboot",
    params: { mode },
    /** Sent once, right before the restart command: the session goes Rebooting. */
    event: z.strictObject({ stage: z.literal("restarting"), mode, deviceId }),
    result: z.strictObject({ mode, deviceId }),
    // The customer has to confirm in the agent's window first.
    timeoutMs: 180_000,
  }),
] as const;

// Checked apart: `satisfies` on the tuple widens the kinds to string.
const _specs: readonly OpSpec[] = REBOOT_OPS;
