/**
 * The island's state and the rules over it that need no browser: what a server `state`
 * message changes, the consent line, the placeholder over the picture, and the strings.
 */
import {
  type CapturePauseReason,
  type QualityPreset,
  WHITEBOARD_WIDTHS,
  type WhiteboardColor,
} from "../../protocol/limits.ts";
import type {
  AgentPresence,
  ConsentState,
  ControlOwner,
  RemoteUiKey,
  RemoteViewMount,
  ScreenInfo,
  ViewerMessage,
} from "../../protocol/viewer.ts";
import type { ScaleMode, Size } from "./geometry.ts";
import type { KeyLayout } from "./keysyms.ts";
import type { ViewStats } from "./stats.ts";

export interface Status {
  text: string;
  error: boolean;
  /** About the socket: cleared when it is back. */
  connection?: boolean;
  /** performance.now() when it was shown. */
  at?: number;
}

/** How long an error holds the status line against an automatic notice. */
export const ERROR_HOLDS_MS = 15_000;
/** How long a success ("Quality: High") holds it: long enough to be read. */
export const SUCCESS_HOLDS_MS = 3_000;

/**
 * Whether a notice the island makes on its own (the picture watch's "trying again") may replace
 * the status line now: not an error shown less than ERROR_HOLDS_MS ago — a refusal the technician
 * has not had time to read ("Ctrl+Alt+Del was not taken") must not vanish behind a retry — and
 * not a success shown less than SUCCESS_HOLDS_MS ago (a quality just chosen flashed away behind
 * a retry that came the same second; the retry says so again at its next try). A notice from
 * the technician's own action (a quality chosen, a screenshot saved) always replaces.
 */
export function automaticNoticeMayReplace(current: Status | null, now: number): boolean {
  if (!current || current.at === undefined) return true;
  return now - current.at >= (current.error ? ERROR_HOLDS_MS : SUCCESS_HOLDS_MS);
}

export interface ViewState {
  connected: boolean;
  /** null: not known yet (no state message since the socket opened). */
  agent: AgentPresence | null;
  view: ConsentState;
  control: ConsentState;
  clipboard: ConsentState;
  screen: Size | null;
  /** The customer's layout as the agent named it. */
  keyboard: string | null;
  /** The picture comes from the customer's browser: no control is offered. */
  viewOnly: boolean;
  /** The customer's support app shares no screen (the server's word): nothing to view here. */
  noDesktop: boolean;
  /** The server records the picture now (modules/recording). */
  recording: boolean;
  /** The technician's whiteboard is on (the server's word): the pointer draws, nothing controls. */
  whiteboard: boolean;
  /** The customer's support app can show drawings and the laser (not a browser share). */
  canDraw: boolean;
  /** It can also take back one line (an older app cannot: Undo is disabled, with why). */
  canUndo: boolean;
  /** The picture carries the laser's dot now (recorded): this window marks it with a ring. */
  laserInPicture: boolean;
  /** The support app cannot capture the screen now, and why (null: it can; the server's word). */
  capturePaused: CapturePauseReason | null;
  /** This window shows its pointer as the laser's red dot on the customer's screen. */
  laser: boolean;
  /** The whiteboard's pen in this window. */
  pen: { color: WhiteboardColor; width: number };
  /** The customer's screens (monitors) when there are several, and the one shown (null: all). */
  screens: ScreenInfo[];
  currentScreen: string | null;
  /** The scale mode chosen per screen (`*`: all screens), restored when switching back. */
  screenModes: Record<string, ScaleMode>;
  quality: QualityPreset;
  /** While `quality` is "auto": the preset it uses and why (the server's `state`). */
  auto: Extract<ViewerMessage, { type: "state" }>["auto"];
  /** Which viewer drives: this one, another window of ours, another technician (control_owner.tsx). */
  controlOwner: ControlOwner;
  /** The name of the technician holding control (null: nobody). */
  controlHolder: string | null;
  /** An open request for control (to us as holder, or ours). */
  controlAsking: { userId: string; name: string } | null;
  /** The other technicians on this remote view: control can be given to them. */
  controlOthers: { userId: string; name: string }[];
  status: Status | null;
  /** The server closed this view (4403: the session ended, is on hold or elsewhere, or the
   * right to it went); until a socket opens again. */
  refused: boolean;
  /** This viewer asked for the picture (view or control on). */
  watching: boolean;
  mode: ScaleMode;
  layout: KeyLayout;
  magnifier: boolean;
  fullscreen: boolean;
  hasVideo: boolean;
  displayScale: number;
  remoteClip: string;
  /** The clipboards follow each other by themselves (the console option; the panel's box). */
  clipSync: boolean;
  stats: ViewStats | null;
  busyShot: boolean;
}

