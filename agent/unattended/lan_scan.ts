/**
 * LAN connect's scan (SPEC C9), run by the service only when the server asks on its device
 * socket (`lanScan`): the hosts this computer reaches on its own IPv4 networks. Each
 * interface's network is scanned at most as a /24 (a wider one is narrowed to the /24 around
 * the interface's own address: a technician's click never knocks on 65,000 addresses); the
 * loopback interface is skipped — a test may name the networks itself (`networks`, e.g.
 * `127.0.0.1/32`). A host counts when it is in the neighbour (ARP) table or answers on one of
 * LAN_PORTS within a short time; a few probes at a time. Its name is what the OS's resolver
 * gives for the address (`getent hosts`: /etc/hosts, then whatever NSS asks).
 */
import { LAN_PORTS, type LanHost } from "../../protocol/mod.ts";

/** The narrowest prefix a scan covers: never more than 254 hosts per network. */
export const MAX_SCAN_PREFIX = 24;
/** At most this many networks (interfaces) per scan. */
const MAX_NETWORKS = 4;

export interface ScanNetwork {
  /** e.g. "192.168.1.0/24" */
  cidr: string;
  /** The addresses to probe, in order (without the network's own and broadcast address). */
  addresses: string[];
}

export interface InterfaceLike {
  family: "IPv4" | "IPv6";
  address: string;
  netmask: string;
  name: string;
}

function _toNumber(address: string): number | null {
  const parts = address.split(".");
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    value = value * 256 + Number(part);
  }
  return value;
}

function _toAddress(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

function _prefixOf(netmask: string): number | null {
  const value = _toNumber(netmask);
  if (value === null) return null;
  const bits = value.toString(2).padStart(32, "0");
  return /^1*0*$/.test(bits) ? bits.indexOf("0") === -1 ? 32 : bits.indexOf("0") : null;
}

/**
 * The network of `address`/`prefix` narrowed to at most a /24, with the addresses to probe
 * (a /31 or /32 is its one or two addresses; otherwise without network and broadcast).
 */
export function networkOf(address: string, prefix: number): ScanNetwork | null {
  const value = _toNumber(address);
  if (value === null || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return null;
  const narrowed = Math.max(prefix, MAX_SCAN_PREFIX);
  const size = 2 ** (32 - narrowed);
  const base = value - (value % size);
  const addresses: string[] = [];
  const [first, last] = size <= 2 ? [base, base + size - 1] : [base + 1, base + size - 2];
  for (let v = first; v <= last; v++) addresses.push(_toAddress(v));
  return { cidr: `${_toAddress(base)}/${narrowed}`, addresses };
}

/** Parses "a.b.c.d/n" (a test's explicit network). */
export function parseCidr(cidr: string): ScanNetwork | null {
  const match = /^([0-9.]+)\/(\d{1,2})$/.exec(cidr.trim());
  return match ? networkOf(match[1], Number(match[2])) : null;
}

/**
 * The networks to scan from this computer's interfaces: IPv4 only, not loopback
 * (127.0.0.0/8) nor link-local (169.254/16), each at most a /24, no network twice.
 */
export function scanNetworks(interfaces: readonly InterfaceLike[]): ScanNetwork[] {
  const networks = new Map<string, ScanNetwork>();
  for (const item of interfaces) {
    if (item.family !== "IPv4" || item.name === "lo") continue;
    if (/^127\./.test(item.address) || /^169\.254\./.test(item.address)) continue;
    const prefix = _prefixOf(item.netmask);
    if (prefix === null) continue;
    const network = networkOf(item.address, prefix);
    if (network && !networks.has(network.cidr)) networks.set(network.cidr, network);
  }
  return [...networks.values()].slice(0, MAX_NETWORKS);
}

/** The neighbour (ARP) table's complete IPv4 entries (Linux `/proc/net/arp`). */
export function parseArpTable(text: string): Set<string> {
  const found = new Set<string>();
  for (const line of text.split("\n").slice(1)) {
    const [address, , flags, mac] = line.trim().split(/\s+/);
    // Flags 0x2 = complete; an incomplete entry is someone we asked about, not someone there.
    if (address && mac && mac !== "00:00:00:00:00:00" && (Number(flags) & 2) === 2) {
      found.add(address);
    }
  }
  return found;
}

async function _neighbours(): Promise<Set<string>> {
  try {
    return parseArpTable(await Deno.readTextFile("/proc/net/arp"));
  } catch {
    return new Set();
  }
}

/** Whether `port` on `address` accepts a TCP connection within `timeoutMs`. */
export async function probePort(address: string, port: number, timeoutMs: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const connecting = Deno.connect({ hostname: address, port, transport: "tcp" });
  const timeout = new Promise<null>((resolve) =>
    timer = setTimeout(() => resolve(null), timeoutMs)
  );
  try {
    const conn = await Promise.race([connecting, timeout]);
    if (conn) {
      conn.close();
      return true;
    }
    // Too slow: close it should it connect later.
    connecting.then((late) => late.close(), () => {});
    return false;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** The OS resolver's name for `address` (`getent hosts`), if any, within a second. */
export async function reverseName(address: string): Promise<string | undefined> {
  try {
    const child = new Deno.Command("getent", {
      args: ["hosts", address],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const timer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch { /* ended */ }
    }, 1_000);
    const { code, stdout } = await child.output();
    clearTimeout(timer);
    if (code !== 0) return undefined;
    const name = new TextDecoder().decode(stdout).trim().split(/\s+/)[1];
    return name && /^[A-Za-z0-9._-]{1,253}$/.test(name) ? name : undefined;
  } catch {
    return undefined;
  }
}

/** A host found: LanHost, with the ports the scan was given (LAN_PORTS but in tests). */
export type ScannedHost = Omit<LanHost, "ports"> & { ports: number[] };

export interface ScanOptions {
  networks: ScanNetwork[];
  onHost: (host: ScannedHost) => void;
  signal: AbortSignal;
  /** Probes at once (default 24). */
  concurrency?: number;
  /** Per probe (default 500 ms). */
  timeoutMs?: number;
  ports?: readonly number[];
  neighbours?: () => Promise<Set<string>>;
  resolve?: (address: string) => Promise<string | undefined>;
}

/** Scans `networks`; returns how many addresses were looked at (fewer when stopped). */
export async function scanLan(options: ScanOptions): Promise<number> {
  const ports = options.ports ?? LAN_PORTS;
  const timeoutMs = options.timeoutMs ?? 500;
  const known = await (options.neighbours ?? _neighbours)();
  const resolve = options.resolve ?? reverseName;
  const queue = options.networks.flatMap((network) => network.addresses);
  let next = 0;
  let scanned = 0;
  const worker = async () => {
    while (next < queue.length && !options.signal.aborted) {
      const address = queue[next++];
      const open: number[] = [];
      for (const port of ports) {
        if (options.signal.aborted) return;
        if (await probePort(address, port, timeoutMs)) open.push(port);
      }
      scanned++;
      const neighbour = known.has(address);
      if (options.signal.aborted || (!neighbour && open.length === 0)) continue;
      const name = await resolve(address);
      if (options.signal.aborted) return;
      options.onHost({ address, ...(name && { name }), ports: open, neighbour });
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? 24, queue.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return scanned;
}
