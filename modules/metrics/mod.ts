/**
 * Operations metrics (issue 12): `createMetrics(deps)` makes the app's Prometheus registry —
 * HTTP requests by route and status, counted by the `countRequests` middleware, and gauges
 * read from the live hub, the remote hub and the database at scrape time (live consoles,
 * waiting sessions, connected agents, viewers, frames and bytes relayed, outbox backlog,
 * deadline lag). `metricsRoutes` serves them at `GET /metrics`, to the METRICS_TOKEN holder
 * or, without one, to a scraper on the same machine only.
 */
export { type AppMetrics, createMetrics } from "./registry.ts";
export { metricsRoutes } from "./routes.ts";
