/**
 * The device socket of unattended access (`GET /agent/device`): an agent running as a
 * service (agent/unattended/) holds it open so technicians can reach the computer with
 * nobody present. It proves it holds the device key made on the device (Ed25519; the server
 * keeps only the public key): the server sends a fresh `challenge`, the agent signs
 * `deviceProofText(purpose, deviceId, nonce)` with its private key. When a technician
 * connects, the server sends `join` with a new session's token and the agent joins that
 * session over the usual `/agent/ws` like any support app. Same framing as messages.ts
 * (`Channel`). The hello may announce the device's X25519 sealing key (then the proof signs
 * it too): OS credentials typed at Connect come in the `join` sealed to it for that session
 * (sealed_credentials.ts), whichever server instance holds the socket.
 *
 * The customer's local command (`agent --unattended status|revoke`) uses the same proof
 * over HTTP: `POST /agent/device/challenge` `{deviceId}` → `{nonce}`, then
 * `POST /agent/device/status|revoke` `{deviceId, nonce, signature}`.
 */
import { z } from "zod";
import { LanAgentMessages, LanServerMessages } from "./lan.ts";

const id = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);
/** A server challenge: 32 random bytes, base64url. */
export const DeviceNonceSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/);
/** An Ed25519 signature (64 bytes), base64url. */
export const DeviceSignatureSchema = z.string().regex(/^[A-Za-z0-9_-]{86}$/);
/** An Ed25519 public key in SPKI form (44 bytes), base64url. */
export const DevicePublicKeySchema = z.string().regex(/^[A-Za-z0-9_-]{59}$/);

/** What a device proof is for: it cannot be replayed as a proof for something else. */
export const DEVICE_PURPOSES = ["connect", "status", "revoke"] as const;
export type DevicePurpose = typeof DEVICE_PURPOSES[number];

/**
 * The exact text the device signs (UTF-8) for one challenge. With `sealingKey` (the X25519
 * key its hello announced) the key is signed too: the server keeps a sealing key only from
 * the holder of the device key.
 */
export function deviceProofText(
  purpose: DevicePurpose,
  deviceId: string,
  nonce: string,
  sealingKey?: string,
): string {
  const text = `rescue-device-proof-v1\n${purpose}\n${deviceId}\n${nonce}`;
  return sealingKey === undefined ? text : `${text}\nsealing-key ${sealingKey}`;
}

/**
 * The login screens the service can type into (agent/unattended/greeter.ts): LightDM's GTK
 * greeter, GDM's on Xorg, SDDM's, and a generic profile for other X11 greeters.
 */
export const GREETER_IDS = ["lightdm_gtk", "gdm_xorg", "sddm", "generic"] as const;
export type GreeterId = typeof GREETER_IDS[number];

/**
 * What the service's sign-in on the login screen came to, told to the session's log:
 * `signing_in` (typing now), then `greeter_closed` (typed; the login screen went away — the
 * computer is signing in) or `greeter_stayed` (typed; it is still there — refused, or it
 * wants something else); or why nothing was typed: `no_display` (no X display), `wayland`
 * (a Wayland login screen), `no_greeter` (no login screen recognised — someone may be signed
 * in), `no_credentials` (none kept, none typed at Connect), `unreadable` (kept but they cannot
 * be opened here), `sealed_unreadable` (typed at Connect, but the sealed copy does not open
 * with this device's key for this session), `untypeable` (a character no key can type),
 * `not_allowed` (the customer left "control" unticked: typing is controlling), `not_listed`
 * (LightDM's greeter shows its list of users and the user is not in it), `failed` (typing
 * broke off).
 */
export const SIGN_IN_CODES = [
  "signing_in",
  "greeter_closed",
  "greeter_stayed",
  "no_display",
  "wayland",
  "no_greeter",
  "no_credentials",
  "unreadable",
  "sealed_unreadable",
  "untypeable",
  "not_allowed",
  "not_listed",
  "failed",
] as const;
export type SignInCode = typeof SIGN_IN_CODES[number];

/** OS credentials the technician typed at Connect ("asked at every connection"). */
export const ConnectCredentialsSchema = z.strictObject({
  user: z.string().min(1).max(64),
  password: z.string().min(1).max(512),
});

/**
 * A device's X25519 public key (32 bytes raw, base64url) that credentials typed at Connect
 * are sealed to (sealed_credentials.ts).
 */
export const SealingPublicKeySchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

/**
 * Credentials sealed to the device for one session (sealed_credentials.ts), base64url: a
 * 45-byte header, the sealed user and password (at most 2 + 192 + 1536 UTF-8 bytes: the
 * fields' own limits) and a 16-byte tag.
 */
