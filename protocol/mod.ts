/**
 * The agent protocol: the messages the server and the customer agent exchange over the
 * control connection (one package imported by both `modules/` and `agent/`). Screen media
 * travel over WebRTC, not here.
 *
 * - `AgentMessageSchema` / `ServerMessageSchema`: the tagged unions of each direction, every
 *   field bounded, objects strict. `capabilityNeeded` says which customer consent a server
 *   message needs — the agent refuses it without that consent, whatever the server says.
 * - `Channel`: numbered JSON frames (`{"v":1,"seq":n,"msg":{…}}`); `decode` refuses oversized,
 *   malformed, wrong-version, out-of-order and invalid frames with a code and a reason,
 *   never throws, and keeps its place, so the connection survives a bad frame.
 */
export { PROTOCOL_VERSION } from "./version.ts";
export {
  type AgentMessage,
  AgentMessageSchema,
  CAPABILITIES,
  type Capability,
  capabilityNeeded,
  type ServerMessage,
  ServerMessageSchema,
} from "./messages.ts";
export { Channel, type Decoded, type DecodeErrorCode, MAX_FRAME_BYTES } from "./codec.ts";
