/**
 * The transfer queue: every copy between the panes is a job of one file, run a few at a time,
 * each with its bytes done, its state and its SHA-256 once checked; the queue's totals give the
 * rate (over the last seconds) and the time left. DOM-free; the panel (transfers.tsx) draws it.
 */

export type JobState = "queued" | "running" | "done" | "failed" | "cancelled";
/** `down`: customer → technician; `up`: technician → customer. */
export type Direction = "down" | "up";

export interface Job {
  id: number;
  direction: Direction;
  /** What the technician sees: the source path. */
  label: string;
  size: number;
  done: number;
  state: JobState;
  sha256?: string;
  /** A bundle (a folder in one stream): how many files arrived verified. */
  files?: number;
  error?: string;
}

export interface JobContext {
  signal: AbortSignal;
  /** Bytes done so far in this job (absolute, not a delta). */
  progress(done: number): void;
  /** The job's size once known (a bundle learns it when it opens). */
  resize(size: number): void;
}

/**
 * Runs one job; resolves with the file's SHA-256 as checked on both ends, or for a bundle how
 * many files arrived verified (any that did not fail the job, named in its error).
 */
export type JobRunner = (ctx: JobContext) => Promise<string | { files: number; failed: string[] }>;

export interface QueueTotals {
  files: number;
  filesDone: number;
  bytes: number;
  bytesDone: number;
  /** Bytes per second over the last few seconds (0 when idle or not known yet). */
  rate: number;
  /** Seconds left at that rate; null when not known. */
  secondsLeft: number | null;
  failed: number;
}

const WINDOW_MS = 3_000;

export class TransferQueue {
  jobs: Job[] = [];
  #runners = new Map<number, JobRunner>();
  #aborts = new Map<number, AbortController>();
  #waiters = new Map<number, PromiseWithResolvers<Job>>();
  #samples: { at: number; bytes: number }[] = [];
  #nextId = 1;
  #running = 0;
  #runningDown = 0;

  constructor(
    private readonly options: {
      concurrency: number;
      /**
       * At most this many downloads at once (default: `concurrency`): each holds its data
       * request, and over HTTP/1.1 the browser has six connections per server for all its
       * windows. Uploads go over a WebSocket, which takes none.
       */
      downloads?: number;
      changed(): void;
      now?: () => number;
    },
  ) {}

  /** Adds a job; the promise settles when it ends (resolves with the job in any final state). */
  add(job: { direction: Direction; label: string; size: number }, run: JobRunner): Promise<Job> {
    const entry: Job = { ...job, id: this.#nextId++, done: 0, state: "queued" };
    this.jobs.push(entry);
    this.#runners.set(entry.id, run);
    const waiter = Promise.withResolvers<Job>();
    this.#waiters.set(entry.id, waiter);
    this.#pump();
    this.options.changed();
    return waiter.promise;
  }

  cancel(id: number) {
    const job = this.jobs.find((j) => j.id === id);
    if (!job) return;
    if (job.state === "queued") this.#finish(job, "cancelled");
    else if (job.state === "running") this.#aborts.get(id)?.abort();
    this.#pump();
  }

  cancelAll() {
    for (const job of this.jobs) this.cancel(job.id);
  }

  /** Forgets the finished jobs (the list keeps the running and waiting ones). */
  clearFinished() {
    this.jobs = this.jobs.filter((j) => j.state === "queued" || j.state === "running");
    this.options.changed();
  }

  totals(): QueueTotals {
    const active = this.jobs.filter((j) => j.state !== "cancelled");
    const bytes = active.reduce((sum, j) => sum + j.size, 0);
    const bytesDone = active.reduce((sum, j) => sum + Math.min(j.done, j.size), 0);
    const rate = this.#rate();
    const busy = active.some((j) => j.state === "queued" || j.state === "running");
    return {
      files: active.length,
      filesDone: active.filter((j) => j.state === "done").length,
      bytes,
      bytesDone,
      rate: busy ? rate : 0,
      secondsLeft: busy && rate > 0 ? (bytes - bytesDone) / rate : null,
      failed: active.filter((j) => j.state === "failed").length,
    };
  }

  #now() {
    return this.options.now?.() ?? performance.now();
  }

  #sample() {
    const at = this.#now();
    const bytes = this.jobs.reduce((sum, j) => sum + j.done, 0);
    this.#samples.push({ at, bytes });
    while (this.#samples.length > 2 && at - this.#samples[0].at > WINDOW_MS) this.#samples.shift();
  }

  /**
   * Bytes per second over the last few seconds up to now — not up to the last sample: samples
   * come with bytes, so when none come (the customer's computer went away and the server waits
   * for it) the rate falls to nothing instead of standing at its last value.
   */
  #rate(): number {
    const now = this.#now();
    const recent = this.#samples.filter((s) => now - s.at <= WINDOW_MS);
    if (recent.length < 2) return 0;
    const first = recent[0];
    const last = recent[recent.length - 1];
    const seconds = (now - first.at) / 1000;
    return seconds > 0 ? Math.max(0, last.bytes - first.bytes) / seconds : 0;
  }

  #pump() {
    const downloads = this.options.downloads ?? this.options.concurrency;
    while (this.#running < this.options.concurrency) {
      // The first job waiting that may start: a download waits while enough run already.
      const job = this.jobs.find((j) =>
        j.state === "queued" && (j.direction !== "down" || this.#runningDown < downloads)
      );
      if (!job) return;
      this.#start(job);
    }
  }

  async #start(job: Job) {
    const abort = new AbortController();
    this.#aborts.set(job.id, abort);
    job.state = "running";
    this.#running++;
    if (job.direction === "down") this.#runningDown++;
    this.#sample();
    this.options.changed();
    try {
      const result = await this.#runners.get(job.id)!({
        signal: abort.signal,
        progress: (done) => {
          job.done = done;
          this.#sample();
          this.options.changed();
        },
        resize: (size) => {
          job.size = size;
          this.options.changed();
        },
      });
      job.done = job.size;
      if (typeof result === "string") job.sha256 = result;
      else {
        job.files = result.files;
        if (result.failed.length) throw new Error(result.failed.slice(0, 5).join(", "));
      }
      this.#finish(job, "done");
    } catch (error) {
      if (abort.signal.aborted) this.#finish(job, "cancelled");
      else {
        job.error = error instanceof Error ? error.message : String(error);
        this.#finish(job, "failed");
      }
    } finally {
      this.#running--;
      if (job.direction === "down") this.#runningDown--;
      this.#aborts.delete(job.id);
      this.#sample();
      this.#pump();
      this.options.changed();
    }
  }

  #finish(job: Job, state: JobState) {
    job.state = state;
    this.#runners.delete(job.id);
    this.#waiters.get(job.id)?.resolve(job);
    this.#waiters.delete(job.id);
    this.options.changed();
  }
}
