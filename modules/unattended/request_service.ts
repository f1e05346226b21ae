/**
 * The unattended-access request (SPEC C8; docs/unattended.md, request owner): a technician
 * asks during an Active session, the customer approves or declines on the customer page, and
 * only the agent's signed word turns an approval into a grant.
 *
 * How a replayed or forged approval is refused:
 * - the request row carries the terms as resolved when asked, their digest (SHA-256 over the
 *   request id and the canonical terms) and a single-use nonce (32 random bytes). The customer
 *   page sends both back; the decision is one conditional update from `pending`, so a second
 *   POST (a replay, a double click, another tab) finds nothing to move and is refused and
 *   audited;
 * - the approval goes to the agent (`unattended.install`), which shows the terms in its own
 *   window, and on the customer's yes installs itself and signs
 *   `approvalMessage(requestId, nonce, digest, deviceId)` with its device key (Ed25519, made
 *   on the device). The server verifies that signature against the returned public key before
 *   it stores the grant; the grant's nonce is unique, so one approval makes one grant.
 * OS credentials never reach the server: the agent asks for them and keeps them encrypted.
 */
import { and, desc, eq } from "drizzle-orm";
import { recordAudit } from "../audit/mod.ts";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import type { TranslationKey } from "../i18n/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { callAgent, toolConsent } from "../remote/mod.ts";
import { logSessionEvent, sessionForTechnician, type SupportSession } from "../support/mod.ts";
import { randomToken, timingSafeEqual } from "../tokens/mod.ts";
import {
  APPROVAL_TOOLS,
  approvalMessage,
  type ApprovalTool,
  approvalTools,
  type ResolvedTerms,
  ResolvedTermsSchema,
} from "../../protocol/unattended_request.ts";
import { users } from "../auth/mod.ts";
import { createGrant, registerDevice } from "./devices.ts";
import { importDeviceKey } from "./device_key.ts";
import { fromBase64url, parseTerms, resolveTerms, termsDigest } from "./request_terms.ts";
import { type AccessWindow, unattendedRequests } from "./schema.ts";

export type UnattendedRequest = typeof unattendedRequests.$inferSelect;

/**
 * The computer's OS as its agent's hello said it ("windows", "linux"), or null when no agent
 * has been heard in this session: the terms' sentence on credentials depends on it.
 */
export function computerOs(deps: AppDeps, sessionId: string): string | null {
  return toolConsent(deps, { id: sessionId }).state.os;
}

/**
 * The customer's computer: its time zone, whether its agent can install the service, and
 * whether it is Windows (from the agent's hello) — the Windows service does not sign in, it
 * shows the desktop of the user signed in at the console, so it keeps no credentials.
 */
export async function unattendedAbout(deps: AppDeps, sessionId: string) {
  const about = await callAgent(deps, sessionId, { kind: "unattended.about" }, {
    timeoutMs: 5_000,
  });
  if (!about.ok) return null;
  return { ...about.result, windows: toolConsent(deps, { id: sessionId }).state.os === "windows" };
}

/** Parses and checks the technician's terms, stores the request, tells the customer. */
export async function requestUnattended(
  deps: AppDeps,
  user: CurrentUser,
  sessionId: string,
  form: Record<string, string>,
): Promise<UnattendedRequest> {
  const { session, entry } = await sessionForTechnician(deps, user, sessionId, "work");
  if (entry.status !== "active") throw new Refusal(409, "unattendedRequest.notActive");
  const about = await unattendedAbout(deps, session.id);
  if (!about) throw new Refusal(409, "unattendedRequest.agentAbsent");
  if (!about.canInstall) {
    throw new Refusal(
      409,
      about.unavailable === "not_elevated"
        ? about.windows ? "unattended.notElevated" : "unattended.notRoot"
        : "unattendedRequest.cannotInstall",
    );
  }
  const parsed = parseTerms(form, {
    technician: form.technicianZone ?? null,
    customer: about.timeZone,
  });
  if (!parsed.ok) throw new Refusal(422, `unattendedRequest.bad.${parsed.problem}`);
  if (about.windows && parsed.terms.authMode === "customer_credentials") {
    throw new Refusal(422, "unattended.windowsCredentials");
  }
  const now = deps.clock.now();
  const resolved = resolveTerms(parsed.terms, now);
  if (!resolved.ok) throw new Refusal(422, `unattendedRequest.bad.${resolved.problem}`);
  const id = crypto.randomUUID();
  const [row] = await deps.db.insert(unattendedRequests).values({
    id,
    orgId: session.orgId,
    sessionId: session.id,
    requestedBy: user.id,
    terms: resolved.resolved,
    digest: await termsDigest(id, resolved.resolved),
    nonce: randomToken(32),
    state: "pending",
    requestedAt: now,
  }).returning();
  await logSessionEvent(deps, session, "log.unattendedRequested", { requestId: id }, {
    userId: user.id,
    name: user.name,
    author: "technician",
  }, {
    actor: user,
    action: "unattended.requested",
    details: { requestId: id, ...resolved.resolved },
  });
  return row;
}

