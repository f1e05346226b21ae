/**
 * The signature on a request one instance relays to another (`X-Rescue-Relay`): which
 * instance sent it, until when it holds, and an HMAC over both and the request line under the
 * cluster secret. An instance relays a request only once (a signed request is never relayed
 * again), and only a signed request may claim the client's address in `X-Forwarded-For`.
 */
export const RELAY_HEADER = "x-rescue-relay";

const LIFETIME_MS = 30_000;
const encoder = new TextEncoder();

async function _key(secret: string): Promise<CryptoKey> {
  return await crypto.subtle.importKey(
    "raw",
    encoder.encode(`rescue-cluster:${secret}`),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
}

function _hex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The header value for `method path` sent by instance `from` at `now`. */
export async function signRelay(
  secret: string,
  request: { from: string; method: string; path: string },
  now: Date,
): Promise<string> {
  const until = now.getTime() + LIFETIME_MS;
  const data = `${request.from}.${until}.${request.method.toUpperCase()} ${request.path}`;
  const mac = await crypto.subtle.sign("HMAC", await _key(secret), encoder.encode(data));
  return `${request.from}.${until}.${_hex(mac)}`;
}

/** The sending instance's id when `header` is a valid, unexpired signature of the request. */
export async function verifyRelay(
  secret: string,
  header: string | undefined,
  request: { method: string; path: string },
  now: Date,
): Promise<string | null> {
  const match = /^([0-9a-f-]{36})\.(\d{1,15})\.([0-9a-f]{64})$/.exec(header ?? "");
  if (!match) return null;
  const [, from, until, mac] = match;
  if (Number(until) < now.getTime() || Number(until) > now.getTime() + 2 * LIFETIME_MS) {
    return null;
  }
  const data = `${from}.${until}.${request.method.toUpperCase()} ${request.path}`;
  const bytes = new Uint8Array(mac.match(/../g)!.map((h) => parseInt(h, 16)));
  const ok = await crypto.subtle.verify("HMAC", await _key(secret), bytes, encoder.encode(data));
  return ok ? from : null;
}

/** The cluster secret: RESCUE_CLUSTER_SECRET, else one derived from the cookie secret. */
export function clusterSecret(config: { clusterSecret?: string; cookieSecret: string }): string {
  return config.clusterSecret ?? `derived:${config.cookieSecret}`;
}