export const SealedCredentialsSchema = z.string().regex(/^[A-Za-z0-9_-]+$/)
  .min(Math.ceil((45 + 2 + 2 + 16) * 4 / 3))
  .max(Math.ceil((45 + 2 + 192 + 1536 + 16) * 4 / 3));

/** Device → server on the device socket. */
export const DeviceAgentMessageSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("deviceHello"),
    deviceId: id,
    os: z.enum(["linux", "windows", "darwin"]),
    name: z.string().min(1).max(120),
    agentVersion: z.string().max(32),
    /** Its X25519 key for credentials sealed to it (agents before issue 19 send none). */
    sealingKey: SealingPublicKeySchema.optional(),
  }),
  /** The challenge signed with the device key (purpose "connect"). */
  z.strictObject({ type: z.literal("deviceProof"), signature: DeviceSignatureSchema }),
  /** A technician's session the service agent joined (or could not join: `error`). */
  z.strictObject({
    type: z.literal("joined"),
    sessionId: z.uuid(),
    error: z.string().max(200).optional(),
  }),
  z.strictObject({ type: z.literal("pong"), at: z.number().int().nonnegative() }),
  /** How signing in on the login screen went for that session (never the credentials). */
  z.strictObject({
    type: z.literal("signIn"),
    sessionId: z.uuid(),
    code: z.enum(SIGN_IN_CODES),
    greeter: z.enum(GREETER_IDS).optional(),
  }),
  /** LAN connect (lan.ts): hosts found, the end of a scan, a host's key, a push's outcome. */
  ...LanAgentMessages,
]);
export type DeviceAgentMessage = z.infer<typeof DeviceAgentMessageSchema>;

/** Server → device. */
export const DeviceServerMessageSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("challenge"), nonce: DeviceNonceSchema }),
  z.strictObject({ type: z.literal("deviceWelcome"), heartbeatMs: z.number().int().positive() }),
  /**
   * A technician connected: join this session (its token) with nobody present. When the
   * technician typed the customer's OS credentials at Connect (the "asked at every
   * connection" mode) they come for the login screen, used once, never stored:
   * `sealedCredentials`, sealed to the sealing key of the device's hello for this session
   * (sealed_credentials.ts); only to a device whose hello had no sealing key, and only from
   * the instance holding its socket, `credentials` in the clear as before.
   */
  z.strictObject({
    type: z.literal("join"),
    sessionId: z.uuid(),
    token: id,
    technician: z.string().max(200),
    credentials: ConnectCredentialsSchema.optional(),
    sealedCredentials: SealedCredentialsSchema.optional(),
  }),
  z.strictObject({ type: z.literal("ping"), at: z.number().int().nonnegative() }),
  /**
   * Refused or access withdrawn (`code`: unknown_device, removed, bad_proof, replaced…):
   * the socket closes after it; `removed` means unattended access is over for this device.
   */
  z.strictObject({
    type: z.literal("deviceRefused"),
    code: z.string().regex(/^[a-z_]{1,40}$/),
    reason: z.string().max(300),
  }),
  /** LAN connect (lan.ts): scan, stop, read a host's key; push with sealed credentials. */
  LanServerMessages[0],
  LanServerMessages[1],
  LanServerMessages[2],
  LanServerMessages[3].extend({ sealedCredentials: SealedCredentialsSchema }),
]);
export type DeviceServerMessage = z.infer<typeof DeviceServerMessageSchema>;

/** The body of `POST /agent/device/status|revoke`. */
export const DeviceCommandSchema = z.strictObject({
  deviceId: id,
  nonce: DeviceNonceSchema,
  signature: DeviceSignatureSchema,
});
export type DeviceCommand = z.infer<typeof DeviceCommandSchema>;

/** One grant as the customer's `--unattended status` shows it. */
export const DeviceGrantSummarySchema = z.strictObject({
  technician: z.string().max(200),
  window: z.string().max(300),
  timeZone: z.string().max(64),
  approvedAt: z.string().max(40),
});
export const DeviceStatusSchema = z.strictObject({
  device: z.string().max(120),
  removed: z.boolean(),
  grants: z.array(DeviceGrantSummarySchema).max(100),
  lastConnections: z.array(z.strictObject({
    at: z.string().max(40),
    technician: z.string().max(200),
    outcome: z.string().max(20),
  })).max(20),
});
export type DeviceStatus = z.infer<typeof DeviceStatusSchema>;