export const INITIAL_STATE: ViewState = {
  connected: false,
  agent: null,
  view: "off",
  control: "off",
  clipboard: "off",
  screen: null,
  keyboard: null,
  viewOnly: false,
  noDesktop: false,
  recording: false,
  whiteboard: false,
  canDraw: false,
  canUndo: false,
  laserInPicture: false,
  capturePaused: null,
  laser: false,
  pen: { color: "red", width: WHITEBOARD_WIDTHS[1] },
  screens: [],
  currentScreen: null,
  screenModes: {},
  quality: "auto",
  auto: null,
  controlOwner: "none",
  controlHolder: null,
  controlAsking: null,
  controlOthers: [],
  status: null,
  refused: false,
  watching: false,
  mode: "fit",
  layout: "local",
  magnifier: false,
  fullscreen: false,
  hasVideo: false,
  displayScale: 1,
  remoteClip: "",
  clipSync: true,
  stats: null,
  busyShot: false,
};

/** The key of a screen's remembered view options (`*`: all screens together). */
export const screenKey = (id: string | null) => id ?? "*";

/** Asked or granted: the technician's request stands. */
export const isActive = (consent: ConsentState) => consent === "asked" || consent === "granted";

/** Whether this island watches (its own choice; the consent is the session's). */
export const viewActive = (s: ViewState) => s.watching && isActive(s.view);

/**
 * The screen is shared but cannot be captured now (Windows' secure desktop, a refused grab): the
 * picture shown is the last one, not live, and nothing controls until it is live again.
 */
export const capturePaused = (s: ViewState) =>
  s.capturePaused !== null && s.view === "granted" && s.connected && s.agent === "connected";

/**
 * Control is granted, the socket is up and this window may drive (nobody else holds it): input
 * may go out. Not while the picture is paused: clicks and keys aimed at a picture that is not
 * live would land on whatever the screen shows now (on Windows' secure desktop, nowhere).
 */
export const controlling = (s: ViewState) =>
  s.control === "granted" && s.connected && !s.whiteboard && !capturePaused(s) &&
  (s.controlOwner === "here" || s.controlOwner === "none");

/**
 * The pointer draws on the customer's screen (SPEC R4): the whiteboard is on and the screen
 * shared. Then nothing controls (`controlling` is false), here or in any window.
 */
export const drawing = (s: ViewState) => s.whiteboard && s.view === "granted" && s.connected;

/** The laser's dot follows this window's pointer over the picture. */
export const pointing = (s: ViewState) =>
  s.laser && s.canDraw && s.view === "granted" && s.connected;

export function capitalize<T extends string>(word: T): Capitalize<T> {
  return (word.charAt(0).toUpperCase() + word.slice(1)) as Capitalize<T>;
}

type StateMessage = Extract<ViewerMessage, { type: "state" }>;

/**
 * What a server `state` message changes. `watch`: the session's view is on (granted to another
 * window of ours, or from before a reconnect) and this island should watch too — unless the
 * technician stopped it here; no new question for the customer. The caller sends `view: on` and
 * sets `watching` when that went out.
 */
export function applyServerState(
  s: ViewState,
  message: StateMessage,
  opts: { stopped: boolean; canView: boolean },
): { next: Partial<ViewState>; closePeer: boolean; watch: boolean } {
  const next: Partial<ViewState> = {
    agent: message.agent,
    view: message.view,
    control: message.control,
    clipboard: message.clipboard,
    quality: message.quality,
    auto: message.auto,
    keyboard: message.keyboard !== "unknown" ? message.keyboard : null,
    viewOnly: message.viewOnly === true,
    noDesktop: message.noDesktop === true,
    recording: message.recording === true,
    whiteboard: message.whiteboard === true,
    canDraw: message.canDraw === true,
    canUndo: message.canUndo === true,
    laserInPicture: message.laserInPicture === true,
    capturePaused: message.capturePaused ?? null,
    screens: message.screens ?? [],
  };
  const current = message.currentScreen ?? null;
  if (current !== s.currentScreen) {
    next.currentScreen = current;
    next.mode = s.screenModes[screenKey(current)] ?? s.mode; // that screen's own view options
  }
  const screen = message.screen;
  const same = screen && s.screen && screen.width === s.screen.width &&
    screen.height === s.screen.height;
  if (!same) next.screen = screen;
  if (!isActive(message.view)) next.watching = false;
  const watching = next.watching ?? s.watching;
  const watch = message.view === "granted" && !watching && !opts.stopped && opts.canView;
  return { next, closePeer: message.view !== "granted", watch };
}

