/**
 * The live hub's link to the other instances on the same PostgreSQL database: every event
 * published here is NOTIFYd on one channel with this instance's id; every notification from
 * another instance is handed to this hub's listeners, our own echo is dropped. LISTEN/NOTIFY
 * delivers only to whoever listens at that moment, so a LISTEN connection that died and came
 * back may have missed events: then every organisation with listeners hears `resync` ("look
 * again at everything") — the stores are the truth, a notice only says where to look.
 */
import type { LiveEvent } from "./event.ts";

/** The channel every instance LISTENs on. */
export const BUS_CHANNEL = "rescue_live";

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more (default build). */
export const MAX_BUS_PAYLOAD = 7999;

/** What the bus needs of the database (modules/db's `DatabaseNotifications`). */
export interface LiveBusNotifications {
  listen(
    channel: string,
    onMessage: (payload: string) => void,
    onListen?: () => void,
    onLost?: () => void,
  ): Promise<{ unlisten(): Promise<void> }>;
  notify(channel: string, payload: string): Promise<void>;
}

export interface LiveBusOptions {
  /** This instance's id (modules/cluster); notifications carrying it are our own echo. */
  instanceId: string;
  /** Where lost/back listeners, refused and failed notifications are reported. */
  warn?: (message: string, fields?: Record<string, unknown>) => void;
}

/** Counters for tests, metrics and the benchmark. */
export interface LiveBusStats {
  sent: number;
  received: number;
  refused: number;
  resyncs: number;
}

export class LiveBus {
  readonly stats: LiveBusStats = { sent: 0, received: 0, refused: 0, resyncs: 0 };
  #listens = 0;
  #unlisten?: () => Promise<void>;
  #stopped = false;
  #warn: NonNullable<LiveBusOptions["warn"]>;

  constructor(
    private notifications: LiveBusNotifications,
    private options: LiveBusOptions & {
      /** Hands an event to this hub's listeners only. */
      deliver: (event: LiveEvent) => void;
      /** The organisations that have listeners now. */
      organisations: () => Iterable<string>;
    },
  ) {
    this.#warn = options.warn ?? (() => {});
  }

  async start(): Promise<void> {
    const listening = await this.notifications.listen(
      BUS_CHANNEL,
      (payload) => this.#receive(payload),
      () => this.#listening(),
      () => this.#lost(),
    );
    this.#unlisten = () => listening.unlisten();
    if (this.#stopped) await this.#unlisten();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#unlisten?.().catch(() => {});
  }

  /** NOTIFYs the other instances; an event too big for NOTIFY stays local, with a warning. */
  send(event: LiveEvent): void {
    if (this.#stopped) return;
    const payload = JSON.stringify({ from: this.options.instanceId, event });
    const bytes = new TextEncoder().encode(payload).length;
    if (bytes > MAX_BUS_PAYLOAD) {
      this.stats.refused++;
      this.#warn("live event too big for the bus, delivered on this instance only", {
        kind: event.kind,
        orgId: event.orgId,
        bytes,
      });
      return;
    }
    this.stats.sent++;
    this.notifications.notify(BUS_CHANNEL, payload).catch((error) => {
      this.#warn("live bus notify failed", { kind: event.kind, error: String(error) });
    });
  }

  #receive(payload: string): void {
    if (this.#stopped) return;
    const envelope = decodeEnvelope(payload);
    if (!envelope) return this.#warn("live bus: malformed notification ignored", { payload });
    if (envelope.from === this.options.instanceId) return;
    this.stats.received++;
    // A fresh object per notification: per-event memos (the console's snapshot) load anew.
    this.options.deliver(envelope.event);
  }

  #lost(): void {
    if (this.#stopped) return;
    this.#warn("live bus: the LISTEN connection was lost; other instances' notices are missed");
  }

  /** Called on every LISTEN; all but the first mean the connection died and came back. */
  #listening(): void {
    if (this.#listens++ === 0 || this.#stopped) return;
    const orgs = [...this.options.organisations()];
    this.#warn("live bus: the LISTEN connection is back; listeners look again (resync)", {
      organisations: orgs.length,
    });
    this.stats.resyncs++;
    for (const orgId of orgs) this.options.deliver({ kind: "resync", orgId });
  }
}

/** A notification's `{from, event}`, or undefined when it is not one we could have sent. */
export function decodeEnvelope(payload: string): { from: string; event: LiveEvent } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (!_isRecord(value) || typeof value.from !== "string") return undefined;
  const event = value.event;
  if (!_isRecord(event) || typeof event.orgId !== "string") return undefined;
  const str = (key: string) => typeof event[key] === "string";
  const ok = event.kind === "session" || event.kind === "remote"
    ? str("sessionId")
    : event.kind === "log"
    ? str("sessionId") && typeof event.logId === "number"
    : event.kind === "presence"
    ? str("userId")
    : event.kind === "access"
    ? event.userId === undefined || str("userId")
    : event.kind === "deviceJoin"
    ? str("deviceRef") && str("sessionId") &&
      (event.sealedCredentials === undefined || str("sealedCredentials"))
    : event.kind === "resync";
  return ok ? { from: value.from, event: event as LiveEvent } : undefined;
}

function _isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
