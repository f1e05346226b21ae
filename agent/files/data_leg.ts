/**
 * A transfer's data connection: one WebSocket per stream (`/agent/file-data/:ticket`, the
 * server's modules/filemgr/socket_leg.ts), to the server the agent joined, off the control
 * socket (which carries the picture and must not stall). Authenticated by the session token
 * and the one-time ticket the server sent in the operation. Data goes in binary messages of
 * up to 1 MiB (the server handles one message per MiB, not a request body's 64 KiB pieces);
 * the receiver acknowledges what it has passed on (`a<total>`) and the sender keeps at most
 * `WINDOW` bytes unacknowledged — backpressure both ways, never a whole file in memory.
 * A download ends with `end` and the server's `ok`; a close without them is a broken leg.
 */
import { OpFailure } from "../ops/mod.ts";

export interface LegTarget {
  serverUrl: string;
  token: string;
}

/** Bytes sent and not yet acknowledged, at most. */
const WINDOW = 8 * 1024 * 1024;
/** The largest data message. */
const MESSAGE = 1024 * 1024;
/** Acknowledge once at least this much was passed on. */
export const ACK_EVERY = 1024 * 1024;
/** The server's close code when it stopped taking the data (its browser went away, cancel). */
const STOPPED = 4409;

function _url(target: LegTarget, ticket: string): URL {
  const url = new URL(`/agent/file-data/${ticket}`, target.serverUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url;
}

function _failed(error: unknown, signal: AbortSignal): OpFailure {
  if (error instanceof OpFailure) return error;
  if (signal.aborted) return new OpFailure("cancelled", String(signal.reason ?? "cancelled"));
  return new OpFailure("leg_broken", `the data connection broke: ${String(error).slice(0, 200)}`);
}

/** Opens the data connection; refused or broken before it opens is a clear failure. */
function _open(target: LegTarget, ticket: string, signal: AbortSignal): Promise<WebSocket> {
  if (signal.aborted) return Promise.reject(_failed(null, signal));
  // Deno's WebSocket takes headers in its second argument; the DOM type does not know it.
  const ws = new WebSocket(_url(target, ticket), {
    headers: { authorization: `Bearer ${target.token}` },
  } as unknown as string[]);
  ws.binaryType = "arraybuffer";
  return new Promise((resolve, reject) => {
    const abort = () => ws.close();
    signal.addEventListener("abort", abort, { once: true });
    ws.onopen = () => (signal.removeEventListener("abort", abort), resolve(ws));
    ws.onerror = () => {};
    ws.onclose = (event) => {
      signal.removeEventListener("abort", abort);
      reject(
        signal.aborted
          ? _failed(null, signal)
          : new OpFailure("leg_refused", `the server refused the data connection (${event.code})`),
      );
    };
  });
}

/** What a socket brought: acknowledgements, the server's answer, its end. */
class Inbox {
  acked = 0;
  answer: string | null = null;
  closed: CloseEvent | null = null;
  data: Uint8Array<ArrayBuffer>[] = [];
  ended = false;
  #waiter: PromiseWithResolvers<void> | null = null;

  constructor(ws: WebSocket) {
    ws.onmessage = (event) => {
      if (typeof event.data !== "string") this.data.push(new Uint8Array(event.data));
      else if (event.data.startsWith("a")) this.acked = Number(event.data.slice(1)) || this.acked;
      else if (event.data === "end") this.ended = true;
      else this.answer = event.data;
      this.#wake();
    };
    ws.onclose = (event) => (this.closed = event, this.#wake());
  }

  #wake() {
    this.#waiter?.resolve();
    this.#waiter = null;
  }

  /** Resolves on the next message or the close. */
  next(): Promise<void> {
    this.#waiter ??= Promise.withResolvers<void>();
    return this.#waiter.promise;
  }
}

/**
 * Where a download's bytes come from: each call gives the next piece (any size; sent in
 * messages of at most `MESSAGE` bytes), or null at the end; a throw stops the leg with that
 * failure. A piece is handed to `WebSocket.send` — which copies it — before the next call, so
 * a source fills the same buffer every time: no 1 MiB allocation per message, nothing left
 * for the garbage collector to find late (what made the agent's memory grow with the file).
 */
export type LegSource = () => Uint8Array | null | Promise<Uint8Array | null>;

/** Sends what `source` gives to the server; resolves when the server has passed all of it on. */
export async function pushLeg(
  target: LegTarget,
  ticket: string,
  source: LegSource,
  signal: AbortSignal,
): Promise<void> {
  let ws: WebSocket;
  try {
    ws = await _open(target, ticket, signal);
  } catch (error) {
    throw _failed(error, signal);
  }
  const inbox = new Inbox(ws);
  const abort = () => ws.close(1000, "cancelled");
  signal.addEventListener("abort", abort, { once: true });
  let sent = 0;
  const gone = () => {
    if (signal.aborted) return _failed(null, signal);
    return inbox.closed?.code === STOPPED
      ? new OpFailure("leg_refused", "the server stopped taking the data")
      : new OpFailure("leg_broken", `the data connection closed (${inbox.closed?.code})`);
  };
  try {
    while (true) {
      if (inbox.closed) throw gone();
      const bytes = await source();
      if (bytes === null) break;
      for (let at = 0; at < bytes.byteLength; at += MESSAGE) {
        const piece = bytes.subarray(at, at + MESSAGE);
        while (!inbox.closed && sent - inbox.acked > WINDOW - piece.byteLength) {
          await inbox.next();
        }
        if (inbox.closed) throw gone();
        ws.send(piece);
        sent += piece.byteLength;
      }
    }
    if (inbox.closed) throw gone();
    ws.send("end");
    while (!inbox.closed && inbox.answer === null) await inbox.next();
    if (inbox.answer !== "ok") throw gone();
  } catch (error) {
    throw _failed(error, signal);
  } finally {
    signal.removeEventListener("abort", abort);
    if (ws.readyState === WebSocket.OPEN) ws.close(1000, "done");
  }
}

/**
 * Opens the server's data for an upload: its messages in order, each acknowledged once the
 * consumer asks for the next (it has written this one), so the server never sends more than
 * `WINDOW` bytes ahead of the disk. A message is valid until the next is asked for (then its
 * memory is freed). A broken connection is a clear failure; leaving the loop early closes it.
 */
export async function pullLeg(
  target: LegTarget,
  ticket: string,
  signal: AbortSignal,
): Promise<AsyncGenerator<Uint8Array<ArrayBuffer>>> {
  let ws: WebSocket;
  try {
    ws = await _open(target, ticket, signal);
  } catch (error) {
    throw _failed(error, signal);
  }
  const inbox = new Inbox(ws);
  const abort = () => ws.close(1000, "cancelled");
  signal.addEventListener("abort", abort, { once: true });
  return _pulled(ws, inbox, signal, () => signal.removeEventListener("abort", abort));
}

async function* _pulled(
  ws: WebSocket,
  inbox: Inbox,
  signal: AbortSignal,
  done: () => void,
): AsyncGenerator<Uint8Array<ArrayBuffer>> {
  let delivered = 0;
  let acked = 0;
  try {
    while (true) {
      const chunk = inbox.data.shift();
      if (chunk) {
        yield chunk;
        // Asked for more: this one is written. Its memory goes back now (detached), not at
        // some later garbage collection — else a fast upload leaves a trail of dead MiBs.
        delivered += chunk.byteLength;
        chunk.buffer.transfer(0);
        if (delivered - acked >= ACK_EVERY && ws.readyState === WebSocket.OPEN) {
          ws.send(`a${delivered}`);
          acked = delivered;
        }
        continue;
      }
      if (inbox.ended) return;
      if (inbox.closed) {
        throw _failed(new Error(`the data connection closed (${inbox.closed.code})`), signal);
      }
      await inbox.next();
    }
  } finally {
    done();
    if (ws.readyState === WebSocket.OPEN) ws.close(1000, inbox.ended ? "done" : "stopped");
  }
}