/**
 * What a closed viewer socket changes (not a move to another instance: that reconnects at once
 * without a word). A refusal (4403) means the view closed (`refused`: the panel instead of the
 * screen says so) — the socket still tries again, as a session on hold may be resumed, and while
 * those tries fail at the door it stays closed rather than "connection lost"; anything else is
 * the connection, with the server's reason.
 */
export function closedState(
  s: ViewState,
  close: { reason: string; refused: boolean },
  t: Translate,
): Partial<ViewState> {
  const refused = close.refused || s.refused;
  // Refused: the panel shown instead of the screen says it (InvitePanel), once is enough.
  const text = t("connectionLost") + (close.reason ? ` (${close.reason})` : "");
  const status = refused ? null : { text, error: true, connection: true };
  return { connected: false, agent: null, watching: false, refused, status };
}

/** The consent line: who is there and what is asked or granted. */
export function consentLine(s: ViewState): { key: RemoteUiKey | null; state: string } {
  if (!s.connected) return { key: null, state: "" };
  if (s.agent === "absent") return { key: "agentAbsent", state: "absent" };
  if (s.agent === "reconnecting") return { key: "agentReconnecting", state: "reconnecting" };
  const control = s.control;
  // No "Viewing" or "You are controlling" over a picture that is not live.
  if (capturePaused(s)) {
    const key = control === "granted" ? "captureControlPaused" : "captureViewPaused";
    return { key, state: "capture-paused" };
  }
  // The whiteboard is on: nothing controls, whoever held control (SPEC R4).
  if (control === "granted" && s.whiteboard) return { key: "controlPaused", state: "paused" };
  // A technician who only views draws too: the Pen label alone did not say where the line goes.
  if (s.whiteboard && s.view === "granted") return { key: "drawingOnScreen", state: "drawing" };
  // Another window or technician drives: this one only watches (control_owner.tsx says so).
  const drivenElsewhere = control === "granted" &&
    (s.controlOwner === "elsewhere" || s.controlOwner === "other");
  // Allowed, and nobody holds it (its asker left): this window would take it, it has not yet.
  if (control === "granted" && s.controlOwner === "none") {
    return { key: "controlFree", state: control };
  }
  // The customer stopped sharing the screen (control went with it) or declined to share it again:
  // that is the news — "took back control" alone read as if the picture were still there.
  const pictureRefused = s.view === "revoked" || s.view === "denied";
  if (control !== "off" && !drivenElsewhere && (isActive(control) || !pictureRefused)) {
    return { key: `control${capitalize(control)}`, state: control };
  }
  return { key: `view${capitalize(s.view)}`, state: s.view };
}

/**
 * No support app to show a desktop from, or not known yet: the island shows the compact invite
 * panel instead of the toolbar and screen (the mount carries `data-agent="missing"` for the CSS).
 */
export function agentMissing(s: ViewState): boolean {
  return s.agent !== "connected" && !s.hasVideo;
}

/**
 * The support app is there but shares no screen (no desktop of its user, a missing library,
 * …): the island shows why instead of the toolbar and screen — nothing there could work (the
 * mount carries `data-agent="noscreen"` for the CSS).
 */
export function screenUnavailable(s: ViewState): boolean {
  return s.agent === "connected" && s.noDesktop && !s.hasVideo;
}

/**
 * The text over the picture while there is none to show, or while the one shown is no longer
 * live — the support app or the server's socket gone, its last frame still in the video, or the
 * screen not captured for now (`capturePaused`) — (null: the picture shows, live).
 * `stalePicture()` says which.
 */
export function placeholderKey(s: ViewState): RemoteUiKey | null {
  if (capturePaused(s)) {
    return s.capturePaused === "secure_desktop" ? "captureSecureDesktop" : "captureFailed";
  }
  if (s.hasVideo && s.view === "granted" && s.connected && s.agent === "connected") return null;
  if (!s.connected) return "connecting";
  if (s.agent !== "connected") {
    return s.agent === "reconnecting" ? "agentReconnecting" : "agentAbsent";
  }
  if (s.view === "granted") return "waitingForPicture";
  if (s.view === "asked") return "viewAsked";
  return "viewOffHint";
}

/** A frame is still in the video but no longer live: it is dimmed under the placeholder. */
export function stalePicture(s: ViewState): boolean {
  return s.hasVideo && placeholderKey(s) !== null;
}

export type Translate = (key: RemoteUiKey, vars?: Record<string, string>) => string;

/** The island's `t()`: the server's strings, `{{name}}` filled in; a missing one shows its key. */
export function translator(labels: RemoteViewMount["labels"]): Translate {
  return (key, vars) => {
    let text = labels[key] ?? key;
    for (const [name, value] of Object.entries(vars ?? {})) {
      text = text.replace(`{{${name}}}`, value).replace(`{${name}}`, value);
    }
    return text;
  };
}
