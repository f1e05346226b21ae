/**
 * What an open viewer socket may still do. Rights are read when the socket opens, but an
 * admin can take `remoteControl` away, deactivate the technician or move them, and the
 * technician can sign out everywhere while the socket stays open — so the answer is kept
 * fresh: re-read on a timer while the socket lives, re-read at once when a notice says
 * something changed (`invalidate`), and never trusted for input when older than `staleMs`
 * (`current` then waits for a fresh read). A read that fails counts as "none": when in
 * doubt the customer's machine is left alone.
 *
 * The timer re-reads every `everyMs` only while the socket's input could reach the customer's
 * machine (`busy`: control granted, and this viewer holds it or nobody does), so that input
 * never waits for a read; while the viewer only watches it re-reads every `idleEveryMs`, the
 * fallback for a change no notice announced. A read is several queries: at 400 ms apart for
 * every open viewer it was most of an idle server's CPU (tools/bench_remote/README.md,
 * session 16).
 */
export type ViewerRights = "control" | "view" | "none";

const RANK: Record<ViewerRights, number> = { none: 0, view: 1, control: 2 };

export interface ViewerAuthorityOptions {
  /** Reads the rights as they are now (database: user, web session, group, session). */
  read: () => Promise<ViewerRights>;
  /** Called after every read whose answer differs from the one before. */
  onChange: (rights: ViewerRights, before: ViewerRights) => void;
  /** The rights the socket opened with (just checked by the route). */
  initial: ViewerRights;
  /** How old an answer may be and still let input through (default 500 ms). */
  staleMs?: number;
  /** How often the answer is refreshed while `busy` and nothing asks (default 400 ms). */
  everyMs?: number;
  /** How often it is refreshed while not `busy` (default 5 s). */
  idleEveryMs?: number;
  /** Whether input may come and act now (default: always). */
  busy?: () => boolean;
  now?: () => number;
}

export class ViewerAuthority {
  #rights: ViewerRights;
  #readAt: number;
  /** Notices so far, and how many of them the current answer has seen. */
  #notices = 0;
  #answered = 0;
  #reading: { promise: Promise<ViewerRights>; notices: number } | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  readonly #options: Required<ViewerAuthorityOptions>;

  constructor(options: ViewerAuthorityOptions) {
    this.#options = {
      staleMs: 500,
      everyMs: 400,
      idleEveryMs: 5_000,
      busy: () => true,
      now: () => performance.now(),
      ...options,
    };
    this.#rights = options.initial;
    this.#readAt = this.#options.now();
    this.#timer = setInterval(() => this.#tick(), this.#options.everyMs);
  }

  /** The last answer, however old (for display; input goes through `current`). */
  get rights(): ViewerRights {
    return this.#rights;
  }

  /** The rights to act on now: the cached answer while fresh, else a new read. */
  async current(): Promise<ViewerRights> {
    if (this.#closed) return "none";
    const age = this.#options.now() - this.#readAt;
    if (this.#answered === this.#notices && age <= this.#options.staleMs) return this.#rights;
    return await this.refresh();
  }

  /** Something about this user may have changed: the next answer must be a new read. */
  invalidate(): void {
    if (this.#closed) return;
    this.#notices++;
    void this.refresh();
  }

  /** Reads again, or joins a read under way that started after the last notice. */
  refresh(): Promise<ViewerRights> {
    if (this.#closed) return Promise.resolve("none");
    if (this.#reading?.notices === this.#notices) return this.#reading.promise;
    const notices = this.#notices;
    const previous = this.#reading?.promise ?? Promise.resolve(this.#rights);
    // Reads run one after another, so an older read never overwrites a newer answer.
    const promise = previous.then(() => this.#read(notices));
    const reading = { promise, notices };
    this.#reading = reading;
    promise.finally(() => {
      if (this.#reading === reading) this.#reading = null;
    });
    return promise;
  }

  #tick(): void {
    const { busy, idleEveryMs, now } = this.#options;
    if (busy() || now() - this.#readAt >= idleEveryMs) void this.refresh();
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#rights = "none";
  }

  async #read(notices: number): Promise<ViewerRights> {
    const startedAt = this.#options.now();
    let rights: ViewerRights;
    try {
      rights = await this.#options.read();
    } catch {
      rights = "none";
    }
    if (this.#closed) return "none";
    const before = this.#rights;
    this.#rights = rights;
    this.#readAt = startedAt;
    this.#answered = Math.max(this.#answered, notices);
    if (rights !== before) {
      try {
        this.#options.onChange(rights, before);
      } catch {
        // The socket acts on the change; its failure must not stop later reads.
      }
    }
    return rights;
  }
}

/** Whether `rights` allow `need` (control includes view). */
export function allows(rights: ViewerRights, need: "view" | "control"): boolean {
  return RANK[rights] >= RANK[need];
}
