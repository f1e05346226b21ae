import type { Context } from "hono";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";
import type { AppEnv } from "./types.ts";

/** One server-sent event. `data` may span lines; `event` and `id` must not. */
export interface LiveMessage {
  event: string;
  data: string;
  id?: string | number;
}

/** The server's end of one live stream, handed to `liveStream`'s `start`. */
export interface LiveStream {
  /** Queues one event; events go out in the order sent. Nothing happens once closed. */
  send(message: LiveMessage): void;
  /**
   * Runs `listener` once when the stream ends, whichever side ended it: listeners run in
   * order, each awaited, the first one at once (a reader's cancel has taken effect when it
   * returns); one registered after the end runs straight away.
   */
  onClose(listener: () => void | Promise<void>): void;
  /** Ends the stream from the server's side; the browser's EventSource then reconnects. */
  close(): void;
  readonly closed: boolean;
}

export interface LiveStreamOptions {
  /** How long the browser waits before it reconnects (`retry:`, default 3 s). */
  retryMs?: number;
  /** A `ping` event this often, so proxies keep an idle stream and pages see it alive (15 s). */
  heartbeatMs?: number;
}

/**
 * Every live stream of the app (the console's queue, the customer's log, the customer's
 * remote-view state): server-sent events over hono's `streamSSE`, with one way of writing
 * an event (`data` split on `\r\n`, `\r` and `\n` into `data:` lines; an `event` or `id`
 * with a line break refused, so no value can forge a field), a `retry:` first, a heartbeat
 * and no caching or proxy buffering. `start` subscribes to whatever feeds the stream and
 * registers its clean-up with `onClose`; the response is returned once `start` has
 * finished, so its effects (a customer counted as connected) are in place by then, and an
 * error it throws is an ordinary error response instead of a broken stream.
 */
export async function liveStream(
  c: Context,
  start: (stream: LiveStream) => void | Promise<void>,
  options: LiveStreamOptions = {},
): Promise<Response> {
  let began!: (outcome: { error?: unknown }) => void;
  const started = new Promise<{ error?: unknown }>((resolve) => began = resolve);
  const response = streamSSE(c, async (sse) => {
    const stream = new _Stream(sse, options);
    try {
      await start(stream);
    } catch (error) {
      began({ error });
      await stream.end();
      return;
    }
    began({});
    // An external technician's stream ends with its access (removed, expired, session ended).
    const guest = (c as Context<AppEnv>).get("guest");
    if (guest?.watch) stream.onClose(guest.watch(() => stream.close()));
    await stream.ended;
    await stream.end();
  });
  const outcome = await started;
  if ("error" in outcome) {
    // streamSSE already set its headers on the context; the error page must not carry them.
    for (const name of ["content-type", "transfer-encoding", "connection", "cache-control"]) {
      c.header(name, undefined);
    }
    throw outcome.error;
  }
  response.headers.set("cache-control", "no-store");
  response.headers.set("x-accel-buffering", "no");
  return response;
}

/** The one place an event becomes text: refuses a line break in `event` or `id`. */
function _checkMessage(message: LiveMessage): void {
  if (/[\r\n]/.test(message.event)) throw new RangeError("An SSE event name must be one line");
  if (message.id !== undefined && /[\r\n\0]/.test(String(message.id))) {
    throw new RangeError("An SSE id must be one line without NUL");
  }
}

class _Stream implements LiveStream {
  #sse: SSEStreamingApi;
  #closed = false;
  #writes: Promise<unknown>;
  #listeners: (() => void | Promise<void>)[] = [];
  #heartbeat: ReturnType<typeof setInterval>;
  #cleanup: Promise<void> = Promise.resolve();
  #finish!: () => void;
  readonly ended = new Promise<void>((resolve) => this.#finish = resolve);

  constructor(sse: SSEStreamingApi, options: LiveStreamOptions) {
    this.#sse = sse;
    this.#writes = sse.write(`retry: ${options.retryMs ?? 3_000}\n\n`);
    this.#heartbeat = setInterval(
      () => this.send({ event: "ping", data: "1" }),
      options.heartbeatMs ?? 15_000,
    );
    sse.onAbort(() => this.close());
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(message: LiveMessage): void {
    _checkMessage(message);
    if (this.#closed) return;
    const { event, data } = message;
    const id = message.id === undefined ? undefined : String(message.id);
    this.#writes = this.#writes.then(() => this.#sse.writeSSE({ event, data, id }));
  }

  onClose(listener: () => void | Promise<void>): void {
    if (!this.#closed) return void this.#listeners.push(listener);
    // Closed while `start` was still busy (the reader left early): clean up all the same.
    this.#cleanup = this.#cleanup.then(listener);
    this.#cleanup.catch(() => {});
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    const listeners = this.#listeners.splice(0);
    this.#cleanup = (async () => {
      for (const listener of listeners) await listener();
    })();
    this.#cleanup.catch(() => {}); // reported by end(), which awaits it
    this.#finish();
  }

  /** After the stream ended: its clean-up is awaited, then what was queued is written. */
  async end(): Promise<void> {
    this.close();
    await this.#cleanup;
    await this.#writes;
  }
}
