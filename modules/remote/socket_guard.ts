/**
 * What keeps the agent socket from being a memory lever. Deno reads each WebSocket message
 * whole before JavaScript sees it (fastwebsockets, up to 64 MiB, no option to lower it), so
 * a frame can only be judged after it has been buffered. What we can bound is how many of
 * those buffers a stranger holds: few sockets may wait for hello (overall and per address;
 * the rest get 429 before the upgrade), each waits a few seconds at most, and the first
 * frame over its cap (small before hello, the protocol's own after) closes the socket with
 * 1009 and drops the buffer.
 */
import { MAX_FRAME_BYTES, MAX_MEDIA_FRAME_BYTES, MEDIA_HEADER_BYTES } from "../../protocol/mod.ts";
import type { AppDeps } from "../http/mod.ts";

/** A hello is well under 1 KiB; nothing larger is read from a socket nobody knows yet. */
export const PRE_HELLO_MAX_FRAME = 4 * 1024;
/**
 * After hello, text past the protocol's cap is still read and refused frame by frame (a
 * damaged frame costs the agent nothing else); only far past it is the socket closed.
 */
const MAX_TEXT_FRAME = 16 * MAX_FRAME_BYTES;
/** A media frame: the protocol's payload cap plus its header. */
const MAX_BINARY_FRAME = MAX_MEDIA_FRAME_BYTES + MEDIA_HEADER_BYTES;
/** How long a new agent socket may take to say hello. */
export const HELLO_TIMEOUT_MS = 5_000;

/** Close code for a message over the cap (RFC 6455 "message too big"). */
export const TOO_BIG = 1009;

export interface SocketGuardOptions {
  /** Sockets that have not said hello yet, all addresses together. */
  maxPending: number;
  /** … and from one client address. */
  maxPendingPerAddress: number;
  /** How long a new socket may take to say hello. */
  helloTimeoutMs: number;
}

/** One admitted, not yet hello'd socket; `release()` once it said hello or closed. */
export interface PendingTicket {
  release(): void;
}

export class AgentSocketGuard {
  // Each waiting socket can make Deno buffer up to 64 MiB before we see a byte: 16 of them
  // bound that to about 1 GiB from at least 8 addresses, 128 MiB from one. Agents say hello
  // within milliseconds; one refused retries after its back-off.
  readonly options: SocketGuardOptions = {
    maxPending: 16,
    maxPendingPerAddress: 2,
    helloTimeoutMs: HELLO_TIMEOUT_MS,
  };
  #total = 0;
  #byAddress = new Map<string, number>();

  /** A ticket for a new socket from `address`, or null when too many are waiting already. */
  admit(address: string): PendingTicket | null {
    const mine = this.#byAddress.get(address) ?? 0;
    if (this.#total >= this.options.maxPending) return null;
    if (mine >= this.options.maxPendingPerAddress) return null;
    this.#total++;
    this.#byAddress.set(address, mine + 1);
    let held = true;
    return {
      release: () => {
        if (!held) return;
        held = false;
        this.#total--;
        const left = (this.#byAddress.get(address) ?? 1) - 1;
        if (left > 0) this.#byAddress.set(address, left);
        else this.#byAddress.delete(address);
      },
    };
  }

  get pending(): number {
    return this.#total;
  }
}

const guards = new WeakMap<AppDeps, AgentSocketGuard>();

/** The app's one guard of agent sockets. */
export function agentSocketGuard(deps: AppDeps): AgentSocketGuard {
  let guard = guards.get(deps);
  if (!guard) guards.set(deps, guard = new AgentSocketGuard());
  return guard;
}

/**
 * Whether a message is over what the socket accepts in its state. A string's length in
 * UTF-16 units never exceeds its UTF-8 size, so a string over the cap by length is over it.
 */
export function overFrameCap(data: unknown, helloSaid: boolean): boolean {
  const size = frameSize(data);
  if (!helloSaid) return size > PRE_HELLO_MAX_FRAME;
  return size > (typeof data === "string" ? MAX_TEXT_FRAME : MAX_BINARY_FRAME);
}

/** A WebSocket message's size: bytes, or UTF-16 units for text (never more than its UTF-8). */
export function frameSize(data: unknown): number {
  if (typeof data === "string") return data.length;
  if (data instanceof Blob) return data.size;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength;
  return 0;
}
