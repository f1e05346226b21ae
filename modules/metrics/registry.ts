/**
 * The Prometheus registry of one running app (tests run many apps side by side, so never
 * prom-client's global one). HTTP requests are counted as they pass (@hono/prometheus, by
 * route pattern — never the raw path, so the label set stays small — method and status);
 * everything else is read from the hubs and the database when Prometheus scrapes, so the
 * request and media paths pay nothing for it.
 */
import { prometheus } from "@hono/prometheus";
import type { MiddlewareHandler } from "hono";
import { count, inArray } from "drizzle-orm";
import { Counter, Gauge, Registry } from "prom-client";
import type { AppDeps, AppEnv } from "../http/mod.ts";
import { mailOutbox } from "../mail/mod.ts";
import { remoteHub, type RemoteStats } from "../remote/mod.ts";
import { smsOutbox } from "../sms/mod.ts";
import { queueGauges } from "../support/mod.ts";

export interface AppMetrics {
  registry: Registry;
  /** Counts every request by route pattern, method and status (mount it first). */
  countRequests: MiddlewareHandler<AppEnv>;
}

const PREFIX = "rescue_";
const BACKLOG_STATUSES = ["pending", "held"] as const;

export function createMetrics(deps: AppDeps): AppMetrics {
  const registry = new Registry();
  const { registerMetrics } = prometheus({ registry, prefix: PREFIX });

  const gauge = (name: string, help: string, read: () => number | Promise<number>) =>
    new Gauge({
      name: PREFIX + name,
      help,
      registers: [registry],
      async collect() {
        this.set(await read());
      },
    });
  // A total kept elsewhere (the remote hub): reported as a counter, as it is.
  const total = (name: string, help: string, key: keyof RemoteStats) =>
    new Counter({
      name: PREFIX + name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(remoteHub(deps).stats()[key]);
      },
    });

  const live = () => deps.live.listeners();
  gauge("live_consoles", "Technician consoles with their live stream open", () => live().console);
  gauge("live_customer_pages", "Customer pages with their live stream open", () => live().customer);
  gauge("waiting_sessions", "Sessions waiting for a technician", async () => {
    return (await queueGauges(deps.db, deps.clock.now())).waitingSessions;
  });
  gauge(
    "deadline_lag_seconds",
    "How long the oldest due session deadline has waited to fire (0: none overdue)",
    async () => (await queueGauges(deps.db, deps.clock.now())).deadlineLagSeconds,
  );
  gauge("remote_sessions", "Sessions with remote state in this instance", () => stats().sessions);
  gauge("agents_connected", "Agents connected to this instance", () => stats().agents);
  gauge("viewers", "Technician viewer sockets open on this instance", () => stats().viewers);
  total("frames_received_total", "Screen frames received from agents", "framesIn");
  total("frame_bytes_received_total", "Bytes of screen frames received from agents", "bytesIn");
  total("frames_relayed_total", "Screen frames sent on to viewers (per viewer)", "framesOut");
  total("frame_bytes_relayed_total", "Bytes of screen frames sent on to viewers", "bytesOut");
  // The live bus between instances (PostgreSQL only; absent on PGlite): notices sent to the
  // others, received from them, refused as too big for NOTIFY, and resyncs after a lost LISTEN.
  new Counter({
    name: PREFIX + "live_bus_notices_total",
    help: "Live notices over the bus between instances, by what became of them",
    labelNames: ["outcome"],
    registers: [registry],
    collect() {
      this.reset();
      const bus = deps.live.bus;
      if (!bus) return;
      for (const outcome of ["sent", "received", "refused"] as const) {
        this.inc({ outcome }, bus[outcome]);
      }
    },
  });
  new Counter({
    name: PREFIX + "live_bus_resyncs_total",
    help: "Times the bus's LISTEN connection came back and every console looked again",
    registers: [registry],
    collect() {
      this.reset();
      this.inc(deps.live.bus?.resyncs ?? 0);
    },
  });
  new Gauge({
    name: PREFIX + "outbox_backlog",
    help: "Messages not yet sent: pending (will be tried) or held (no gateway configured)",
    labelNames: ["outbox", "status"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [name, table] of [["mail", mailOutbox], ["sms", smsOutbox]] as const) {
        for (const status of BACKLOG_STATUSES) this.set({ outbox: name, status }, 0);
        const rows = await deps.db.select({ status: table.status, n: count() }).from(table)
          .where(inArray(table.status, [...BACKLOG_STATUSES])).groupBy(table.status);
        for (const row of rows) this.set({ outbox: name, status: row.status }, Number(row.n));
      }
    },
  });

  function stats() {
    return remoteHub(deps).stats();
  }
  return { registry, countRequests: registerMetrics as MiddlewareHandler<AppEnv> };
}
