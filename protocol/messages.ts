// Over 400 lines on purpose: every message of the agent protocol in one schema per direction, so both ends decode by one list (the agent and the server import it).
/**
 * The agent protocol's messages, as zod schemas: one tagged union per direction. Every field
 * is bounded (lengths, ranges) and objects are strict, so a message either means exactly one
 * thing or is refused. Media (the screen) does not travel here: it goes over WebRTC.
 */
import { z } from "zod";
import {
  CAPTURE_PAUSE_REASONS,
  CLIPBOARD_MAX_CHARS,
  COORD_MAX,
  KEYSYM_MAX,
  QUALITY_PRESETS,
  SCREEN_ID_PATTERN,
  SCREENS_MAX,
  STROKE_POINTS_MAX,
  VIDEO_CODECS,
  WHEEL_MAX,
  WHITEBOARD_COLORS,
  WHITEBOARD_WIDTH_MAX,
} from "./limits.ts";
import { KEY_CODES } from "./key_codes.ts";
import { CURSOR_MAX_SIDE, CURSOR_RGBA_MAX_CHARS, cursorShapeProblem } from "./cursor.ts";

/** Capabilities the technician asks for and the customer grants or refuses, one by one. */
export const CAPABILITIES = [
  "view",
  "control",
  "clipboard",
  "files",
  "systemInfo",
  "scripts",
  "reboot",
] as const;
export type Capability = typeof CAPABILITIES[number];

const id = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);
const text = (max: number) => z.string().max(max);
const coord = z.number().int().min(0).max(COORD_MAX);
/** One of the customer's screens (monitors), or null for all of them together. */
const screenId = z.string().regex(SCREEN_ID_PATTERN);
const capability = z.enum(CAPABILITIES);
/** An agent operation's id (docs/agent_ops.md), chosen by the server. */
const opId = z.string().regex(/^[A-Za-z0-9_-]{8,40}$/);
/** A piece of an operation's JSON body (request, result or event), at most 48 Ki units. */
const opJson = z.string().max(48 * 1024);

/**
 * Why an agent shares no screen: no desktop of its user (found by `--find-display`), that
 * user's desktop is Wayland, the computer's screen is Wayland's (the unattended service: only
 * Xwayland runs), no X display at all, the display would not open, a library is missing, the
 * Windows package has no codecs (vpx.dll, yuv.dll), or something else (its words in `detail`).
 */
