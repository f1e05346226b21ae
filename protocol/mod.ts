/**
 * The agent protocol: the messages the server and the customer agent exchange over the
 * control connection (one package imported by both `modules/` and `agent/`). Screen media
 * travel as binary frames (`media.ts`) on the same connection; the server relays them to
 * browsers over WebRTC.
 *
 * - `AgentMessageSchema` / `ServerMessageSchema`: the tagged unions of each direction, every
 *   field bounded, objects strict. `capabilityNeeded` says which customer consent a server
 *   message needs — the agent refuses it without that consent, whatever the server says.
 * - `Channel`: numbered JSON frames (`{"v":1,"seq":n,"msg":{…}}`); `decode` refuses oversized,
 *   malformed, wrong-version, out-of-order and invalid frames with a code and a reason,
 *   never throws, and keeps its place, so the connection survives a bad frame.
 * - The technician's remote view (`viewer.ts`, `viewer_schema.ts`): the viewer socket's messages
 *   both ways and the browser island's mount props. `limits.ts` and `viewer.ts` are plain data
 *   and types — the island (`islands/remote_view/`) imports them directly, without zod.
 * - `key_codes.ts`: the physical keys a `key` message may name by position (`code`).
 */
export { PROTOCOL_VERSION } from "./version.ts";
export {
  type AgentMessage,
  AgentMessageSchema,
  CAPABILITIES,
  type Capability,
  capabilityNeeded,
  INPUT_MESSAGES,
  type InputMessage,
  NO_DESKTOP_REASONS,
  type NoDesktopReason,
  type ServerMessage,
  ServerMessageSchema,
  WHITEBOARD_MESSAGES,
  type WhiteboardMessage,
} from "./messages.ts";
export {
  CAPTURE_PAUSE_REASONS,
  type CapturePauseReason,
  CLIPBOARD_MAX_CHARS,
  isQualityPreset,
  QUALITY_PRESETS,
  type QualityPreset,
  STROKE_POINTS_MAX,
  VIDEO_CODECS,
  type VideoCodec,
  WHITEBOARD_COLORS,
  WHITEBOARD_WIDTHS,
  type WhiteboardColor,
} from "./limits.ts";
export { isKeyCode, KEY_CODES, type KeyCode } from "./key_codes.ts";
export {
  AGENT_PRESENCES,
  type AgentPresence,
  AUTO_REASONS,
  type AutoReason,
  type CodecCapability,
  CONSENT_STATES,
  type ConsentState,
  decodableCodecs,
  mountAttributes,
  readMount,
  REMOTE_UI_KEYS,
  type RemoteUiKey,
  type RemoteViewMount,
  type ScreenInfo,
  type ViewerMessage,
} from "./viewer.ts";
export { type ViewerInput, ViewerInputSchema } from "./viewer_schema.ts";
export {
  CURSOR_MAX_SIDE,
  cursorPixels,
  type CursorShape,
  cursorShapeProblem,
  type CursorState,
} from "./cursor.ts";
export {
  FILE_UI_KEYS,
  FILE_UI_PLURALS,
  fileManagerAttributes,
  type FileManagerMount,
  type FileUiKey,
} from "./file_manager_ui.ts";
export { Channel, type Decoded, type DecodeErrorCode, MAX_FRAME_BYTES } from "./codec.ts";
export {
  type Codec,
  type DecodedMedia,
  decodeMediaFrame,
  encodeMediaFrame,
  MAX_MEDIA_FRAME_BYTES,
  MEDIA_HEADER_BYTES,
  type MediaFrame,
} from "./media.ts";
export { DEFAULT_OP_TIMEOUT_MS, defineOp, type OpSpec } from "./op_spec.ts";
export {
  ALL_OPS,
  OP_BODY_MAX,
  OP_PART_MAX,
  type OpEvent,
  type OpKind,
  type OpRequest,
  type OpResult,
  opSpec,
} from "./ops.ts";
export { OpBodies, splitOpBody } from "./op_frames.ts";
/** Unattended access: the device socket and the customer's local command (device.ts). */
export {
  ConnectCredentialsSchema,
  DEVICE_PURPOSES,
  type DeviceAgentMessage,
  DeviceAgentMessageSchema,
  type DeviceCommand,
  DeviceCommandSchema,
  DeviceNonceSchema,
  deviceProofText,
  DevicePublicKeySchema,
  type DevicePurpose,
  type DeviceServerMessage,
  DeviceServerMessageSchema,
  DeviceSignatureSchema,
  type DeviceStatus,
  DeviceStatusSchema,
  GREETER_IDS,
  type GreeterId,
  SealedCredentialsSchema,
  SealingPublicKeySchema,
  SIGN_IN_CODES,
  type SignInCode,
} from "./device.ts";
/** Credentials typed at Connect, sealed to the device's X25519 key for one session. */
export {
  importSealingPublicKey,
  openSealedCredentials,
  type PlainCredentials,
  SEAL_INFO,
  sealCredentials,
  SealError,
} from "./sealed_credentials.ts";
export { base64url, fromBase64url } from "./base64url.ts";
/** LAN connect (SPEC C9): scan and push messages on the device socket (lan.ts). */
export {
  HostKeyFingerprintSchema,
  Ipv4Schema,
  LAN_KINDS,
  LAN_PORT_KIND,
  LAN_PORTS,
  LAN_PUSH_ERRORS,
  LAN_PUSH_METHODS,
  LAN_SCAN_ERRORS,
  type LanHost,
  LanHostSchema,
  type LanKind,
  type LanPort,
  type LanPushError,
} from "./lan.ts";
