// Over 400 lines on purpose: the viewer socket's whole vocabulary (state, input, offers, the mount's props) in one file both the island and the server type against.
/**
 * The technician's remote view: what its browser island and the server say to each other over
 * the viewer socket (JSON text frames), and what the server hands the island on its mount
 * element. Plain types and data, no zod: the island imports this file.
 */
import type { CapturePauseReason, QualityPreset, VideoCodec } from "./limits.ts";
import type { CursorState } from "./cursor.ts";
export type { ViewerInput } from "./viewer_schema.ts";

/** One entry of `RTCRtpReceiver.getCapabilities("video").codecs`, as far as it is read here. */
export interface CodecCapability {
  mimeType: string;
  sdpFmtpLine?: string;
}

/**
 * The codecs a browser decodes, by its receiver's capabilities, as the island reports them in
 * its `codecs` message. H.264 counts only as the relay offers it (modules/remote/relay.ts,
 * werift's useH264: `profile-level-id=42e01f;packetization-mode=1`): packetization-mode 1 and
 * a (constrained) baseline profile, profile_idc 0x42 — a browser matches the offer's profile
 * when it answers, and the agent's OpenH264 codes constrained baseline. Firefox without
 * Cisco's plugin lists no H.264 at all; a list without VP8 still says VP8 (every WebRTC browser
 * decodes it, and it is what an island that never reports means).
 */
export function decodableCodecs(capabilities: readonly CodecCapability[]): VideoCodec[] {
  const h264 = capabilities.some((codec) => {
    if (codec.mimeType.toLowerCase() !== "video/h264") return false;
    const fmtp = new Map(
      (codec.sdpFmtpLine ?? "").split(";").map((part) => {
        const [key, value = ""] = part.trim().split("=");
        return [key.toLowerCase(), value.trim().toLowerCase()] as const;
      }),
    );
    return fmtp.get("packetization-mode") === "1" &&
      /^42[0-9a-f]{4}$/.test(fmtp.get("profile-level-id") ?? "");
  });
  return h264 ? ["vp8", "h264"] : ["vp8"];
}

/** A capability's consent as the server knows it (the rules: modules/remote/consent.ts). */
export const CONSENT_STATES = ["off", "asked", "granted", "denied", "revoked"] as const;
export type ConsentState = typeof CONSENT_STATES[number];
/** Whether the customer's agent is there. */
export const AGENT_PRESENCES = ["absent", "connected", "reconnecting"] as const;
export type AgentPresence = typeof AGENT_PRESENCES[number];

/**
 * Which viewer socket of the session drives the keyboard and mouse: `here` this one,
 * `elsewhere` another window of the same technician, `other` another technician (a
 * collaborator, the lead), `none` nobody yet (the first to send input or switch control on
 * takes it). One controller per session; it moves only explicitly (modules/remote/control_owner.ts):
 * `take_control` from one's own other window or, for the lead, from anyone; `request_control`
 * asks the holder, who answers with `give_control` or `decline_control`.
 */
export const CONTROL_OWNERS = ["none", "here", "elsewhere", "other"] as const;
export type ControlOwner = typeof CONTROL_OWNERS[number];

/**
 * Whether a window may end remote control (`control` off): the window holding it, or any while
 * nobody holds it (asked of the customer, or its holder left). Never a window watching another's
 * control — not even the lead's, which takes control back first. The island offers "End remote
 * control" by this and the server refuses the rest (`control_end_not_holder`).
 */
export const mayEndControl = (owner: ControlOwner): boolean => owner === "here" || owner === "none";

/**
 * Why control did not move or end, sent as an `error`'s code and worded by the server
 * (`remote.refused.<code>`): the socket's 409 for control.
 */
export const CONTROL_REFUSALS = [
  "control_elsewhere",
  "control_taken",
  "control_monitor",
  "control_not_holder",
  "control_end_not_holder",
  "control_no_target",
] as const;
export type ControlRefusal = typeof CONTROL_REFUSALS[number];

