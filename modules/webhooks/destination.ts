/**
 * Where a webhook may be sent: public addresses only, unless the operator allows loopback
 * (WEBHOOK_ALLOW_PRIVATE=loopback) or every non-public address (=private). Otherwise an
 * admin could aim the server at itself, the local network or a cloud metadata address.
 * Addresses written in the URL are checked when the endpoint is saved; names are resolved
 * and checked again before every delivery, since what a name points at can change.
 */

export type AllowPrivate = "none" | "loopback" | "private";
export type AddressKind = "public" | "loopback" | "private";

/** IPv4 blocks that are not the public internet, as [first octets, prefix length]. */
const V4_NOT_PUBLIC: [number[], number][] = [
  [[0], 8], // "this network"
  [[10], 8],
  [[100, 64], 10], // carrier-grade NAT
  [[169, 254], 16], // link-local, cloud metadata
  [[172, 16], 12],
  [[192, 0, 0], 24],
  [[192, 168], 16],
  [[198, 18], 15], // benchmarking
  [[224], 3], // multicast, reserved, broadcast
];

function _v4(ip: string): number | null {
  const parts = ip.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) < 256)) {
    return null;
  }
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function _v4Kind(n: number): AddressKind {
  if (n >>> 24 === 127) return "loopback";
  for (const [octets, bits] of V4_NOT_PUBLIC) {
    const base = octets.concat([0, 0, 0, 0]).slice(0, 4).reduce((a, o) => a * 256 + o, 0);
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    if (((n & mask) >>> 0) === ((base & mask) >>> 0)) return "private";
  }
  return "public";
}

/** The eight 16-bit groups of an IPv6 address (an embedded IPv4 tail included), or null. */
function _v6(ip: string): number[] | null {
  let text = ip.toLowerCase().split("%")[0];
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const n = _v4(tail[1]);
    if (n === null) return null;
    text = text.slice(0, -tail[1].length) +
      `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const read = (s: string) => (s ? s.split(":") : []).map((g) => Number.parseInt(g, 16));
  const head = read(halves[0]);
  const rest = halves.length === 2 ? read(halves[1]) : [];
  const fill = 8 - head.length - rest.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) return null;
  const groups = [...head, ...Array(fill).fill(0), ...rest];
  return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

/** What kind of address `ip` (IPv4 or IPv6, no brackets) is; anything unreadable is private. */
export function addressKind(ip: string): AddressKind {
  const v4 = _v4(ip);
  if (v4 !== null) return _v4Kind(v4);
  const g = _v6(ip);
  if (!g) return "private";
  const zeroUpTo = (k: number) => g.slice(0, k).every((x) => x === 0);
  if (zeroUpTo(7) && g[7] === 1) return "loopback";
  if (zeroUpTo(8)) return "private";
  // An IPv4 address in IPv6 clothes (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96): its own kind.
  const embedded = (g[6] << 16 | g[7]) >>> 0;
  if (zeroUpTo(5) && g[5] === 0xffff) return _v4Kind(embedded);
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) {
    return _v4Kind(embedded);
  }
  if ((g[0] & 0xffc0) === 0xfe80) return "private"; // link-local
  if ((g[0] & 0xfe00) === 0xfc00) return "private"; // unique local
  if ((g[0] & 0xff00) === 0xff00) return "private"; // multicast
  if (g[0] === 0x2001 && g[1] === 0x0db8) return "private"; // documentation
  return "public";
}

/** Whether the operator's setting lets a webhook go to an address of `kind`. */
export function kindAllowed(kind: AddressKind, allow: AllowPrivate): boolean {
  if (kind === "public") return true;
  if (kind === "loopback") return allow !== "none";
  return allow === "private";
}

/** The URL's host as an address, or null when it is a name; `localhost` names are loopback. */
function _literal(host: string): { ip: string; kind: AddressKind } | null {
  const bare = host.replace(/^\[|\]$/g, "");
  if (_v4(bare) !== null || bare.includes(":")) return { ip: bare, kind: addressKind(bare) };
  if (bare === "localhost" || bare.endsWith(".localhost")) return { ip: bare, kind: "loopback" };
  return null;
}

/**
 * Checked when an endpoint is saved: the address written in the URL (names wait for the
 * delivery). Returns the refused address, or null.
 */
export function refusedLiteral(url: URL, allow: AllowPrivate): string | null {
  const literal = _literal(url.hostname);
  return literal && !kindAllowed(literal.kind, allow) ? literal.ip : null;
}

export type Resolver = (name: string, type: "A" | "AAAA") => Promise<string[]>;

const _resolve: Resolver = async (name, type) => {
  try {
    return await Deno.resolveDns(name, type);
  } catch {
    return []; // no such record: the other type may have one
  }
};

/**
 * Checked before each delivery: the address in the URL, or every address its name
 * resolves to now. Returns why the delivery may not go there, or null when it may.
 */
export async function refusedDestination(
  url: URL,
  allow: AllowPrivate,
  resolve: Resolver = _resolve,
): Promise<string | null> {
  const literal = _literal(url.hostname);
  if (literal) {
    return kindAllowed(literal.kind, allow) ? null : `${literal.ip} is a ${literal.kind} address`;
  }
  const addresses = (await Promise.all([resolve(url.hostname, "A"), resolve(url.hostname, "AAAA")]))
    .flat();
  if (addresses.length === 0) return `${url.hostname} does not resolve`;
  const bad = addresses.find((ip) => !kindAllowed(addressKind(ip), allow));
  return bad ? `${url.hostname} resolves to ${bad}, a ${addressKind(bad)} address` : null;
}
