/**
 * The LISTEN side of `DatabaseHandle.notifications`: one connection of its own that LISTENs
 * on every channel someone listens to. postgres.js's `sql.listen` re-subscribes after its
 * connection dies as well, but says nothing until it is back; here the loss is reported
 * when it happens (`onLost`: the live hub logs that other instances' notices are being
 * missed), and the connection is LISTENed again with a growing pause between attempts for
 * as long as it takes (a restarting server, too many connections). `onListen` then says
 * notifications may have been missed meanwhile.
 */
import type postgres from "postgres";

export interface ListenCallbacks {
  onMessage: (payload: string) => void;
  /** Listening (again): every time, the first included. */
  onListen?: () => void;
  /** The connection died; notifications are missed until the next `onListen`. */
  onLost?: () => void;
}

type Open = (url: string, options: postgres.Options<never>) => postgres.Sql;

/** Pauses between attempts to LISTEN again, the last one repeated. */
const RETRY_MS = [0, 100, 250, 500, 1_000, 2_000, 5_000];

export class PostgresListener {
  #channels = new Map<string, Set<ListenCallbacks>>();
  #sql?: postgres.Sql;
  #listening = false;
  /** Bumped by every closed connection, so an attempt that raced one starts over. */
  #generation = 0;
  #attempt?: Promise<void>;
  #timer?: ReturnType<typeof setTimeout>;
  #wake?: () => void;
  #closed = false;

  constructor(private url: string, private open: Open) {}

  async listen(
    channel: string,
    callbacks: ListenCallbacks,
  ): Promise<{ unlisten(): Promise<void> }> {
    if (this.#closed) throw new Error("the database handle is closed");
    let set = this.#channels.get(channel);
    const added = !set;
    if (!set) this.#channels.set(channel, set = new Set());
    set.add(callbacks);
    if (this.#listening && added) await this.#sql!.unsafe(`listen ${_quote(channel)}`);
    if (this.#listening) _call(callbacks.onListen);
    else await this.#ensure(); // calls onListen of everyone, this one included
    return {
      unlisten: async () => {
        if (!set.delete(callbacks) || set.size > 0) return;
        this.#channels.delete(channel);
        if (this.#listening) await this.#sql!.unsafe(`unlisten ${_quote(channel)}`).catch(() => {});
      },
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#wake?.();
    await this.#sql?.end({ timeout: 0 });
  }

  /** Connects and LISTENs on every channel, retrying until it works (one attempt at a time). */
  #ensure(): Promise<void> {
    return this.#attempt ??= this.#relisten().finally(() => this.#attempt = undefined);
  }

  async #relisten(): Promise<void> {
    for (let i = 0; !this.#closed; i++) {
      const generation = this.#generation;
      try {
        this.#sql ??= this.open(this.url, this.#options());
        for (const channel of [...this.#channels.keys()]) {
          await this.#sql.unsafe(`listen ${_quote(channel)}`);
        }
        if (generation === this.#generation) {
          this.#listening = true;
          for (const set of this.#channels.values()) for (const c of [...set]) _call(c.onListen);
          return;
        }
      } catch {
        // The server is not there or refused us: try again after a pause.
      }
      await this.#pause(RETRY_MS[Math.min(i, RETRY_MS.length - 1)]);
    }
  }

  #options(): postgres.Options<never> {
    const options = {
      max: 1,
      // Never recycled: a new connection would have to LISTEN again (and might miss some).
      max_lifetime: null,
      fetch_types: false,
      onnotice: () => {},
      // Not in postgres.js's types, but read by it: a NotificationResponse on this connection.
      onnotify: (channel: string, payload: string) => this.#notified(channel, payload),
      onclose: () => this.#lost(),
    };
    return options;
  }

  #notified(channel: string, payload: string) {
    for (const callbacks of [...this.#channels.get(channel) ?? []]) {
      try {
        callbacks.onMessage(payload);
      } catch {
        // One listener's failure is its own.
      }
    }
  }

  #lost() {
    this.#generation++;
    if (this.#closed || !this.#listening) return; // an attempt under way starts over by itself
    this.#listening = false;
    for (const set of this.#channels.values()) for (const c of [...set]) _call(c.onLost);
    this.#ensure();
  }

  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#timer = setTimeout(resolve, ms);
    });
  }
}

function _call(fn: (() => void) | undefined) {
  try {
    fn?.();
  } catch {
    // A callback's failure is its own.
  }
}

/** A channel name as an SQL identifier. */
function _quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
