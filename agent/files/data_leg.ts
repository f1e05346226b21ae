/**
 * A transfer's data connection: one HTTP request per stream, to the server the agent joined,
 * off the control socket (which carries the picture and must not stall). Authenticated by
 * the session token and the one-time ticket the server sent in the operation. Downloads
 * stream the agent's request body; uploads read the response body — both with backpressure,
 * never a whole file in memory.
 */
import { OpFailure } from "../ops/mod.ts";

export interface LegTarget {
  serverUrl: string;
  token: string;
}

function _url(target: LegTarget, ticket: string): URL {
  return new URL(`/agent/file-data/${ticket}`, target.serverUrl);
}

function _failed(error: unknown, signal: AbortSignal): OpFailure {
  if (signal.aborted) return new OpFailure("cancelled", String(signal.reason ?? "cancelled"));
  return new OpFailure("leg_broken", `the data connection broke: ${String(error).slice(0, 200)}`);
}

/** Sends `body` to the server; resolves when the server has passed all of it on. */
export async function pushLeg(
  target: LegTarget,
  ticket: string,
  body: ReadableStream<Uint8Array>,
  signal: AbortSignal,
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(_url(target, ticket), {
      method: "POST",
      headers: {
        authorization: `Bearer ${target.token}`,
        "content-type": "application/octet-stream",
      },
      body,
      signal,
      duplex: "half",
    } as RequestInit);
  } catch (error) {
    throw _failed(error, signal);
  }
  const text = await response.text().catch(() => "");
  if (!response.ok) {
    throw new OpFailure("leg_refused", `the server refused the data (${response.status}) ${text}`);
  }
}

/** Opens the server's stream of data for an upload. */
export async function pullLeg(
  target: LegTarget,
  ticket: string,
  signal: AbortSignal,
): Promise<ReadableStream<Uint8Array>> {
  let response: Response;
  try {
    response = await fetch(_url(target, ticket), {
      headers: { authorization: `Bearer ${target.token}` },
      signal,
    });
  } catch (error) {
    throw _failed(error, signal);
  }
  if (!response.ok || !response.body) {
    const text = await response.text().catch(() => "");
    throw new OpFailure("leg_refused", `the server refused the data (${response.status}) ${text}`);
  }
  return response.body;
}

/** Reads a leg, turning a broken connection into a clear failure. */
export async function* chunksOf(
  stream: ReadableStream<Uint8Array>,
  signal: AbortSignal,
): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    while (true) {
      let step: ReadableStreamReadResult<Uint8Array>;
      try {
        step = await reader.read();
      } catch (error) {
        throw _failed(error, signal);
      }
      if (step.done) return;
      yield step.value;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
