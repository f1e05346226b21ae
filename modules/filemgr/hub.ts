/**
 * The file manager's state on the agent's home instance (one per running app): the sessions'
 * transfers as the technician's browser sees them (`TransferView`, docs/files_api.md), who
 * listens to their changes, and the one-time tickets with which the agent's data connection
 * (`/agent/file-data/:ticket`) meets the browser's request that is waiting for it.
 */
import type { AppDeps } from "../http/mod.ts";
import type { SessionActor } from "../support/mod.ts";
import type { FileFailure } from "../../protocol/files.ts";

export type TransferState = "open" | "running" | "waiting" | "done" | "failed" | "cancelled";

export interface TransferView {
  id: string;
  direction: "download" | "upload";
  mode: "file" | "bundle";
  path: string;
  names: string[];
  size: number;
  bytes: number;
  offset: number;
  entries: number;
  state: TransferState;
  sha256: string | null;
  failures: FileFailure[];
  error: { code: string; reason: string } | null;
  rate: number;
  startedAt: string;
  updatedAt: string;
}

export interface ServerTransfer extends TransferView {
  sessionId: string;
  /** Who started it (for the log), and what it was opened with (for a resume by id). */
  by: SessionActor;
  /** Aborts the data request running now (cancel). */
  abort: AbortController | null;
  /** Recent (time, bytes) samples for the rate. */
  samples: [number, number][];
  lastSent: number;
  logged: boolean;
}

/** The agent's side of a download stream: its data as it comes, and how to answer it. */
export interface PushLeg {
  read(): Promise<ReadableStreamReadResult<Uint8Array>>;
  finish(ok: boolean): void;
}

/** The agent's side of an upload stream: give it the body to read. */
export interface PullLeg {
  respond(body: ReadableStream<Uint8Array>): void;
}

interface Ticket {
  sessionId: string;
  transferId: string;
  kind: "push" | "pull";
  expires: number;
  resolve(leg: PushLeg | PullLeg): void;
}

/** How long the agent has to open its data connection after the operation was sent. */
export const TICKET_MS = 60_000;
/** A finished transfer is forgotten after this. */
const KEEP_DONE_MS = 10 * 60_000;

export class FileManagerHub {
  readonly transfers = new Map<string, ServerTransfer>();
  readonly #tickets = new Map<string, Ticket>();
  readonly #listeners = new Map<string, Set<(view: TransferView) => void>>();
  /** Open event streams per session (the file manager is "open" for the customer page). */
  readonly #open = new Map<string, number>();
  readonly activity = new Set<(sessionId: string) => void>();

  constructor(private now: () => number) {}

  ofSession(sessionId: string): ServerTransfer[] {
    this.#prune();
    return [...this.transfers.values()].filter((t) => t.sessionId === sessionId);
  }

  find(sessionId: string, id: string): ServerTransfer | null {
    const t = this.transfers.get(id);
    return t && t.sessionId === sessionId ? t : null;
  }

  add(t: ServerTransfer) {
    this.transfers.set(t.id, t);
    this.changed(t, true);
  }

  /** Tells the listeners (bytes at most 4 times a second unless `force`). */
  changed(t: ServerTransfer, force = false) {
    const now = this.now();
    t.updatedAt = new Date(now).toISOString();
    t.samples.push([now, t.bytes]);
    while (t.samples.length > 2 && now - t.samples[0][0] > 2000) t.samples.shift();
    const [t0, b0] = t.samples[0];
    t.rate = now > t0 ? Math.max(0, Math.round(((t.bytes - b0) * 1000) / (now - t0))) : 0;
    if (!force && now - t.lastSent < 250) return;
    t.lastSent = now;
    const view = viewOf(t);
    for (const listener of this.#listeners.get(t.sessionId) ?? []) listener(view);
    for (const listener of this.activity) listener(t.sessionId);
  }

  listen(sessionId: string, listener: (view: TransferView) => void): () => void {
    let set = this.#listeners.get(sessionId);
    if (!set) this.#listeners.set(sessionId, set = new Set());
    set.add(listener);
    this.#open.set(sessionId, (this.#open.get(sessionId) ?? 0) + 1);
    for (const notify of this.activity) notify(sessionId);
    return () => {
      set.delete(listener);
      const left = (this.#open.get(sessionId) ?? 1) - 1;
      if (left > 0) this.#open.set(sessionId, left);
      else this.#open.delete(sessionId);
      for (const notify of this.activity) notify(sessionId);
    };
  }

  isOpen(sessionId: string): boolean {
    return (this.#open.get(sessionId) ?? 0) > 0;
  }

  /** A ticket the agent's data connection will present, and the leg it brings. */
  expect<L extends PushLeg | PullLeg>(
    sessionId: string,
    transferId: string,
    kind: "push" | "pull",
  ): { ticket: string; leg: Promise<L>; drop(): void } {
    const ticket = _ticket();
    const leg = new Promise<L>((resolve) => {
      this.#tickets.set(ticket, {
        sessionId,
        transferId,
        kind,
        expires: this.now() + TICKET_MS,
        resolve: resolve as (leg: PushLeg | PullLeg) => void,
      });
    });
    return { ticket, leg, drop: () => void this.#tickets.delete(ticket) };
  }

  /** Redeems a ticket once: only for its session, kind (any: null) and before it expires. */
  take(ticket: string, sessionId: string, kind: "push" | "pull" | null): Ticket | null {
    const found = this.#tickets.get(ticket);
    if (!found) return null;
    this.#tickets.delete(ticket);
    const wrongKind = kind !== null && found.kind !== kind;
    if (found.sessionId !== sessionId || wrongKind || found.expires < this.now()) {
      return null;
    }
    return found;
  }

  #prune() {
    const now = this.now();
    for (const [id, t] of this.transfers) {
      const final = t.state === "done" || t.state === "failed" || t.state === "cancelled";
      if (final && now - Date.parse(t.updatedAt) > KEEP_DONE_MS) this.transfers.delete(id);
    }
    for (const [ticket, found] of this.#tickets) {
      if (found.expires < now) this.#tickets.delete(ticket);
    }
  }
}

export function viewOf(t: ServerTransfer): TransferView {
  return {
    id: t.id,
    direction: t.direction,
    mode: t.mode,
    path: t.path,
    names: t.names,
    size: t.size,
    bytes: t.bytes,
    offset: t.offset,
    entries: t.entries,
    state: t.state,
    sha256: t.sha256,
    failures: t.failures.slice(0, 1000),
    error: t.error,
    rate: t.rate,
    startedAt: t.startedAt,
    updatedAt: t.updatedAt,
  };
}

function _ticket(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_");
}

/** A transfer id (the agent keeps it for resuming). */
export function newTransferId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_");
}

const hubs = new WeakMap<AppDeps, FileManagerHub>();

export function fileManagerHub(deps: AppDeps): FileManagerHub {
  let hub = hubs.get(deps);
  // Wall time, not the app clock: tickets and rates are about real seconds.
  if (!hub) hubs.set(deps, hub = new FileManagerHub(Date.now));
  return hub;
}