export const NO_DESKTOP_REASONS = [
  "noUserDisplay",
  "waylandOnly",
  "waylandScreen",
  "noDisplay",
  "displayFailed",
  "library",
  /** The Windows package's video codecs (vpx.dll, yuv.dll) are absent; `detail` names them. */
  "codecs",
  "other",
] as const;
export type NoDesktopReason = typeof NO_DESKTOP_REASONS[number];

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
    /**
     * The codecs this agent can encode the screen in (H.264 only where OpenH264 loads). Absent
     * (an older agent): VP8 only. The server picks one with `codec`; the agent starts in VP8.
     */
    codecs: z.array(z.enum(VIDEO_CODECS)).max(VIDEO_CODECS.length).optional(),
    /**
     * This agent can leave the pointer out of its frames and send it as `cursor` messages
     * (cursor.ts) when the server asks (`cursorMode`). Absent (an older agent): always drawn in.
     */
    separateCursor: z.boolean().optional(),
    /**
     * This agent's window says when the server records the picture (`recording`). Absent (an
     * older agent): the server sends it no `recording`, which its decoder would refuse.
     */
    recordingNotice: z.boolean().optional(),
    /**
     * This agent's question for view says beforehand when the view will or may be recorded
     * (`request`'s `recording`). Absent (an older agent): the server sends no `recording` in a
     * request, which its strict decoder would refuse.
     */
    recordingAsked: z.boolean().optional(),
    /**
     * This agent's window says when a technician offers to show their own screen, and where the
     * customer sees it (`presenting`). Absent (an older agent): the server sends no `presenting`.
     */
    presentingNotice: z.boolean().optional(),
    /**
     * This agent can show the technician's whiteboard and laser pointer on the customer's
     * screen (`WHITEBOARD_MESSAGES`). Absent (an older agent, a desktop without an overlay):
     * the server sends none, and the technician's toolbar says drawing is not available.
     */
    whiteboard: z.boolean().optional(),
    /**
     * This agent takes back one technician's last line (`whiteboardUndo`) and keeps who drew each
     * line (`by` in `stroke` and `whiteboardUndo`). Absent (an older agent): the server sends it
     * neither — its strict decoder would refuse them — and the technician's Undo is disabled.
     */
    whiteboardUndo: z.boolean().optional(),
    /**
     * This agent keeps the laser's dot in its frames while the server records them (`recording`
     * on), so a recording shows where the technician pointed; otherwise its frames leave the dot
     * out (the technician's window paints its own). Absent (an older agent): out, recorded or not.
     */
    laserRecorded: z.boolean().optional(),
    /**
     * This agent takes a key's physical position (`key`'s `code`) and presses that key of the
     * customer's keyboard. Absent (an older agent): the server leaves `code` out — its strict
     * decoder would refuse the whole key — and the agent types the keysym.
     */
    keyCodes: z.boolean().optional(),
    /**
     * Why this agent shares no screen (absent: it shares one, or an older agent). `user`: the
     * account it runs as (a support app pushed over SSH finds that user's desktop or none);
     * `detail`: the system's own words (a display, a library). The technician's workspace,
     * queue and the session's log say it in words.
     */
    noDesktop: z.strictObject({
      reason: z.enum(NO_DESKTOP_REASONS),
      user: text(64).optional(),
      detail: text(200).optional(),
    }).optional(),
  }),
  /**
   * A technician's request is now in front of the customer, in the agent's own window (the
   * server only learns that a question is open; the answer never passes through it).
   */
  z.strictObject({ type: z.literal("ask"), capability }),
  /** What the agent now allows (after the customer answered in the agent's window, or a revoke). */
  z.strictObject({ type: z.literal("consent"), capability, granted: z.boolean() }),
  z.strictObject({ type: z.literal("clipboard"), text: text(CLIPBOARD_MAX_CHARS) }),
  /**
   * The customer's screens (monitors) and which one the picture shows (null: all of them, the
   * whole desktop). Sent on attach, when the layout changes and after a `screen` choice.
   */
  z.strictObject({
    type: z.literal("screens"),
    list: z.array(z.strictObject({
      id: screenId,
      x: coord,
      y: coord,
      width: coord.min(1),
      height: coord.min(1),
      primary: z.boolean(),
    })).max(SCREENS_MAX),
    current: screenId.nullable(),
  }),
  /**
   * The customer's pointer while `cursorMode` asks for it separately (cursor.ts): its hot spot on
   * the screen the picture shows, and its image when the shape changed.
   */
  z.strictObject({
    type: z.literal("cursor"),
    x: coord,
    y: coord,
    visible: z.boolean(),
    shape: z.strictObject({
      width: z.number().int().min(1).max(CURSOR_MAX_SIDE),
      height: z.number().int().min(1).max(CURSOR_MAX_SIDE),
      hotX: z.number().int().min(0).max(CURSOR_MAX_SIDE - 1),
      hotY: z.number().int().min(0).max(CURSOR_MAX_SIDE - 1),
      rgba: z.string().max(CURSOR_RGBA_MAX_CHARS),
    }).superRefine((shape, ctx) => {
      const problem = cursorShapeProblem(shape);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }).optional(),
  }),
  z.strictObject({ type: z.literal("pong"), at: z.number().int().nonnegative() }),
  /**
   * The screen cannot be captured (`paused`, with why), or can again: sent once at each change,
   * and again to a new connection while it lasts. The picture the technicians see meanwhile is
   * the last one, not a live one; the server tells them and logs both changes. An older agent
   * never sends it; an older server refuses it with an `error` (the connection stays).
   */
  z.strictObject({
    type: z.literal("capture"),
    paused: z.boolean(),
    reason: z.enum(CAPTURE_PAUSE_REASONS).optional(),
    detail: text(200).optional(),
  }),
  /** The customer turned the technician's whiteboard off in the agent's window (drawings gone). */
  z.strictObject({ type: z.literal("whiteboard"), on: z.literal(false) }),
  z.strictObject({ type: z.literal("refused"), of: text(32), reason: text(200) }),
  z.strictObject({ type: z.literal("bye"), reason: text(200) }),
  /** Agent operations (docs/agent_ops.md): an event, a piece of the result, the outcome. */
  z.strictObject({ type: z.literal("opEvent"), id: opId, json: opJson }),
  z.strictObject({ type: z.literal("opPart"), id: opId, json: opJson }),
  z.strictObject({ type: z.literal("opDone"), id: opId, json: opJson }),
  z.strictObject({
    type: z.literal("opFailed"),
    id: opId,
    code: z.string().regex(/^[a-z0-9_]{1,40}$/),
    reason: text(500),
  }),
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
    dx: z.number().int().min(-WHEEL_MAX).max(WHEEL_MAX),
    dy: z.number().int().min(-WHEEL_MAX).max(WHEEL_MAX),
  }),
  z.strictObject({
    type: z.literal("key"),
    /** An X11 keysym (also used as the portable key identity on other systems). */
    keysym: z.number().int().min(0).max(KEYSYM_MAX),
    down: z.boolean(),
    /**
     * The physical key (`KeyboardEvent.code`, one of `KEY_CODES`) when the technician types in
     * the customer's layout: the agent presses that position of the customer's keyboard, as it
     * is (the modifiers held decide the level), and `keysym` is only the fallback. Only to an
     * agent whose hello offered `keyCodes`.
     */
    code: z.enum(KEY_CODES, {
      error: ({ input }) =>
        "code must be a physical key's KeyboardEvent.code such as KeyA, Digit1 or " +
        `IntlBackslash, not ${
          typeof input === "string" ? JSON.stringify(input.slice(0, 40)) : typeof input
        }`,
    }).optional(),
  }),
  z.strictObject({ type: z.literal("clipboard"), text: text(CLIPBOARD_MAX_CHARS) }),
] as const;
export type InputMessage = z.infer<typeof INPUT_MESSAGES[number]>;

