import type { Context } from "hono";
import { getConnInfo } from "hono/deno";
import { Refusal } from "../refusal/mod.ts";
import type { AppEnv, AuthedEnv, CurrentUser } from "./types.ts";

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

/** Who did it, from where, when: passed to every admin change so it can be audited. */
export interface ChangeContext {
  actor: CurrentUser;
  ip: string;
  now: Date;
}

/** The signed-in caller's change context: its user, `clientAddress`, the app clock's now. */
export function changeContext<E extends AuthedEnv>(c: Context<E>): ChangeContext {
  return { actor: c.get("user"), ip: clientAddress(c), now: c.get("deps").clock.now() };
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
