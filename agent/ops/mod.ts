/**
 * The agent's side of agent operations (docs/agent_ops.md): what a handler is given and
 * returns. Each feature keeps its handlers in its own folder (agent/files, agent/system,
 * agent/scripts, agent/reboot); registry.ts joins them; runner.ts runs them behind consent.
 */
import type { OpEvent, OpKind, OpRequest, OpResult } from "../../protocol/mod.ts";

/** A clear refusal or failure: `code` is a short snake_case word, the message the reason. */
export class OpFailure extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export interface OpContext<K extends OpKind = OpKind> {
  /** Aborted when the technician cancels, consent is taken back, the link or session ends. */
  signal: AbortSignal;
  /** Streams an event (progress, output) to the technician; each at most 48 Ki units of JSON. */
  emit(event: OpEvent<K>): void;
  /**
   * Puts a one-off question (`detail`, already in the customer's language or a plain name) in
   * front of the customer in the agent's window; false when declined, the session ends or
   * the operation is aborted.
   */
  confirm(detail: string): Promise<boolean>;
  log(message: string): void;
}

export type OpHandler<K extends OpKind> = (
  request: OpRequest<K>,
  context: OpContext<K>,
) => Promise<OpResult<K>>;

export type OpHandlers = { [K in OpKind]?: OpHandler<K> };

/** What every feature's handler factory is given. */
export interface OpEnv {
  os: "linux" | "windows" | "darwin";
  /** The server's origin, e.g. https://support.example.com (for a feature's own data path). */
  serverUrl: string;
  /** The session token the agent joined with. */
  token: string;
  /** A folder the agent may keep state in (per user). */
  dataDir: string;
  log: (message: string) => void;
}