/**
 * Which technician's window drew a line, as the server numbers them in a session (to the agent
 * only; what a viewer sends here is replaced): Undo takes back that window's last line.
 */
const pen = z.number().int().min(1).max(0x7fffffff);

const colorName = z.enum(
  Object.keys(WHITEBOARD_COLORS) as [
    keyof typeof WHITEBOARD_COLORS,
    ...(keyof typeof WHITEBOARD_COLORS)[],
  ],
);

/**
 * The whiteboard and laser pointer (SPEC R4), as the agent receives them — and as the
 * technician's viewer sends them, checked by the server against these same schemas. Points are
 * in the picture's pixels (the chosen screen's, like `pointer`). Each needs view granted.
 */
export const WHITEBOARD_MESSAGES = [
  /** The whiteboard on (the agent shows an empty overlay) or off (the drawings go). */
  z.strictObject({ type: z.literal("whiteboard"), on: z.boolean() }),
  /**
   * A piece of a line: `points` are x, y pairs (one pair: a dot). A longer line comes as
   * several pieces, each starting at the last one's end.
   */
  z.strictObject({
    type: z.literal("stroke"),
    color: colorName,
    width: z.number().int().min(1).max(WHITEBOARD_WIDTH_MAX),
    points: z.array(coord).min(2).max(STROKE_POINTS_MAX * 2).refine(
      (points) => points.length % 2 === 0,
      "points come in x, y pairs",
    ),
    by: pen.optional(),
  }),
  /** Erases every drawing; the whiteboard stays on. */
  z.strictObject({ type: z.literal("whiteboardClear") }),
  /**
   * Erases the last line `by` drew (without `by`: the last line anyone drew): its pieces are those
   * that each started at the last one's end, in the same pen, from the same window. The whiteboard
   * stays on. Only to an agent whose hello offered `whiteboardUndo`.
   */
  z.strictObject({ type: z.literal("whiteboardUndo"), by: pen.optional() }),
  /** The laser pointer's red dot at (x, y), or hidden (null). Needs no whiteboard. */
  z.strictObject({
    type: z.literal("laser"),
    at: z.strictObject({ x: coord, y: coord }).nullable(),
  }),
] as const;
export type WhiteboardMessage = z.infer<typeof WHITEBOARD_MESSAGES[number]>;

