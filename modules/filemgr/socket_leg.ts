/**
 * The agent's data connection as a WebSocket (`GET /agent/file-data/:ticket`, upgraded): file
 * bytes in large binary messages (up to 1 MiB), so the server handles one message per MiB
 * instead of a request body's 64 KiB pieces, and passes each on as it came (no copy, no
 * re-chunking). Flow control both ways by acknowledgements: the receiver tells the sender how
 * many bytes it has passed on (text `a<total>`), and the sender keeps at most `WINDOW` bytes
 * unacknowledged — so neither side queues more than that, however slow the other end is.
 *
 * Download (push): agent → binary messages, then text `end`; the server answers `ok` once the
 * browser's side has taken everything (or closes with 4409 when it stopped). Upload (pull):
 * server → binary messages, then `end`; the agent acknowledges as it writes. A close without
 * `end` is a broken leg.
 */
import type { PullLeg, PushLeg } from "./hub.ts";

/** An upload's body read ahead of the agent, at most. */
export const READ_AHEAD = 16 * 1024 * 1024;
/** Bytes in flight (sent, not yet acknowledged) per leg. */
export const WINDOW = 8 * 1024 * 1024;
/** The largest data message. */
export const MESSAGE = 1024 * 1024;
/** The receiver acknowledges after passing on at least this many bytes. */
export const ACK_EVERY = 1024 * 1024;
/** Close code: the server stopped taking the data (the browser went away, cancel). */
export const STOPPED = 4409;
/** Close code: the sender's source broke (the browser's upload request failed). */
export const BROKEN = 4500;

/**
 * The binary messages the legs below received: their memory is ours to give back once they
 * are passed on (`release`), rather than at some later garbage collection — 1 MiB a message,
 * so a fast transfer would otherwise leave tens of dead MiB behind it.
 */
const _received = new WeakSet<ArrayBuffer>();

/**
 * Frees a received message that was passed on and is not looked at again (`send` copied it;
 * for a response body see `handedOn`); anything not received here is left alone.
 */
export function release(chunk: Uint8Array) {
  const buffer = chunk.buffer as ArrayBuffer;
  if (_received.has(buffer)) buffer.transfer(0);
}

/**
 * Frees what a response body was given two chunks late — only for a body Deno's HTTP server
 * writes to a socket: its reader asks for chunk n + 1 once it has handed chunk n to the HTTP
 * layer, which holds its own reference to the memory, so when chunk n + 2 comes chunk n is
 * done with. (An in-process reader, `app.request`, keeps the arrays themselves: not for it.)
 */
export function handedOn(): (chunk: Uint8Array) => void {
  const recent: Uint8Array[] = [];
  return (chunk) => {
    recent.push(chunk);
    if (recent.length > 2) release(recent.shift()!);
  };
}

/** Reads a download's data from the agent's socket, acknowledging what was read. */
export function pushLegOf(socket: WebSocket): PushLeg {
  const queue: Uint8Array[] = [];
  let waiter: PromiseWithResolvers<void> | null = null;
  let ended = false;
  let broken: Error | null = null;
  let read = 0;
  let acked = 0;
  const wake = () => (waiter?.resolve(), waiter = null);
  socket.onmessage = (event) => {
    if (typeof event.data === "string") {
      if (event.data === "end") (ended = true, wake());
      return;
    }
    const buffer = event.data as ArrayBuffer;
    _received.add(buffer);
    queue.push(new Uint8Array(buffer));
    wake();
  };
  socket.onclose = (event) => {
    if (!ended) broken = new Error(`the agent's data connection closed (${event.code})`);
    wake();
  };
  socket.onerror = () => {};
  return {
    async read() {
      while (true) {
        const chunk = queue.shift();
        if (chunk) {
          read += chunk.byteLength;
          if (read - acked >= ACK_EVERY && socket.readyState === WebSocket.OPEN) {
            socket.send(`a${read}`);
            acked = read;
          }
          return { done: false, value: chunk };
        }
        if (ended) return { done: true, value: undefined };
        if (broken) throw broken;
        waiter = Promise.withResolvers<void>();
        await waiter.promise;
      }
    },
    finish(ok) {
      if (socket.readyState !== WebSocket.OPEN) return;
      if (ok) socket.send("ok");
      socket.close(ok ? 1000 : STOPPED, ok ? "done" : "stopped");
    },
  };
}