/** Server → viewer. */
export type ViewerMessage =
  | {
    type: "state";
    agent: AgentPresence;
    view: ConsentState;
    control: ConsentState;
    clipboard: ConsentState;
    screen: { width: number; height: number } | null;
    /** The customer's keyboard layout as the agent named it, null when unknown. */
    keyboard: string | null;
    quality: QualityPreset;
    /** While `quality` is "auto": the preset it uses now and why (null otherwise). */
    auto: { preset: Exclude<QualityPreset, "auto">; reason: AutoReason } | null;
    /** The picture comes from the customer's browser (no support app): no control offered. */
    viewOnly?: boolean;
    /**
     * The customer's support app shares no screen (its hello's `noDesktop`: no desktop of its
     * user, a missing library, …): view, control, drawing, recording and screenshots are not
     * offered, and the server refuses them (`no_desktop`); chat, files, system info stay.
     */
    noDesktop?: boolean;
    /** The customer's screens (monitors) when there are several, else empty. */
    screens?: ScreenInfo[];
    /** The screen the picture shows (null: all of them). */
    currentScreen?: string | null;
    /** The picture is being recorded on the server now (modules/recording). */
    recording?: boolean;
    /**
     * The picture carries the laser's dot now (the support app keeps it in while the picture is
     * recorded, its hello's `laserRecorded`): the window marks where it points with a ring, as the
     * red dot itself comes with the picture. Otherwise the picture leaves it out and the window
     * paints the dot.
     */
    laserInPicture?: boolean;
    /** The technician's whiteboard is on (SPEC R4): the pointer draws, no input passes. */
    whiteboard?: boolean;
    /** The customer's support app can show drawings and the laser (not a browser share). */
    canDraw?: boolean;
    /** It can also take back this window's last line (an older app cannot: Undo is disabled). */
    canUndo?: boolean;
    /**
     * The support app cannot capture the screen now (its `capture`): the picture is the last one,
     * not live, until this is null again (absent from an older server: never paused).
     */
    capturePaused?: CapturePauseReason | null;
  }
  /**
   * A new WebRTC peer for this viewer (ICE gathered, no trickle). `id` names it: the island's
   * answer echoes it, so an answer to a peer replaced meanwhile is told apart and ignored.
   */
  | { type: "offer"; sdp: string; id: number }
  | { type: "clipboard"; text: string }
  /**
   * The customer's pointer (protocol/cursor.ts), while the agent sends it apart from the
   * picture: the island draws it over the picture and, while it controls, shows its shape as
   * its own pointer. `cursor: null`: the pointer is in the picture again (or no agent is there);
   * the island draws none. After a null or on joining, the first state carries the shape.
   */
  | { type: "cursor"; cursor: CursorState | null }
  | import("./viewer_laser.ts").OthersLaser
  | { type: "pong"; at: number }
  | {
    type: "control_owner";
    owner: ControlOwner;
    /** The holder's name (null: nobody holds control). */
    holder?: string | null;
    /** An open request: shown to the holder (to give or decline) and to the one who asked. */
    asking?: { userId: string; name: string } | null;
    /** The other technicians on the session's remote view (control can be given to them). */
    others?: { userId: string; name: string }[];
  }
  | { type: "error"; code: string; reason: string };

/** One of the customer's screens (monitors), as the agent listed it. */
export interface ScreenInfo {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
  primary: boolean;
}

/** Why Automatic uses its preset (modules/remote/quality.ts decides; `qualityReason…`). */
export const AUTO_REASONS = ["start", "clear", "probing", "loss", "delay", "poor"] as const;
export type AutoReason = typeof AUTO_REASONS[number];

/** The island's strings (locales `remote.ui.*`), sent along on the mount element. */
export const REMOTE_UI_KEYS = [
  "toolbar",
  "viewOnly",
  "askAgent",
  "agentAsked",
  "noScreen",
  "viewStart",
  "viewStop",
  "controlStart",
  "controlStop",
  "ctrlAltDel",
  "ctrlAltDelSent",
  "ctrlAltDelRefused",
  "qualitySet",
  "controlElsewhere",
  "takeControl",
  "controlTaken",
  "controlOther",
  "controlNobody",
  "requestControl",
  "controlRequested",
  "controlAsksYou",
  "giveControl",
  "giveControlTo",
  "declineControl",
  "takeBackControl",
  "monitorViewOnly",
  "layoutLocal",
  "layoutRemote",
  "layoutRemoteNamed",
  "layoutHint",
  "scale",
  "scaleFit",
  "scaleActual",
  "scaleStretch",
  "magnifier",
  "magnifierUnavailable",
  "fullscreen",
  "fullscreenFailed",
  "detach",
  "screenshot",
  "screenshotSaved",
  "screenshotFailed",
  "screenshotNoVideo",
  "refresh",
  "refreshHint",
  "more",
  "quality",
  "qualityAuto",
  "qualityHigh",
  "qualityNormal",
  "qualityLow",
  "qualityGreyscale",
  "qualityAutoUsing",
  "qualityReasonStart",
  "qualityReasonClear",
  "qualityReasonProbing",
  "qualityReasonLoss",
  "qualityReasonDelay",
  "qualityReasonPoor",
  "connecting",
  "connectionLost",
  "viewClosed",
  "error",
  "videoFailed",
  "pictureRetry",
  "agentAbsent",
  "agentReconnecting",
  "inviteHint",
  "inviteButton",
  "viewOff",
  "viewAsked",
  "viewGranted",
  "viewDenied",
  "viewRevoked",
  "controlAsked",
  "controlGranted",
  "controlFree",
  "controlDenied",
  "controlRevoked",
  "viewOffHint",
  "waitingForPicture",
  "screen",
  "screenPick",
  "screenAll",
  "screenPrimary",
  "keyboardHint",
  "viewOnlyHint",
  "stats",
  "statsFps",
  "statsBitrate",
  "statsLatency",
  "statsResolution",
  "statsCodec",
  "unitFps",
  "unitKbps",
  "unitMBps",
  "unitMs",
  "clipboard",
  "remoteClipboard",
  "copy",
  "clipboardCopied",
  "clipboardCopyFailed",
  "localClipboard",
  "localClipboardHint",
  "sendClipboard",
  "clipboardSent",
  "clipboardEmpty",
  "clipboardTooLong",
  "clipboardOff",
  "clipboardAsked",
  "clipboardGranted",
  "clipboardDenied",
  "clipboardRevoked",
  "clipboardAuto",
  "clipboardManual",
  "recordStart",
  "recordStop",
  "recording",
  "recordFailed",
  "whiteboard",
  "whiteboardStart",
  "whiteboardStop",
  "whiteboardNeedsApp",
  "whiteboardUnavailable",
  "whiteboardNeedsView",
  "whiteboardBarLabel",
  "laser",
  "laserHint",
  "penColor",
  "penWidth",
  "colorRed",
  "colorYellow",
  "colorGreen",
  "colorBlue",
  "colorBlack",
  "colorWhite",
  "widthThin",
  "widthMedium",
  "widthThick",
  "clearDrawings",
  "clearDrawingsHint",
  "undoDrawing",
  "undoDrawingHint",
  "undoUnavailable",
  "controlPaused",
  "drawingOnScreen",
  "captureSecureDesktop",
  "captureFailed",
  "captureResumes",
  "captureControlPaused",
  "captureViewPaused",
] as const;
export type RemoteUiKey = typeof REMOTE_UI_KEYS[number];

