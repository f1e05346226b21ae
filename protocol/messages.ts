/**
 * The agent protocol's messages, as zod schemas: one tagged union per direction. Every field
 * is bounded (lengths, ranges) and objects are strict, so a message either means exactly one
 * thing or is refused. Media (the screen) does not travel here: it goes over WebRTC.
 */
import { z } from "zod";

/** Capabilities the technician asks for and the customer grants or refuses, one by one. */
export const CAPABILITIES = ["view", "control", "clipboard", "files", "systemInfo"] as const;
export type Capability = typeof CAPABILITIES[number];

const id = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);
const text = (max: number) => z.string().max(max);
const coord = z.number().int().min(0).max(32_767);
const capability = z.enum(CAPABILITIES);
const nonce = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);
/** Colour quality presets (SPEC R2); "auto" adapts to measured bandwidth and round trip. */
export const QUALITY_PRESETS = ["auto", "high", "normal", "low", "greyscale"] as const;
export type QualityPreset = typeof QUALITY_PRESETS[number];

/** Agent → server. */
export const AgentMessageSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("hello"),
    /** The session token (from the link or the PIN exchange). */
    token: id,
    /** A stable identity for this device, kept by the agent across sessions. */
    deviceId: id,
    os: z.enum(["linux", "windows", "darwin"]),
    language: text(16),
    agentVersion: text(32),
    screen: z.strictObject({ width: coord, height: coord }),
    /** The customer's keyboard layout, e.g. "us", "de(nodeadkeys)" (the technician sees it). */
    keyboard: text(64).optional(),
  }),
  /** A technician's request, passed on to the customer with the agent's own nonce. */
  z.strictObject({ type: z.literal("ask"), capability, nonce }),
  /** What the agent now allows (after checking the customer's signed answer, or a revoke). */
  z.strictObject({ type: z.literal("consent"), capability, granted: z.boolean() }),
  z.strictObject({ type: z.literal("clipboard"), text: text(60_000) }),
  z.strictObject({ type: z.literal("pong"), at: z.number().int().nonnegative() }),
  z.strictObject({ type: z.literal("refused"), of: text(32), reason: text(200) }),
  z.strictObject({ type: z.literal("bye"), reason: text(200) }),
]);
export type AgentMessage = z.infer<typeof AgentMessageSchema>;

const buttons = z.enum(["left", "middle", "right"]);

/**
 * The technician's input, as the agent receives it — and as the technician's viewer sends it
 * to the server, which checks it against these same schemas before passing it on.
 */
export const INPUT_MESSAGES = [
  z.strictObject({ type: z.literal("ctrlAltDel") }),
  z.strictObject({ type: z.literal("pointer"), x: coord, y: coord }),
  z.strictObject({
    type: z.literal("button"),
    button: buttons,
    down: z.boolean(),
    x: coord,
    y: coord,
  }),
  z.strictObject({
    type: z.literal("wheel"),
    dx: z.number().int().min(-100).max(100),
    dy: z.number().int().min(-100).max(100),
  }),
  z.strictObject({
    type: z.literal("key"),
    /** An X11 keysym (also used as the portable key identity on other systems). */
    keysym: z.number().int().min(0).max(0x10ffff + 0x1000000),
    down: z.boolean(),
  }),
  z.strictObject({ type: z.literal("clipboard"), text: text(60_000) }),
] as const;
export type InputMessage = z.infer<typeof INPUT_MESSAGES[number]>;

/** Server → agent (what the technician asks for, relayed, and connection upkeep). */
export const ServerMessageSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("welcome"), sessionId: z.uuid(), heartbeatMs: z.number() }),
  z.strictObject({ type: z.literal("request"), capability }),
  z.strictObject({ type: z.literal("revoke"), capability }),
  /**
   * The customer's answer to an `ask`, signed on the customer's page with the key only the
   * agent and that page know (HMAC-SHA-256 over `consentMessage(...)`, base64url): the server
   * relays it and cannot forge it.
   */
  z.strictObject({
    type: z.literal("grant"),
    capability,
    nonce,
    granted: z.boolean(),
    signature: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  }),
  /** Send a keyframe now (a viewer joined or lost one). */
  z.strictObject({ type: z.literal("keyframe") }),
  /**
   * The encoder preset to use. `auto`: the technician chose Automatic and the server picked
   * `preset` from measurements; only then, or for a preset below "high", may the agent halve
   * frames during full-screen motion. An explicit "high" keeps full size.
   */
  z.strictObject({
    type: z.literal("quality"),
    preset: z.enum(QUALITY_PRESETS),
    auto: z.boolean().optional(),
  }),
  ...INPUT_MESSAGES,
  z.strictObject({ type: z.literal("ping"), at: z.number().int().nonnegative() }),
  z.strictObject({ type: z.literal("end"), reason: text(200) }),
  /** A frame the server refused (the connection stays up): its code and reason. */
  z.strictObject({ type: z.literal("error"), code: text(32), reason: text(300) }),
]);
export type ServerMessage = z.infer<typeof ServerMessageSchema>;

/** Which capability a server message needs the customer to have granted. */
export function capabilityNeeded(message: ServerMessage): Capability | null {
  switch (message.type) {
    case "pointer":
    case "button":
    case "wheel":
    case "key":
    case "ctrlAltDel":
    // Clipboard sync is part of remote control (SPEC R3): it starts and ends with it.
    case "clipboard":
      return "control";
    default:
      return null;
  }
}

/** The text a customer's consent answer signs: it binds capability, request and answer. */
export function consentMessage(capability: Capability, nonce: string, granted: boolean): string {
  return `rescue-consent/1|${capability}|${nonce}|${granted ? "grant" : "deny"}`;
}