/** The session's newest request, for the workspace. */
export async function latestRequest(
  deps: AppDeps,
  sessionId: string,
): Promise<UnattendedRequest | null> {
  const [row] = await deps.db.select().from(unattendedRequests)
    .where(eq(unattendedRequests.sessionId, sessionId))
    .orderBy(desc(unattendedRequests.requestedAt)).limit(1);
  return row ?? null;
}

/** A request of this session (the customer page's), or a 404. */
export async function requestForCustomer(
  deps: AppDeps,
  session: SupportSession,
  requestId: string,
): Promise<UnattendedRequest & { resolved: ResolvedTerms }> {
  if (!/^[0-9a-f-]{36}$/.test(requestId)) {
    throw new Refusal(404, "unattendedRequest.decision.notFound");
  }
  const [row] = await deps.db.select().from(unattendedRequests).where(and(
    eq(unattendedRequests.id, requestId),
    eq(unattendedRequests.sessionId, session.id),
  ));
  if (!row) throw new Refusal(404, "unattendedRequest.decision.notFound");
  return { ...row, resolved: ResolvedTermsSchema.parse(row.terms) };
}

export interface Decision {
  /** "approve" or "decline"; anything else is refused. */
  decision: string;
  nonce: string;
  digest: string;
  /**
   * With an approval: the tools the customer left ticked (a subset of `APPROVAL_TOOLS`, at
   * least one). Absent: all of them, as the request listed them.
   */
  tools?: readonly string[];
}

/**
 * The customer's answer from the customer page. Refused (and audited) when the session is
 * over, the nonce or digest is not this request's, the window has already ended, or the
 * request was already decided (a replay). An approval carries the tools the customer left
 * ticked (an unknown tool or none at all is a 422); the agent is asked to install with just
 * those and signs them with the approval; the returned `installing` settles when the grant is
 * stored or the install failed.
 */
export async function customerDecision(
  deps: AppDeps,
  session: SupportSession,
  requestId: string,
  decision: Decision,
): Promise<{ state: "approved" | "declined"; installing: Promise<void> | null }> {
  const row = await requestForCustomer(deps, session, requestId);
  const now = deps.clock.now();
  const refuse = async (why: string, key: TranslationKey) => {
    await deps.db.transaction(async (tx) => {
      await recordAudit(tx, {
        orgId: session.orgId,
        action: "unattended.decision_refused",
        target: session.id,
        details: { requestId, why },
        at: now,
      });
    });
    return new Refusal(409, key);
  };
  if (decision.decision !== "approve" && decision.decision !== "decline") {
    throw new Refusal(422, "unattendedRequest.decision.bad");
  }
  if (session.endedAt) throw await refuse("session_over", "unattendedRequest.decision.sessionOver");
  if (!timingSafeEqual(decision.nonce, row.nonce) || decision.digest !== row.digest) {
    throw await refuse("mismatch", "unattendedRequest.decision.mismatch");
  }
  if (row.state !== "pending") throw await refuse("replayed", "unattendedRequest.decision.already");
  const until = row.resolved.untilAt;
  if (decision.decision === "approve" && until && Date.parse(until) <= now.getTime()) {
    throw await refuse("expired", "unattendedRequest.decision.expired");
  }
  const tools = decision.decision === "approve" ? _tickedTools(decision.tools) : null;
  const state = decision.decision === "approve" ? "approved" : "declined";
  const moved = await deps.db.transaction(async (tx) => {
    const [updated] = await tx.update(unattendedRequests)
      .set({ state, decidedAt: now, tools })
      .where(and(eq(unattendedRequests.id, row.id), eq(unattendedRequests.state, "pending")))
      .returning({ id: unattendedRequests.id });
    if (!updated) return false;
    await recordAudit(tx, {
      orgId: session.orgId,
      action: "unattended.customer_decided",
      target: session.id,
      details: {
        requestId,
        decision: state,
        ...(tools
          ? { tools, untaken: APPROVAL_TOOLS.filter((tool) => !tools.includes(tool)) }
          : {}),
      },
      at: now,
    });
    return true;
  });
  // Two answers at once: the other one moved it first.
  if (!moved) throw await refuse("replayed", "unattendedRequest.decision.already");
  await logSessionEvent(
    deps,
    session,
    state === "approved" ? "log.unattendedApproved" : "log.unattendedDeclined",
    { requestId },
    { name: session.customerName, author: "customer" },
  );
  if (state === "declined") return { state, installing: null };
  return {
    state,
    installing: installApproved(deps, session, { ...row, decidedAt: now, tools }),
  };
}

