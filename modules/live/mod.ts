/**
 * Live updates: `LiveHub` fans out "this session / log line / presence changed" notices
 * to every open console and customer page of the organisation. One hub per app (it travels
 * in `AppDeps.live`), so tests can run many apps side by side. `hub.connectBus(notifications,
 * { instanceId })` links it to the hubs of the other instances on the same PostgreSQL
 * database (LISTEN/NOTIFY on channel `rescue_live`); after a lost LISTEN connection every
 * organisation with listeners hears `resync`.
 */
export { type LiveEvent, LiveHub, type LiveListener, type LiveListenerKind } from "./hub.ts";
export {
  BUS_CHANNEL,
  type LiveBusNotifications,
  type LiveBusOptions,
  type LiveBusStats,
  MAX_BUS_PAYLOAD,
} from "./bus.ts";
