/**
 * Several instances on one PostgreSQL database: each registers itself (`instances`), beats a
 * heartbeat and removes the instances that stopped; requests relayed between instances carry
 * a signature under the cluster secret. The live notices themselves travel through
 * PostgreSQL's LISTEN/NOTIFY (modules/live).
 */
export {
  beat,
  deregisterInstance,
  HEARTBEAT,
  type HeartbeatOptions,
  type InstanceIdentity,
  liveInstanceUrl,
  newInstance,
  registerInstance,
  startHeartbeat,
} from "./instance.ts";
export { clusterSecret, RELAY_HEADER, signRelay, verifyRelay } from "./signature.ts";