/**
 * The island's props. The server writes them as `data-*` attributes (`mountAttributes`), the
 * island reads them back (`readMount`). Permissions only grey buttons out: the server enforces
 * them on the socket.
 */
export interface RemoteViewMount {
  session: string;
  /** The viewer socket's path. */
  ws: string;
  /** Where screenshots (PNG) are posted. */
  screenshot: string;
  csrf: string;
  labels: Partial<Record<RemoteUiKey, string>>;
  canView: boolean;
  canControl: boolean;
  /** Clipboard sync rides on control. */
  canClipboard: boolean;
  /**
   * The technician's console option (SPEC Q7, on unless they switched it off): while control is
   * granted the clipboards follow each other by themselves — what the customer copies lands in
   * the technician's clipboard, and what the technician copied elsewhere goes to the customer's
   * when they come back to the view. Off: only the clipboard panel's Copy and Send move text.
   */
  clipboardSync?: boolean;
  canScreenshot: boolean;
  /** The view is the whole page (/console/sessions/<id>/remote), not a workspace panel. */
  detached: boolean;
  /** This technician leads the session: it may take control back from a collaborator. */
  lead?: boolean;
  /** A monitoring admin's extra viewer (modules/monitoring): picture only, never control. */
  monitor?: boolean;
  /**
   * Where Record / Stop recording post (`<record>/start`, `<record>/stop`): set only when the
   * group's policy lets this technician choose (modules/recording); empty offers no button.
   */
  record?: string;
}

const flag = (on: boolean) => (on ? "1" : "0");

/** The mount element's `data-*` attributes for these props. */
export function mountAttributes(props: RemoteViewMount): Record<`data-${string}`, string> {
  return {
    "data-session": props.session,
    "data-ws": props.ws,
    "data-screenshot": props.screenshot,
    "data-csrf": props.csrf,
    "data-labels": JSON.stringify(props.labels),
    "data-can-view": flag(props.canView),
    "data-can-control": flag(props.canControl),
    "data-can-clipboard": flag(props.canClipboard),
    "data-clipboard-sync": flag(props.clipboardSync !== false),
    "data-can-screenshot": flag(props.canScreenshot),
    "data-detached": flag(props.detached),
    "data-lead": flag(props.lead === true),
    "data-monitor": flag(props.monitor === true),
    "data-record": props.record ?? "",
  };
}

/**
 * The props back from an element's `dataset`. A missing permission attribute means allowed for
 * view and screenshots, refused for control; clipboard follows control unless stated.
 */
export function readMount(data: Readonly<Record<string, string | undefined>>): RemoteViewMount {
  const canControl = data.canControl === "1";
  return {
    session: data.session ?? "",
    ws: data.ws ?? "",
    screenshot: data.screenshot ?? "",
    csrf: data.csrf ?? "",
    labels: parseLabels(data.labels),
    canView: data.canView !== "0",
    canControl,
    canClipboard: data.canClipboard === undefined ? canControl : data.canClipboard === "1",
    clipboardSync: data.clipboardSync !== "0",
    canScreenshot: data.canScreenshot !== "0",
    detached: data.detached === "1",
    lead: data.lead === "1",
    monitor: data.monitor === "1",
    record: data.record ?? "",
  };
}

function parseLabels(json: string | undefined): RemoteViewMount["labels"] {
  try {
    const labels: unknown = JSON.parse(json || "{}");
    if (!labels || typeof labels !== "object" || Array.isArray(labels)) return {};
    return Object.fromEntries(
      Object.entries(labels).filter(([, value]) => typeof value === "string"),
    ) as RemoteViewMount["labels"];
  } catch {
    return {};
  }
}
