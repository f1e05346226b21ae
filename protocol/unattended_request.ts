/**
 * The agent operations of the unattended-access request, service mode and the calling card
 * (issue 19; docs/unattended.md, docs/agent_ops.md). None needs a session consent: each one
 * puts its own question in front of the customer in the agent's window (`confirm`), and the
 * agent's answer is what counts on the agent's side.
 *
 * - `unattended.about`: the computer's IANA time zone (for terms in the customer's zone) and
 *   whether this agent can install itself as a service here (and if not, why).
 * - `unattended.install`: the terms the customer approved on the customer page; the agent shows
 *   them again, installs itself as a service, keeps OS credentials (when the customer gives
 *   them in the agent's window) encrypted on the computer, and signs the approval with its
 *   device key: `sign(deviceKey, approvalMessage(...))`. The server stores the grant only with
 *   a signature that checks against the returned public key.
 * - `service.restart` (SPEC R9): restart the agent as a system service, same session.
 * - `callingCard.deploy` (SPEC C6): put the channel's calling card on the computer.
 */
import { z } from "zod";
import { defineOp, type OpSpec } from "./op_spec.ts";

export const AUTH_MODES = ["ask_each_time", "customer_credentials"] as const;
export type AuthMode = typeof AUTH_MODES[number];
export const WINDOW_KINDS = ["days", "range", "unlimited", "daily"] as const;
export type WindowKind = typeof WINDOW_KINDS[number];

/**
 * What an approval can let a technician use with nobody at the computer; the customer unticks
 * any of them on the customer page before approving (agent/unattended/tool_grants.ts honours
 * the rest). `control` is seeing and controlling the screen (control includes view).
 */
export const APPROVAL_TOOLS = ["control", "files", "systemInfo", "scripts", "reboot"] as const;
export type ApprovalTool = typeof APPROVAL_TOOLS[number];

/** The tools in `APPROVAL_TOOLS` order, each once: how they are signed and stored. */
export function approvalTools(tools: readonly string[]): ApprovalTool[] {
  return APPROVAL_TOOLS.filter((tool) => tools.includes(tool));
}

/**
 * Why this agent cannot install itself as a service here: `not_elevated` — Windows, where
 * creating a service needs the app started as an administrator, and Linux, where installing the
 * systemd unit needs root (the server words it by the computer's OS).
 */
export const INSTALL_UNAVAILABLE = ["not_built", "no_installer", "not_elevated"] as const;
export type InstallUnavailable = typeof INSTALL_UNAVAILABLE[number];

const iso = z.string().max(40).regex(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/);
const zone = z.string().min(1).max(64).regex(/^[A-Za-z0-9_+\-/]+$/);
const id = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);
const deviceId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);
const b64 = (max: number) => z.string().max(max).regex(/^[A-Za-z0-9_-]+$/);

/** The access window as resolved at approval, what the agent shows and the grant keeps. */
export const ResolvedTermsSchema = z.strictObject({
  authMode: z.enum(AUTH_MODES),
  kind: z.enum(WINDOW_KINDS),
  fromAt: iso,
  untilAt: iso.nullable(),
  /**
   * Daily window: minutes after local midnight (an end before the start runs past midnight);
   * weekdays 0 (Sunday) – 6, as the grant keeps them (modules/unattended/window.ts).
   */
  dailyStart: z.int().min(0).max(1439).nullable(),
  dailyEnd: z.int().min(0).max(1439).nullable(),
  weekdays: z.array(z.int().min(0).max(6)).max(7),
  timeZone: zone,
  zoneOf: z.enum(["technician", "customer"]),
});
export type ResolvedTerms = z.infer<typeof ResolvedTermsSchema>;

/**
 * What the agent signs: one line per field, so no field can run into the next. The last line
 * is the tools the customer left ticked (`approvalTools` order), so the narrowed set is part of
 * the signed approval: a server that widened it would hold a signature that does not check.
 */
export function approvalMessage(
  parts: {
    requestId: string;
    nonce: string;
    digest: string;
    deviceId: string;
    tools: readonly string[];
  },
): Uint8Array {
  const tools = approvalTools(parts.tools).join(",");
  return new TextEncoder().encode(
    `unattended-approval:v2\n${parts.requestId}\n${parts.nonce}\n${parts.digest}\n${parts.deviceId}\n${tools}`,
  );
}

export const UNATTENDED_REQUEST_OPS = [
  defineOp({
    kind: "unattended.about",
    capability: null,
    params: {},
    result: z.strictObject({
      timeZone: zone,
      canInstall: z.boolean(),
      unavailable: z.enum(INSTALL_UNAVAILABLE).nullable(),
    }),
  }),
  defineOp({
    kind: "unattended.install",
    capability: null,
    params: {
      requestId: id,
      /** Single use: the grant keeps it, a second grant with it is refused. */
      nonce: b64(64),
      /** SHA-256 (base64url) of the canonical terms the customer approved. */
      digest: b64(64),
      terms: ResolvedTermsSchema,
      /** The technician's name, shown to the customer. */
      technician: z.string().min(1).max(120),
      /** The tools the customer left ticked on the customer page (at least one). */
      tools: z.array(z.enum(APPROVAL_TOOLS)).min(1).max(APPROVAL_TOOLS.length),
    },
    result: z.strictObject({
      deviceId,
      /** The device's Ed25519 public key, SPKI, base64url. */
      publicKey: b64(200),
      /** Ed25519 over `approvalMessage`, base64url. */
      signature: b64(200),
      /** Where the service definition was written. */
      unit: z.string().max(500),
      credentialsKept: z.boolean(),
      hostname: z.string().min(1).max(255),
      os: z.enum(["linux", "windows", "darwin"]),
    }),
    // The customer reads the terms and answers in the agent's window first.
    timeoutMs: 300_000,
  }),
  defineOp({
    kind: "service.restart",
    capability: null,
    params: {},
    /** Sent right before the agent hands over to the service: the session goes Rebooting. */
    event: z.strictObject({ stage: z.literal("restarting"), deviceId }),
    result: z.strictObject({ deviceId, unit: z.string().max(500) }),
    timeoutMs: 180_000,
  }),
  defineOp({
    kind: "callingCard.deploy",
    capability: null,
    params: {
      cardId: id,
      start: z.enum(["now", "boot"]),
      /** The card's name, shown to the customer in the question. */
      name: z.string().min(1).max(80),
      /** Where the agent downloads the branded package (the server's own origin). */
      path: z.string().max(200).regex(/^\/[A-Za-z0-9_\-/.]+$/),
    },
    result: z.strictObject({ installedAt: z.string().max(500), started: z.boolean() }),
    timeoutMs: 180_000,
  }),
] as const;

// Checked apart: `satisfies` on the tuple widens the kinds to string.
const _specs: readonly OpSpec[] = UNATTENDED_REQUEST_OPS;