/** The customer's ticks: known tools only, at least one (else decline). */
function _tickedTools(given: readonly string[] | undefined): ApprovalTool[] {
  if (given === undefined) return [...APPROVAL_TOOLS];
  const tools = approvalTools(given);
  if (tools.length !== new Set(given).size) {
    throw new Refusal(422, "unattendedRequest.decision.badTools");
  }
  if (tools.length === 0) throw new Refusal(422, "unattendedRequest.decision.noTools");
  return tools;
}

/** Asks the agent to install and sign; stores the grant only on a valid signature. */
async function installApproved(
  deps: AppDeps,
  session: SupportSession,
  row: UnattendedRequest & { resolved: ResolvedTerms },
): Promise<void> {
  const [tech] = await deps.db.select({ name: users.name }).from(users)
    .where(eq(users.id, row.requestedBy));
  const tools = approvalTools(row.tools ?? APPROVAL_TOOLS);
  const outcome = await callAgent(deps, session.id, {
    kind: "unattended.install",
    requestId: row.id,
    nonce: row.nonce,
    digest: row.digest,
    terms: row.resolved,
    technician: tech?.name ?? "?",
    tools,
  });
  if (!outcome.ok) return await _failed(deps, session, row, outcome.code, outcome.reason);
  const result = outcome.result;
  // The customer's credentials were the point of this mode: no grant without them kept.
  if (row.resolved.authMode === "customer_credentials" && !result.credentialsKept) {
    return await _failed(deps, session, row, "no_credentials", "The agent kept no credentials");
  }
  const message = approvalMessage({
    requestId: row.id,
    nonce: row.nonce,
    digest: row.digest,
    deviceId: result.deviceId,
    tools,
  });
  if (!(await _verify(result.publicKey, result.signature, message))) {
    return await _failed(deps, session, row, "bad_signature", "The approval's signature is wrong");
  }
  const now = deps.clock.now();
  let grantId: string;
  try {
    grantId = await deps.db.transaction(async (tx) => {
      const device = await registerDevice(deps, {
        orgId: session.orgId,
        deviceId: result.deviceId,
        name: result.hostname,
        os: result.os,
        publicKey: result.publicKey,
      }, { userId: row.requestedBy, tx });
      const grant = await createGrant(deps, {
        orgId: session.orgId,
        deviceRef: device.id,
        ownerUserId: row.requestedBy,
        authMode: row.resolved.authMode,
        window: grantWindow(row.resolved),
        timeZone: row.resolved.timeZone,
        requestedInSession: session.id,
        approvedAt: row.decidedAt ?? now,
        approvalSignature: result.signature,
        approvalNonce: row.nonce,
        tools,
      }, { tx });
      await tx.update(unattendedRequests).set({ state: "granted", grantId: grant.id })
        .where(eq(unattendedRequests.id, row.id));
      await recordAudit(tx, {
        orgId: session.orgId,
        actorId: row.requestedBy,
        action: "unattended.installed",
        target: session.id,
        details: {
          requestId: row.id,
          grantId: grant.id,
          deviceId: result.deviceId,
          unit: result.unit,
          credentialsKept: result.credentialsKept,
          tools,
        },
        at: now,
      });
      return grant.id;
    });
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return await _failed(deps, session, row, "refused", error.key);
  }
  await logSessionEvent(deps, session, "log.unattendedGranted", {
    requestId: row.id,
    grantId,
    device: result.hostname,
  });
}

/** The resolved terms as the grant's access window (modules/unattended/window.ts). */
export function grantWindow(resolved: ResolvedTerms): AccessWindow {
  const window: AccessWindow = { kind: resolved.kind, fromAt: resolved.fromAt };
  if (resolved.untilAt) window.untilAt = resolved.untilAt;
  if (resolved.kind === "daily") {
    window.startMinute = resolved.dailyStart ?? 0;
    window.endMinute = resolved.dailyEnd ?? 0;
    window.weekdays = resolved.weekdays;
  }
  return window;
}

async function _failed(
  deps: AppDeps,
  session: SupportSession,
  row: UnattendedRequest,
  code: string,
  reason: string,
): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await tx.update(unattendedRequests).set({ state: "failed", reason: `${code}: ${reason}` })
      .where(eq(unattendedRequests.id, row.id));
    await recordAudit(tx, {
      orgId: session.orgId,
      actorId: row.requestedBy,
      action: "unattended.install_failed",
      target: session.id,
      details: { requestId: row.id, code, reason: reason.slice(0, 300) },
      at: now,
    });
  });
  await logSessionEvent(deps, session, "log.unattendedNotInstalled", {
    requestId: row.id,
    code,
    reason: reason.slice(0, 300),
  });
}

async function _verify(publicKey: string, signature: string, message: Uint8Array) {
  try {
    const key = await importDeviceKey(publicKey);
    return await crypto.subtle.verify(
      "Ed25519",
      key,
      fromBase64url(signature),
      message as Uint8Array<ArrayBuffer>,
    );
  } catch {
    return false;
  }
}
