/**
 * The cluster bench's consoles: a few workers (consoles_worker.ts) that hold the
 * technicians' `/console/events` streams between them. The main thread gets every `rows`
 * event as `(console, session, statuses, at)` and can ask each worker for its event-loop lag.
 */

export interface ConsoleSpec {
  /** The technician's index, also the console's. */
  index: number;
  /** The instance this console is connected to. */
  url: string;
  /** Its `rs_session` cookie value. */
  token: string;
}

/** `[console, sessionId, statuses ("a,b", "" for an emptied row, "queue"), at (epoch ms)]`. */
export type RowsEvent = [number, string, string, number];

export type ToWorker =
  | { kind: "open"; consoles: ConsoleSpec[]; concurrency: number }
  | { kind: "lag" }
  | { kind: "close" };

export type FromWorker =
  | { kind: "events"; events: RowsEvent[] }
  | { kind: "opened"; failures: string[] }
  | { kind: "lag"; p99: number; max: number; closed: number };

export interface GeneratorLag {
  /** The worst worker's p99 and max lateness of a 20 ms timer, in ms. */
  workerP99: number;
  workerMax: number;
  /** Streams that ended before the run did. */
  closed: number;
}

export class ConsoleFleet {
  #workers: Worker[];
  #listeners = new Set<(event: RowsEvent) => void>();
  #waiting = new Map<Worker, (msg: FromWorker) => void>();

  constructor(workers: number) {
    this.#workers = Array.from({ length: workers }, () => {
      const worker = new Worker(new URL("./consoles_worker.ts", import.meta.url), {
        type: "module",
      });
      worker.onmessage = (e: MessageEvent<FromWorker>) => {
        const msg = e.data;
        if (msg.kind === "events") {
          for (const event of msg.events) for (const listener of this.#listeners) listener(event);
        } else {
          const resolve = this.#waiting.get(worker);
          this.#waiting.delete(worker);
          resolve?.(msg);
        }
      };
      return worker;
    });
  }

  /** Calls `listener` with every console event from now on; returns the unsubscribe. */
  onEvent(listener: (event: RowsEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #ask(worker: Worker, msg: ToWorker): Promise<FromWorker> {
    return new Promise((resolve) => {
      this.#waiting.set(worker, resolve);
      worker.postMessage(msg);
    });
  }

  /**
   * Opens `consoles` (dealt round-robin over the workers, `concurrency` openings in flight
   * per worker); resolves once each has its first `queue` event. Throws on any failure.
   */
  async open(consoles: ConsoleSpec[], concurrency: number): Promise<void> {
    const shares = this.#workers.map((_, w) =>
      consoles.filter((_, i) => i % this.#workers.length === w)
    );
    const answers = await Promise.all(
      this.#workers.map((worker, w) =>
        this.#ask(worker, { kind: "open", consoles: shares[w], concurrency })
      ),
    );
    const failures = answers.flatMap((a) => a.kind === "opened" ? a.failures : []);
    if (failures.length > 0) {
      throw new Error(`${failures.length} consoles did not open: ${failures.slice(0, 3)}`);
    }
  }

  /** The workers' event-loop lag since the last call. */
  async lag(): Promise<GeneratorLag> {
    const answers = await Promise.all(this.#workers.map((w) => this.#ask(w, { kind: "lag" })));
    const lags = answers.flatMap((a) => a.kind === "lag" ? [a] : []);
    return {
      workerP99: Math.max(...lags.map((l) => l.p99)),
      workerMax: Math.max(...lags.map((l) => l.max)),
      closed: lags.reduce((n, l) => n + l.closed, 0),
    };
  }

  close(): void {
    for (const worker of this.#workers) {
      worker.postMessage({ kind: "close" } satisfies ToWorker);
    }
  }
}
