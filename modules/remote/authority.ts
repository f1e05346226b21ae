/**
 * What an open viewer socket may still do. Rights are read when the socket opens, but an
 * admin can take `remoteControl` away, deactivate the technician or move them, and the
 * technician can sign out everywhere while the socket stays open — so the answer is kept
 * fresh: re-read at once when a notice says something changed (`invalidate`), re-read when
 * nothing else has read it for `everyMs` (the fallback for a change no notice announced), and
 * never trusted for input when older than `staleMs` (`current` then waits for a fresh read). A
 * read that fails counts as "none": when in doubt the customer's machine is left alone.
 *
 * Freshness for input is bought on demand, not on a timer: a technician holding control mostly
 * looks, and a read is four queries (on a 400 ms timer, 100 queries in 10 s for every viewer
 * holding control: tools/bench_remote/control_held_queries.ts). So the first input after a pause
 * waits for one read (all input arriving meanwhile shares it and keeps its order), and input
 * that finds the answer older than `aheadMs` reads again in the background, so a steady stream
 * of pointer moves has a fresh answer ready before the old one reaches `staleMs`.
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
  /**
   * Input finding the answer older than this reads again in the background (default 400 ms):
   * the 100 ms to `staleMs` cover a read (four queries: a few ms, tens on a busy server), so a
   * stream of input does not wait, and it reads no more often than the old 400 ms timer did.
   */
  aheadMs?: number;
  /** How long the answer may age while nothing reads it before it is read anyway (5 s). */
  everyMs?: number;
  now?: () => number;
}

/** A read queued or under way: the notices it answers and when it was asked for. */
interface Reading {
  promise: Promise<ViewerRights>;
  notices: number;
  askedAt: number;
}

export class ViewerAuthority {
  #rights: ViewerRights;
  /** When the read behind `#rights` started: the answer is at least that fresh. */
  #readAt: number;
  /** Notices so far, and how many of them the current answer has seen. */
  #notices = 0;
  #answered = 0;
  #reading: Reading | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  readonly #options: Required<ViewerAuthorityOptions>;

  constructor(options: ViewerAuthorityOptions) {
    this.#options = {
      staleMs: 500,
      aheadMs: 400,
      everyMs: 5_000,
      now: () => performance.now(),
      ...options,
    };
    this.#rights = options.initial;
    this.#readAt = this.#options.now();
    this.#arm();
  }

  /** The last answer, however old (for display; input goes through `current`). */
  get rights(): ViewerRights {
    return this.#rights;
  }

  /**
   * The rights to act on now: the cached answer while fresh, else the answer of a read asked
   * for no earlier than `staleMs` before this call. Calls waiting for the same read resolve in
   * the order they were made (the socket also handles its frames one at a time).
   */
  async current(): Promise<ViewerRights> {
    if (this.#closed) return "none";
    const { staleMs, aheadMs, now } = this.#options;
    const at = now();
    const age = at - this.#readAt;
    if (this.#answered === this.#notices && age <= staleMs) {
      if (age > aheadMs) void this.#refresh(at - staleMs);
      return this.#rights;
    }
    return await this.#refresh(at - staleMs);
  }

  /** Something about this user may have changed: the next answer must be a new read. */
  invalidate(): void {
    if (this.#closed) return;
    this.#notices++;
    void this.#refresh(this.#options.now());
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#rights = "none";
  }

  /**
   * Joins the read under way if it answers every notice so far and was asked for no earlier
   * than `since` (it cannot have started before that); else queues a new one.
   */
  #refresh(since: number): Promise<ViewerRights> {
    if (this.#closed) return Promise.resolve("none");
    const under = this.#reading;
    if (under && under.notices === this.#notices && under.askedAt >= since) return under.promise;
    const notices = this.#notices;
    const askedAt = this.#options.now();
    // Reads run one after another, so an older read never overwrites a newer answer.
    const previous = under?.promise ?? Promise.resolve(this.#rights);
    const promise = previous.then(() => this.#read(notices));
    const reading = { promise, notices, askedAt };
    this.#reading = reading;
    promise.finally(() => {
      if (this.#reading === reading) this.#reading = null;
    });
    return promise;
  }

  /** The fallback read `everyMs` after the last one (each read moves it). */
  #arm(): void {
    clearTimeout(this.#timer);
    if (this.#closed) return;
    this.#timer = setTimeout(() => void this.#refresh(this.#options.now()), this.#options.everyMs);
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
    this.#arm();
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
