/**
 * The file manager's one live stream (`…/file-manager/events`): the customer's consent as
 * `state` events and, while files are allowed, every transfer of the session as `transfer`
 * events. One stream per file manager, and no request held open to wait for a transfer's end:
 * over plain http a browser has six connections per server for all its tabs, and the console,
 * the workspace and the detached windows each hold some. The server sends every transfer
 * again on each (re)connect, and `settled` asks once more when the stream opens again, so an
 * end that happened while the stream was down still arrives. A stream the server refused
 * (the browser gives up on it) is opened again after `retryMs`.
 */
import type { Transfer } from "./remote_api.ts";

/** What `state` says: the customer's agent, what it offers and what the customer allows. */
export interface AgentStateEvent {
  present: boolean;
  offered: string[] | null;
  consent: Record<string, string>;
}

/** A transfer that has not ended yet. */
export const unsettled = (t: Transfer) =>
  t.state === "open" || t.state === "running" || t.state === "waiting";

export class TransferFeed {
  /** Told each `state` event (the file manager sets it before `start`). */
  onState: (state: AgentStateEvent) => void = () => {};
  #listeners = new Map<string, Set<(transfer: Transfer) => void>>();
  #reopened = new Set<() => void>();
  #source: EventSource | null = null;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #running = false;
  #opens = 0;

  constructor(private readonly url: string, private readonly retryMs = 3_000) {}

  /** Opens the stream (once; the file manager keeps it while it is on the page). */
  start() {
    if (this.#running) return;
    this.#running = true;
    this.#open();
  }

  close() {
    this.#running = false;
    clearTimeout(this.#retry);
    this.#source?.close();
    this.#source = null;
  }

  /** Calls `listener` with each event of transfer `id` until the returned function is called. */
  watch(id: string, listener: (transfer: Transfer) => void): () => void {
    let set = this.#listeners.get(id);
    if (!set) this.#listeners.set(id, set = new Set());
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#listeners.get(id) === set) this.#listeners.delete(id);
    };
  }

  /**
   * Transfer `id` once it has ended (done, failed, cancelled): from the stream, or from `ask`
   * (the transfer as the server has it now), asked at once and whenever the stream opens
   * again. Rejects when `ask` fails or `signal` aborts.
   */
  settled(id: string, ask: () => Promise<Transfer>, signal: AbortSignal): Promise<Transfer> {
    return new Promise<Transfer>((resolve, reject) => {
      let over = false;
      const finish = () => {
        over = true;
        unwatch();
        this.#reopened.delete(check);
        signal.removeEventListener("abort", aborted);
      };
      const ended = (t: Transfer) => {
        if (over || t.id !== id || unsettled(t)) return;
        finish();
        resolve(t);
      };
      const check = () => {
        if (over) return;
        ask().then(ended, (error) => {
          if (over) return;
          finish();
          reject(error);
        });
      };
      const aborted = () => {
        if (over) return;
        finish();
        reject(signal.reason);
      };
      const unwatch = this.watch(id, ended);
      if (signal.aborted) return aborted();
      signal.addEventListener("abort", aborted, { once: true });
      this.#reopened.add(check);
      check();
    });
  }

  #open() {
    const source = this.#source = new EventSource(this.url);
    source.addEventListener("open", () => {
      // The first open is the start; each later one follows a drop or a refusal.
      if (this.#opens++ > 0) { for (const check of [...this.#reopened]) check(); }
    });
    source.addEventListener("state", (event) => {
      this.onState(JSON.parse((event as MessageEvent<string>).data) as AgentStateEvent);
    });
    source.addEventListener("transfer", (event) => {
      const transfer = JSON.parse((event as MessageEvent<string>).data) as Transfer;
      for (const listener of [...this.#listeners.get(transfer.id) ?? []]) listener(transfer);
    });
    source.addEventListener("error", () => {
      if (source !== this.#source || source.readyState !== EventSource.CLOSED) return;
      // Refused (not a drop, which the browser retries by itself): a new stream in a while.
      this.#retry = setTimeout(() => {
        if (this.#running && source === this.#source) this.#open();
      }, this.retryMs);
    });
  }
}
