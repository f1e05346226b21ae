/**
 * Remote view and control (SPEC R1–R3, R5): the agent's control connection (`/agent/ws`,
 * `protocol/`), the relay of its screen to technicians over WebRTC (werift, one peer per
 * viewer), the consent flow (asked here, answered only in the agent's own window, reported back
 * by the agent), and the mount point of the technician's viewer island. State is per running
 * app (`remoteHub(deps)`), on the agent's home instance (`agent_homes`, agent_home.ts): viewers
 * and the customer's remote stream that land on another instance are relayed there
 * (home_relay.ts) and moved when the home changes (home_watch.ts).
 */
export { agentRoutes, HEARTBEAT_MS, HELLO_TIMEOUT_MS } from "./agent_gateway.ts";
export { remoteRoutes } from "./routes.tsx";
export { agentDownloadRoutes, visitorOs } from "./download.tsx";
export { RemoteViewMount } from "./views.tsx";
export type { AgentPresence, ConsentState, RemoteSession } from "./hub.ts";
export { remoteHub, type RemoteStats } from "./remote_hub.ts";
