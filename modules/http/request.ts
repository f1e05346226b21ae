import type { Context } from "hono";
import { HttpError } from "./errors.tsx";

/**
 * The client's address: the socket peer, or the first X-Forwarded-For hop when
 * RESCUE_TRUST_PROXY=1 says a reverse proxy in front of us sets it.
 */
export function clientAddress(c: Context): string {
  if (Deno.env.get("RESCUE_TRUST_PROXY") === "1") {
    const forwarded = c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
    if (forwarded) return forwarded;
  }
  // deno-lint-ignore no-explicit-any
  const info = (c.env as any)?.remoteAddr ?? (c.env as any)?.info?.remoteAddr;
  return info?.hostname ?? "127.0.0.1";
}

/** Parses a url-encoded or multipart form into string fields; a malformed body is a 400. */
export async function readForm(c: Context): Promise<Record<string, string>> {
  let body: Record<string, unknown>;
  try {
    body = await c.req.parseBody();
  } catch {
    throw new HttpError(400, "errors.badForm");
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === "string") out[key] = value;
  }
  return out;
}
