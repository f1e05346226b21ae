/**
 * The server's side of agent operations (docs/agent_ops.md): `callAgent` sends a typed
 * request to the session's agent over its control socket (in pieces when large) and resolves
 * with the checked result or a failure with a code — never throws, never waits forever. The
 * agent's answers are matched by operation id and session: an agent can only answer what was
 * sent to it. Runs on the agent's home instance (routes use `relayToAgentHome`).
 */
import {
  type AgentMessage,
  OpBodies,
  type OpEvent,
  type OpKind,
  type OpRequest,
  type OpResult,
  type OpSpec,
  opSpec,
  splitOpBody,
} from "../../protocol/mod.ts";
import type { AppDeps } from "../http/mod.ts";
import type { AgentLink } from "./session_links.ts";
import { remoteHub } from "./remote_hub.ts";

export type OpOutcome<K extends OpKind> =
  | { ok: true; result: OpResult<K> }
  | { ok: false; code: string; reason: string };

export interface CallOptions<K extends OpKind> {
  /** Each event the agent streams (progress, output), checked against the spec. */
  onEvent?: (event: OpEvent<K>) => void;
  /** Aborting cancels the operation at the agent too. */
  signal?: AbortSignal;
  /** How long to wait for the outcome (the spec's `timeoutMs` by default). */
  timeoutMs?: number;
}

type Answer = Extract<AgentMessage, { type: "opEvent" | "opPart" | "opDone" | "opFailed" }>;

interface Pending {
  sessionId: string;
  link: AgentLink;
  spec: OpSpec;
  onEvent?: (event: unknown) => void;
  finish: (outcome: OpOutcome<OpKind>) => void;
}

/** Every operation of one running app that waits for its agent. */
export class AgentOps {
  readonly #pending = new Map<string, Pending>();
  readonly #bodies = new OpBodies(1024);

  constructor(private findLink: (sessionId: string) => AgentLink | null) {}

  get pending(): number {
    return this.#pending.size;
  }

  call<R extends OpRequest, K extends OpKind = R["kind"]>(
    sessionId: string,
    request: R,
    options: CallOptions<K> = {},
  ): Promise<OpOutcome<K>> {
    const spec = opSpec((request as { kind: string }).kind);
    if (!spec) return _failed("unknown_op", "unknown operation");
    const parsed = spec.request.safeParse(request);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return _failed("invalid", `${issue?.path.join(".") || "request"}: ${issue?.message}`);
    }
    const link = this.findLink(sessionId);
    if (!link) return _failed("agent_absent", "the customer's agent is not connected");
    if (options.signal?.aborted) return _failed("cancelled", "cancelled");
    const id = _opId();
    return new Promise<OpOutcome<K>>((resolve) => {
      const timer = setTimeout(() => {
        link.send({ type: "opCancel", id });
        finish({ ok: false, code: "timeout", reason: "the agent did not answer in time" });
      }, options.timeoutMs ?? spec.timeoutMs);
      const onAbort = () => {
        link.send({ type: "opCancel", id });
        finish({ ok: false, code: "cancelled", reason: "cancelled" });
      };
      const finish = (outcome: OpOutcome<OpKind>) => {
        if (!this.#pending.delete(id)) return;
        this.#bodies.drop(id);
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        resolve(outcome as OpOutcome<K>);
      };
      options.signal?.addEventListener("abort", onAbort, { once: true });
      this.#pending.set(id, {
        sessionId,
        link,
        spec,
        onEvent: options.onEvent as ((event: unknown) => void) | undefined,
        finish,
      });
      const pieces = splitOpBody(JSON.stringify(parsed.data));
      const last = pieces.pop()!;
      for (const piece of pieces) link.send({ type: "opPart", id, json: piece });
      link.send({ type: "op", id, json: last });
    });
  }

  /** One answer frame from session `sessionId`'s agent. */
  received(sessionId: string, message: Answer) {
    const pending = this.#pending.get(message.id);
    // Late (timed out, cancelled) or not this agent's: nothing to do.
    if (!pending || pending.sessionId !== sessionId) return;
    switch (message.type) {
      case "opEvent": {
        const event = pending.spec.event.safeParse(_json(message.json));
        if (!event.success) return;
        try {
          pending.onEvent?.(event.data);
        } catch {
          // A listener's failure is its own; the operation goes on.
        }
        return;
      }
      case "opPart":
        if (!this.#bodies.add(message.id, message.json)) {
          pending.finish({ ok: false, code: "invalid_result", reason: "the result is too large" });
        }
        return;
      case "opFailed":
        pending.finish({ ok: false, code: message.code, reason: message.reason });
        return;
      case "opDone": {
        const json = this.#bodies.finish(message.id, message.json);
        const result = json === null ? null : pending.spec.result.safeParse(_json(json));
        pending.finish(
          result?.success
            ? { ok: true, result: result.data as OpResult<OpKind> }
            : { ok: false, code: "invalid_result", reason: "the agent's result is not valid" },
        );
        return;
      }
    }
  }

  /** An agent connection closed: what was sent over it will not be answered. */
  linkClosed(link: AgentLink) {
    for (const pending of [...this.#pending.values()]) {
      if (pending.link !== link) continue;
      pending.finish({ ok: false, code: "agent_gone", reason: "the customer's agent went away" });
    }
  }
}

const registries = new WeakMap<AppDeps, AgentOps>();

/** The app's agent operations (one per running app, beside its remote hub). */
export function agentOps(deps: AppDeps): AgentOps {
  let ops = registries.get(deps);
  if (!ops) {
    registries.set(
      deps,
      ops = new AgentOps((sessionId) => remoteHub(deps).find(sessionId)?.agent ?? null),
    );
  }
  return ops;
}

/** Runs one operation on session `sessionId`'s agent (docs/agent_ops.md). */
export function callAgent<R extends OpRequest, K extends OpKind = R["kind"]>(
  deps: AppDeps,
  sessionId: string,
  request: R,
  options?: CallOptions<K>,
): Promise<OpOutcome<K>> {
  return agentOps(deps).call(sessionId, request, options);
}

function _failed(
  code: string,
  reason: string,
): Promise<{ ok: false; code: string; reason: string }> {
  return Promise.resolve({ ok: false, code, reason });
}

function _json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function _opId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_");
}