/**
 * Sends an upload's body to the agent's socket in messages of up to `MESSAGE` bytes
 * (gathered in one reused buffer: `send` copies), never more than `WINDOW` bytes ahead of what
 * the agent has written.
 */
export function pullLegOf(socket: WebSocket): PullLeg {
  let acked = 0;
  let closed = false;
  let waiter: PromiseWithResolvers<void> | null = null;
  const wake = () => (waiter?.resolve(), waiter = null);
  socket.onmessage = (event) => {
    if (typeof event.data === "string" && event.data.startsWith("a")) {
      acked = Number(event.data.slice(1)) || acked;
      wake();
    }
  };
  socket.onclose = () => (closed = true, wake());
  socket.onerror = () => {};
  const opened = new Promise<void>((resolve) => {
    if (socket.readyState === WebSocket.OPEN) resolve();
    socket.onopen = () => resolve();
  });
  return {
    respond(body) {
      let sent = 0;
      const send = async (bytes: Uint8Array) => {
        while (!closed && sent - acked > WINDOW - bytes.byteLength) {
          waiter = Promise.withResolvers<void>();
          await waiter.promise;
        }
        if (closed) throw new Error("the agent's data connection closed");
        socket.send(bytes);
        sent += bytes.byteLength;
      };
      (async () => {
        try {
          await Promise.race([
            opened,
            new Promise((resolve) => socket.addEventListener("close", resolve)),
          ]);
          for await (const bytes of _messages(_eager(body))) await send(bytes);
          if (!closed) socket.send("end");
        } catch {
          await body.cancel().catch(() => {});
          if (!closed) socket.close(BROKEN, "the upload broke");
        }
      })();
    },
  };
}

/**
 * The body in pieces of `MESSAGE` bytes (the last one shorter), gathered in one reused buffer
 * (each piece is valid until the next is asked for). A default reader, not a BYOB one: Deno's
 * request body read into a large BYOB view costs far more than the bytes (measured: 40 s of
 * CPU per GB for 64 KiB pieces into a 1 MiB view, against 2 s read whole and copied here).
 */
async function* _messages(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const buffer = new Uint8Array(MESSAGE);
  let filled = 0;
  for await (const chunk of body) {
    for (let at = 0; at < chunk.byteLength;) {
      const take = Math.min(MESSAGE - filled, chunk.byteLength - at);
      if (filled === 0 && take === MESSAGE) {
        // A whole message in the chunk: passed on as it is.
        yield chunk.subarray(at, at + take);
      } else {
        buffer.set(chunk.subarray(at, at + take), filled);
        filled += take;
        if (filled === MESSAGE) (yield buffer, filled = 0);
      }
      at += take;
    }
    // All of it sent (copied) or gathered: a socket message's memory goes back now.
    release(chunk);
  }
  if (filled > 0) yield buffer.subarray(0, filled);
}

/**
 * The body read as fast as it comes, up to `READ_AHEAD` bytes ahead of the consumer. Deno's
 * request body costs more per byte the more is waiting behind it (a slow reader of a 64 MiB
 * upload measured 31 s of CPU per GB against 6 s read at once): read promptly, it stays cheap.
 */
async function* _eager(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  const queue: Uint8Array[] = [];
  let queued = 0;
  let ended = false;
  let failure: unknown = null;
  const wake: Record<"reader" | "consumer", PromiseWithResolvers<void> | null> = {
    reader: null,
    consumer: null,
  };
  let stopped = false;
  const reading = (async () => {
    try {
      while (!stopped) {
        while (queued > READ_AHEAD && !stopped) {
          wake.reader = Promise.withResolvers<void>();
          await wake.reader.promise;
        }
        const step = await reader.read();
        if (step.done) break;
        queue.push(step.value);
        queued += step.value.byteLength;
        wake.consumer?.resolve();
      }
    } catch (error) {
      failure = error ?? new Error("the upload broke");
    }
    ended = true;
    wake.consumer?.resolve();
  })();
  try {
    while (true) {
      const chunk = queue.shift();
      if (chunk) {
        queued -= chunk.byteLength;
        wake.reader?.resolve();
        yield chunk;
        continue;
      }
      if (failure) throw failure;
      if (ended) return;
      wake.consumer = Promise.withResolvers<void>();
      await wake.consumer.promise;
      wake.consumer = null;
    }
  } finally {
    stopped = true;
    wake.reader?.resolve();
    if (!ended) await reader.cancel().catch(() => {});
    await reading;
  }
}
