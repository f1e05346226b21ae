/**
 * Runs agent operations (docs/agent_ops.md) behind the customer's consent. The server sends a
 * request (in pieces when large); the runner checks it against its spec, refuses it when the
 * capability it needs is not granted here (nothing runs), and otherwise runs the feature's
 * handler with a signal that aborts on cancel, on a revoke of that capability, on a lost link
 * and at the session's end. Results are checked against the spec before they leave and go
 * back in pieces; events stream as they come.
 */
import {
  type AgentMessage,
  type Capability,
  OpBodies,
  type OpKind,
  type OpSpec,
  opSpec,
  splitOpBody,
} from "../../protocol/mod.ts";
import { type OpContext, OpFailure, type OpHandler, type OpHandlers } from "./mod.ts";

export interface RunnerDeps {
  handlers: OpHandlers;
  os: "linux" | "windows" | "darwin";
  allows(capability: Capability): boolean;
  send(message: AgentMessage): void;
  /** A one-off question to the customer (agent.ts keeps them for the window). */
  confirm(capability: Capability | null, detail: string, signal: AbortSignal): Promise<boolean>;
  log(message: string): void;
  /** Where specs come from (tests bring their own); protocol/ops.ts by default. */
  spec?: (kind: string) => OpSpec | undefined;
}

/** How many operations may run at once; more are refused (`busy`). */
const MAX_RUNNING = 64;

type Incoming =
  | { type: "op"; id: string; json: string }
  | { type: "opPart"; id: string; json: string }
  | { type: "opCancel"; id: string };

export class OpRunner {
  readonly #bodies = new OpBodies();
  readonly #running = new Map<string, { capability: Capability | null; abort: AbortController }>();
  refused = 0;

  constructor(private deps: RunnerDeps) {}

  get running(): number {
    return this.#running.size;
  }

  /** One frame of the op channel from the server. Never throws; answers are sent. */
  receive(message: Incoming) {
    switch (message.type) {
      case "opPart":
        if (this.#running.has(message.id) || !this.#bodies.add(message.id, message.json)) {
          this.#fail(message.id, "too_large", "the request is too large");
        }
        return;
      case "opCancel":
        this.#bodies.drop(message.id);
        this.#running.get(message.id)?.abort.abort("cancelled by the technician");
        return;
      case "op": {
        const json = this.#bodies.finish(message.id, message.json);
        if (json === null) return this.#fail(message.id, "too_large", "the request is too large");
        if (this.#running.has(message.id)) {
          return this.#fail(message.id, "duplicate", "an operation with this id is running");
        }
        this.#start(message.id, json);
        return;
      }
    }
  }

  /** The customer took `capability` back: what needs it stops. */
  abortCapability(capability: Capability) {
    for (const run of this.#running.values()) {
      if (run.capability === capability) run.abort.abort(`${capability} was taken back`);
    }
  }

  /** The link is lost or the session ended: everything stops. */
  abortAll(reason: string) {
    this.#bodies.clear();
    for (const run of this.#running.values()) run.abort.abort(reason);
  }

  #start(id: string, json: string) {
    let raw: unknown;
    try {
      raw = JSON.parse(json);
    } catch {
      return this.#fail(id, "invalid", "the request is not JSON");
    }
    const kind = (raw as { kind?: unknown } | null)?.kind;
    const spec = typeof kind === "string" ? (this.deps.spec ?? opSpec)(kind) : undefined;
    if (!spec) return this.#fail(id, "unknown_op", `unknown operation ${String(kind)}`);
    const parsed = spec.request.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return this.#fail(id, "invalid", `${issue?.path.join(".") || "request"}: ${issue?.message}`);
    }
    if (spec.capability && !this.deps.allows(spec.capability)) {
      this.refused++;
      return this.#fail(id, "not_granted", `${spec.capability} is not granted`);
    }
    const handler = this.#handler(spec.kind as OpKind);
    if (!handler) return this.#fail(id, "not_available", `${spec.kind} is not available here`);
    if (this.#running.size >= MAX_RUNNING) return this.#fail(id, "busy", "too many operations");
    const abort = new AbortController();
    this.#running.set(id, { capability: spec.capability, abort });
    this.#run(id, spec, handler, parsed.data, abort.signal).finally(() => this.#running.delete(id));
  }

  #handler(kind: OpKind): OpHandler<OpKind> | undefined {
    if (kind === "agent.about") {
      return (() =>
        Promise.resolve({
          os: this.deps.os,
          ops: ["agent.about", ...Object.keys(this.deps.handlers)],
        })) as OpHandler<OpKind>;
    }
    return this.deps.handlers[kind] as OpHandler<OpKind> | undefined;
  }

  async #run(
    id: string,
    spec: OpSpec,
    handler: OpHandler<OpKind>,
    request: unknown,
    signal: AbortSignal,
  ) {
    const context: OpContext = {
      signal,
      emit: (event) => this.#emit(id, spec, event, signal),
      confirm: (detail) => this.deps.confirm(spec.capability, detail, signal),
      log: (line) => this.deps.log(`${spec.kind}: ${line}`),
    };
    try {
      const result = await handler(request as never, context);
      if (signal.aborted) return this.#fail(id, "cancelled", String(signal.reason));
      const checked = spec.result.safeParse(result);
      if (!checked.success) {
        this.deps.log(`${spec.kind}: result refused: ${checked.error.issues[0]?.message}`);
        return this.#fail(id, "invalid_result", "the agent produced an invalid result");
      }
      const pieces = splitOpBody(JSON.stringify(checked.data ?? null));
      const last = pieces.pop()!;
      for (const piece of pieces) this.deps.send({ type: "opPart", id, json: piece });
      this.deps.send({ type: "opDone", id, json: last });
    } catch (error) {
      if (error instanceof OpFailure) return this.#fail(id, error.code, error.message);
      if (signal.aborted) return this.#fail(id, "cancelled", String(signal.reason));
      this.deps.log(`${spec.kind} failed: ${error}`);
      this.#fail(id, "failed", String(error instanceof Error ? error.message : error));
    }
  }

  #emit(id: string, spec: OpSpec, event: unknown, signal: AbortSignal) {
    if (signal.aborted) return;
    const checked = spec.event.safeParse(event);
    if (!checked.success) {
      this.deps.log(`${spec.kind}: event refused: ${checked.error.issues[0]?.message}`);
      return;
    }
    const json = JSON.stringify(checked.data);
    if (splitOpBody(json).length > 1) {
      this.deps.log(`${spec.kind}: event too large, not sent`);
      return;
    }
    this.deps.send({ type: "opEvent", id, json });
  }

  #fail(id: string, code: string, reason: string) {
    const safe = /^[a-z0-9_]{1,40}$/.test(code) ? code : "failed";
    this.deps.send({ type: "opFailed", id, code: safe, reason: reason.slice(0, 500) });
  }
}

export { OpFailure };