/** Server → agent (what the technician asks for, relayed, and connection upkeep). */
export const ServerMessageSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("welcome"), sessionId: z.uuid(), heartbeatMs: z.number() }),
  /**
   * Opens a question in the agent's window. `recording` (only to an agent whose hello offered
   * `recordingAsked`, and only while view is not yet allowed): what the session's group will do
   * with the view — `always` records it, `optional` lets the technician record it (the window
   * then says so while it records). Absent: nothing will be recorded.
   */
  z.strictObject({
    type: z.literal("request"),
    capability,
    recording: z.enum(["always", "optional"]).optional(),
  }),
  /**
   * Takes a capability back. There is deliberately no message that grants: only the customer
   * grants, in the agent's own window (agent/consent_page.ts), never through the server.
   */
  z.strictObject({ type: z.literal("revoke"), capability }),
  /** Send a keyframe now (a viewer joined or lost one). */
  z.strictObject({ type: z.literal("keyframe") }),
  /**
   * Encode the screen in this codec from the next frame (a keyframe): one of the hello's
   * `codecs`, chosen so every viewer's browser decodes it (modules/remote/codec_choice.ts).
   */
  z.strictObject({ type: z.literal("codec"), codec: z.enum(VIDEO_CODECS) }),
  /**
   * `separate`: leave the pointer out of the frames and send it as `cursor` messages (every
   * viewer draws it itself); false: draw it into the frames again. Only to an agent whose hello
   * offered `separateCursor`; a new connection starts drawn in.
   */
  z.strictObject({ type: z.literal("cursorMode"), separate: z.boolean() }),
  /**
   * The server records the picture now (`on`), or no longer: the agent's window tells the
   * customer (modules/recording). Only to an agent whose hello offered `recordingNotice`.
   */
  z.strictObject({ type: z.literal("recording"), on: z.boolean() }),
  /**
   * A technician offers or shows their own screen to the customer (`technician`: their name), or
   * no longer (null). It is shown on the customer's page in the browser, not by the agent: the
   * agent's window says so and links there. Only to an agent whose hello offered
   * `presentingNotice`.
   */
  z.strictObject({ type: z.literal("presenting"), technician: text(200).nullable() }),
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
  /**
   * Show only this screen (monitor) of the customer's, or all of them (null). Pointer
   * positions in input messages are then relative to that screen's top-left corner.
   */
  z.strictObject({ type: z.literal("screen"), id: screenId.nullable() }),
  ...INPUT_MESSAGES,
  ...WHITEBOARD_MESSAGES,
  z.strictObject({ type: z.literal("ping"), at: z.number().int().nonnegative() }),
  /** An agent operation (docs/agent_ops.md): pieces of the request, then the last piece. */
  z.strictObject({ type: z.literal("opPart"), id: opId, json: opJson }),
  z.strictObject({ type: z.literal("op"), id: opId, json: opJson }),
  z.strictObject({ type: z.literal("opCancel"), id: opId }),
  /** The session is over (ended, or its link is no longer valid): the agent stops and exits. */
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
    // Drawings and the laser are on the customer's screen: only while it is shared.
    case "whiteboard":
    case "stroke":
    case "whiteboardClear":
    case "whiteboardUndo":
    case "laser":
      return "view";
    default:
      return null;
  }
}
