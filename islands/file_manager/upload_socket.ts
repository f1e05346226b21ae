/**
 * An upload's bytes over the server's data socket (`…/transfers/:id/socket?from=n`,
 * docs/files_api.md): binary messages of up to 1 MiB read from the Blob as they are sent, at
 * most 8 MiB ahead of what the server acknowledged (`a<total>`), then `end`; the server answers
 * with one text message — the JSON a `POST …/data` would answer, as `{ status, body }`.
 * Faster on the server than a request body, and the same resumable, verified transfer.
 */

const MESSAGE = 1024 * 1024;
const WINDOW = 8 * 1024 * 1024;

/** What is sent: a Blob (bench:files passes its own, read from disk in order). */
export interface BlobLike {
  readonly size: number;
  slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

export interface SocketAnswer {
  status: number;
  body: unknown;
}

/**
 * Sends `body`; resolves with the server's answer, null if the socket broke before it, or
 * "unopened" if it never opened (refused before the upgrade, or a proxy without WebSockets:
 * the caller asks again by POST, which says why).
 */
export async function sendOverSocket(
  url: string,
  body: BlobLike,
  signal: AbortSignal,
  connect: (address: URL) => WebSocket = (address) => new WebSocket(address),
): Promise<SocketAnswer | "unopened" | null> {
  const address = new URL(url, globalThis.location?.href);
  address.protocol = address.protocol === "https:" ? "wss:" : "ws:";
  const ws = connect(address);
  ws.binaryType = "arraybuffer";
  let acked = 0;
  let answer: SocketAnswer | null = null;
  let closed = false;
  let wake: (() => void) | null = null;
  const next = () => new Promise<void>((resolve) => (wake = resolve));
  const woken = () => (wake?.(), wake = null);
  ws.onmessage = (event) => {
    if (typeof event.data !== "string") return;
    if (event.data.startsWith("a")) acked = Number(event.data.slice(1)) || acked;
    else {
      try {
        answer = JSON.parse(event.data) as SocketAnswer;
      } catch {
        answer = null;
      }
    }
    woken();
  };
  ws.onclose = () => (closed = true, woken());
  ws.onerror = () => {};
  const stop = () => ws.close(1000, "cancelled");
  signal.addEventListener("abort", stop, { once: true });
  try {
    let open = false;
    const opened = new Promise<void>((resolve) => (ws.onopen = () => (open = true, resolve())));
    await Promise.race([
      opened,
      new Promise<void>((resolve) => ws.addEventListener("close", () => resolve())),
    ]);
    if (!open) {
      if (signal.aborted) throw signal.reason ?? new DOMException("aborted", "AbortError");
      return "unopened";
    }
    let sent = 0;
    let piece = closed ? null : body.slice(0, MESSAGE).arrayBuffer();
    while (piece && !closed) {
      const bytes = await piece;
      // The next piece is read while this one waits for room.
      const at = sent + bytes.byteLength;
      piece = at < body.size ? body.slice(at, at + MESSAGE).arrayBuffer() : null;
      while (!closed && answer === null && sent - acked > WINDOW - bytes.byteLength) await next();
      if (closed || answer !== null) break;
      ws.send(bytes);
      sent = at;
    }
    if (!closed && answer === null) ws.send("end");
    while (!closed && answer === null) await next();
    if (signal.aborted) throw signal.reason ?? new DOMException("aborted", "AbortError");
    return answer;
  } finally {
    signal.removeEventListener("abort", stop);
    if (ws.readyState === WebSocket.OPEN) ws.close(1000, "done");
  }
}
