import type { Context } from "hono";
import { getConnInfo } from "hono/deno";
import { Refusal } from "../refusal/mod.ts";
import type { AppEnv } from "./types.ts";

/**
 * The client's address: the socket peer, or the first X-Forwarded-For hop when
 * RESCUE_TRUST_PROXY=1 (`config.trustProxy`) says a reverse proxy in front of us sets it.
 * An in-memory request (`app.request()` in tests) has no socket: it counts as 127.0.0.1.
 * A request another instance relayed with a valid signature carries the client's address
 * as that instance saw it (`relayedRequests`).
 */
export function clientAddress<E extends AppEnv>(c: Context<E>): string {
  // Relayed by another instance (signature verified in relayed.ts): the client it saw.
  const relayed = c.get("relayed")?.client;
  if (relayed) return relayed;
  if (c.get("deps").config.trustProxy) {
    const forwarded = c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
    if (forwarded) return forwarded;
  }
  const socket = (c.env as Partial<Deno.ServeHandlerInfo> | undefined)?.remoteAddr;
  return (socket && getConnInfo(c).remote.address) ?? "127.0.0.1";
}

/** Parses a url-encoded or multipart form into string fields; a malformed body is a 400. */
export async function readForm(c: Context): Promise<Record<string, string>> {
  let body: Record<string, unknown>;
  try {
    body = await c.req.parseBody();
  } catch {
    throw new Refusal(400, "errors.badForm");
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === "string") out[key] = value;
  }
  return out;
}
