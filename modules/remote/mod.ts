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
/**
 * Restarting the customer's computer (SPEC R8): the dialog and the restart, which the agent's
 * announcement turns into the Rebooting status (modules/support reboot.ts).
 */
export { rebootRoutes } from "./reboot_routes.tsx";
/**
 * Agent operations (docs/agent_ops.md): `callAgent` runs one on the session's agent; routes that
 * use it go through `relayToAgentHome`. Tool consent (files, systemInfo, scripts, reboot):
 * `toolConsent(deps, session)`, the routes `toolRoutes`; an unattended session's tools are
 * limited to the customer's approval, read through the source the app registers
 * (`approvedToolsFrom`, modules/unattended).
 */
export { agentOps, callAgent, type CallOptions, type OpOutcome } from "./agent_ops.ts";
export {
  approvedToolsFrom,
  type ApprovedToolsSource,
  isToolCapability,
  TOOL_CAPABILITIES,
  TOOL_PERMISSIONS,
  type ToolCapability,
  toolConsent,
  type ToolState,
} from "./tool_consent.ts";
export { relayToAgentHome, toolRoutes } from "./tool_routes.ts";
/**
 * Relaying a request to another instance: about a session to its agent's home (`relayToHome`,
 * the file manager's data leg) or to any live instance named by the caller (`relayTo`: Lens,
 * device information, the technician's presentation).
 */
export { type FindTarget, relayTo, relayToHome } from "./home_relay.ts";
/**
 * A viewer socket route for another module's seat (`viewerSocket(load)`): monitoring's
 * view-only extra viewer (modules/monitoring); `load` decides who may open it and how its
 * rights are read again while it lives.
 */
export { type ViewerSeat, viewerSocket } from "./viewer_socket.ts";
/** What a permission set lets a viewer do: "control" (includes the picture), "view" or "none". */
export { rightsOf } from "./viewer_rights.ts";
/**
 * The session's remote state (`remoteFor`) and the slot modules/recording fills: the app
 * registers its recorders (`recordersFrom`), each fed the frames the viewers get.
 */
export { remoteFor } from "./remote_for.ts";
/** Where a session's support app is attached now: here, on another live instance, or nowhere. */
export { type AgentHome, homeOf } from "./agent_home.ts";
export {
  type FrameRecorder,
  type RecordedRemote,
  recordersFrom,
  type RecorderSource,
} from "./recorder_slot.ts";
/**
 * The media path's two ends for a module that relays a browser's camera or screen itself
 * (modules/lens): `ScreenReceiver` takes a browser's WebRTC video (and Opus audio) as whole
 * frames, `ViewerPeer` sends frames (and audio packets) on to one technician's browser —
 * untranscoded either way.
 */
export { type ReceivedFrame, ScreenReceiver } from "./screen_receiver.ts";
export { ViewerPeer } from "./relay.ts";
