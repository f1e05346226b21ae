/**
 * The viewer socket: JSON text frames to and from the server (protocol/viewer.ts), reconnecting
 * with back-off (0.5 s doubling to 5 s, reset by the first message after a reconnect), and a
 * ping every 2 s whose pong gives the round trip the stats show. A close with 4012 ("moved":
 * the session's support app is on another server instance now) is no failure: the socket
 * comes back at once, and lands where the app is; one with 4403 (refused: the session ended, went
 * on hold or elsewhere) is tried again only after the longest back-off. Each connection first
 * says which codecs the browser decodes (`codecs`, by `decodableCodecs`): the server picks H.264
 * only when every viewer of the session can — and that this island draws the customer's pointer
 * itself (`cursor: true`, cursor_overlay.ts), so the agent may leave it out of the picture.
 */
import { CAPTURE_PAUSE_REASONS, isQualityPreset, type VideoCodec } from "../../protocol/limits.ts";
import {
  AGENT_PRESENCES,
  AUTO_REASONS,
  CONSENT_STATES,
  CONTROL_OWNERS,
  decodableCodecs,
  type ScreenInfo,
  type ViewerInput,
  type ViewerMessage,
} from "../../protocol/viewer.ts";
import { cursorState } from "./cursor.ts";

export const BACKOFF_MIN_MS = 500;
export const BACKOFF_MAX_MS = 5_000;
/** The server's close code for "no longer allowed to view this session" (modules/remote). */
const REFUSED_CODE = 4403;
/** The server's close code for "reconnect now, the session lives elsewhere" (modules/remote). */
export const MOVED_CODE = 4012;
export const MOVED_RETRY_MS = 50;
const PING_EVERY_MS = 2_000;

const oneOf = <T extends string>(list: readonly T[], value: unknown, fallback: T): T =>
  list.includes(value as T) ? value as T : fallback;
const text = (value: unknown) => (typeof value === "string" ? value : "");
/** `{userId, name}` from the server, or null when it is not one. */
function person(value: unknown): { userId: string; name: string } | null {
  if (!value || typeof value !== "object") return null;
  const { userId, name } = value as Record<string, unknown>;
  return typeof userId === "string" && typeof name === "string" ? { userId, name } : null;
}

/** Automatic's preset and reason, when both are known words (else null). */
function autoChoice(value: unknown): Extract<ViewerMessage, { type: "state" }>["auto"] {
  const a = value as { preset?: unknown; reason?: unknown } | null | undefined;
  if (!a || !isQualityPreset(a.preset) || a.preset === "auto") return null;
  if (!(AUTO_REASONS as readonly unknown[]).includes(a.reason)) return null;
  return { preset: a.preset, reason: a.reason as typeof AUTO_REASONS[number] };
}

/** The customer's screens (monitors), each with a name and a place; others are left out. */
function screens(value: unknown): ScreenInfo[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v) => {
    const { id, x, y, width, height, primary } = (v ?? {}) as Record<string, unknown>;
    const numbers = [x, y, width, height].every((n) => typeof n === "number" && n >= 0);
    if (typeof id !== "string" || !numbers) return [];
    return [{ id, x, y, width, height, primary: primary === true } as ScreenInfo];
  });
}

/** A frame from the server as a typed message, or null (not JSON, unknown type, malformed). */
export function parseViewerMessage(data: unknown): ViewerMessage | null {
  let m: Record<string, unknown>;
  try {
    m = typeof data === "string" ? JSON.parse(data) : null;
  } catch {
    return null;
  }
  if (!m || typeof m !== "object") return null;
  switch (m.type) {
    case "state": {
      if (!isQualityPreset(m.quality)) return null;
      const s = m.screen as { width?: unknown; height?: unknown } | null | undefined;
      const screen = typeof s?.width === "number" && typeof s.height === "number" &&
          s.width > 0 && s.height > 0
        ? { width: s.width, height: s.height }
        : null;
      return {
        type: "state",
        agent: oneOf(AGENT_PRESENCES, m.agent, "absent"),
        view: oneOf(CONSENT_STATES, m.view, "off"),
        control: oneOf(CONSENT_STATES, m.control, "off"),
        clipboard: oneOf(CONSENT_STATES, m.clipboard, "off"),
        screen,
        keyboard: typeof m.keyboard === "string" ? m.keyboard : null,
        quality: m.quality,
        auto: autoChoice(m.auto),
        ...(m.viewOnly === true ? { viewOnly: true } : {}),
        ...(m.noDesktop === true ? { noDesktop: true } : {}),
        screens: screens(m.screens),
        currentScreen: typeof m.currentScreen === "string" ? m.currentScreen : null,
        ...(m.recording === true ? { recording: true } : {}),
        ...(m.whiteboard === true ? { whiteboard: true } : {}),
        ...(m.canDraw === true ? { canDraw: true } : {}),
        ...(m.canUndo === true ? { canUndo: true } : {}),
        ...(m.laserInPicture === true ? { laserInPicture: true } : {}),
        // A reason this island does not know (a newer server's) still says the picture paused.
        ...(typeof m.capturePaused === "string"
          ? { capturePaused: oneOf(CAPTURE_PAUSE_REASONS, m.capturePaused, "failed") }
          : {}),
      };
    }
    case "offer":
      return typeof m.sdp === "string" && Number.isInteger(m.id)
        ? { type: "offer", sdp: m.sdp, id: m.id as number }
        : null;
    case "clipboard":
      return { type: "clipboard", text: text(m.text) };
    case "pong":
      return typeof m.at === "number" ? { type: "pong", at: m.at } : null;
    case "control_owner":
      return {
        type: "control_owner",
        owner: oneOf(CONTROL_OWNERS, m.owner, "none"),
        holder: typeof m.holder === "string" ? m.holder : null,
        asking: person(m.asking),
        others: Array.isArray(m.others) ? m.others.flatMap((o) => person(o) ?? []) : [],
      };
    case "laser": {
      const at = m.at as { x?: unknown; y?: unknown } | null;
      const point = at && Number.isFinite(at.x) && Number.isFinite(at.y)
        ? { x: at.x as number, y: at.y as number }
        : null;
      if (!Number.isInteger(m.by) || (at !== null && !point)) return null;
      return { type: "laser", by: m.by as number, name: text(m.name), at: point };
    }
    case "cursor": {
      const cursor = cursorState(m.cursor);
      return cursor === undefined ? null : { type: "cursor", cursor };
    }
    case "error":
      return { type: "error", code: text(m.code), reason: text(m.reason) };
    default:
      return null;
  }
}

export interface SocketEvents {
  open(): void;
  message(message: ViewerMessage): void;
  /**
   * The socket closed (reason: the server's close reason, may be empty); a retry is planned.
   * `moved`: the server sent it elsewhere (4012); the retry is immediate, nothing failed.
   * `refused`: the server closed it as no longer allowed (4403: the session ended, went on hold
   * or elsewhere); the retries go on, refused until the view is this technician's again.
   */
  close(reason: string, moved: boolean, refused: boolean): void;
}

/** What the socket needs from the browser (tests pass fakes). */
export interface SocketEnv {
  WebSocket: { new (url: string): WebSocket; readonly OPEN: number; readonly CONNECTING: number };
  now(): number;
  /** The codecs this browser decodes, said on every connection (absent: nothing is said). */
  codecs?(): VideoCodec[];
}

/** What this browser's WebRTC receiver decodes (VP8 alone where it cannot say). */
export function browserCodecs(): VideoCodec[] {
  const receiver = globalThis.RTCRtpReceiver as typeof RTCRtpReceiver | undefined;
  return decodableCodecs(receiver?.getCapabilities?.("video")?.codecs ?? []);
}

export class ViewerSocket {
  /** The last measured round trip to the server, in ms. */
  rttMs: number | null = null;
  #ws: WebSocket | null = null;
  #backoff = BACKOFF_MIN_MS;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #ping: ReturnType<typeof setInterval> | undefined;
  #stopped = false;

  constructor(
    private readonly url: string,
    private readonly events: SocketEvents,
    private readonly env: SocketEnv = {
      WebSocket,
      now: () => performance.now(),
      codecs: browserCodecs,
    },
  ) {}

  start(): void {
    this.#connect();
    this.#ping = setInterval(
      () => this.send({ type: "ping", at: Math.round(this.env.now()) }),
      PING_EVERY_MS,
    );
  }

  send(message: ViewerInput): boolean {
    if (this.#ws?.readyState !== this.env.WebSocket.OPEN) return false;
    this.#ws.send(JSON.stringify(message));
    return true;
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#ping);
    clearTimeout(this.#retry);
    const ws = this.#ws;
    this.#ws = null;
    if (!ws) return;
    ws.onclose = ws.onmessage = ws.onerror = null;
    // Closing a socket still connecting logs an error in some browsers: close it once open.
    if (ws.readyState === this.env.WebSocket.CONNECTING) ws.onopen = () => ws.close(1000);
    else ws.close(1000);
  }

  #connect() {
    if (this.#stopped) return;
    const ws = new this.env.WebSocket(this.url);
    this.#ws = ws;
    ws.onopen = () => {
      // Before anything else, above all `view`: the server offers the codec chosen with what
      // this says, and counts a viewer that asks for the picture without saying as VP8 only.
      if (this.env.codecs) {
        this.send({ type: "codecs", codecs: this.env.codecs(), cursor: true });
      }
      this.events.open();
    };
    ws.onmessage = (event) => {
      this.#backoff = BACKOFF_MIN_MS;
      const message = parseViewerMessage(event.data);
      if (!message) return;
      if (message.type === "pong") this.rttMs = Math.max(0, this.env.now() - message.at);
      this.events.message(message);
    };
    ws.onclose = (event) => {
      if (this.#ws !== ws || this.#stopped) return;
      this.#ws = null;
      const moved = event.code === MOVED_CODE;
      const refused = event.code === REFUSED_CODE;
      this.events.close(event.reason, moved, refused);
      if (moved) {
        this.#backoff = BACKOFF_MIN_MS;
        this.#retry = setTimeout(() => this.#connect(), MOVED_RETRY_MS);
        return;
      }
      // Refused (the session ended, went on hold or elsewhere): the page replaces this
      // workspace meanwhile, as a rule; asked again at once, the server would refuse the
      // handshake itself (a 409 the browser logs). A held session resumed still comes back.
      if (refused) this.#backoff = BACKOFF_MAX_MS;
      this.#retry = setTimeout(() => this.#connect(), this.#backoff);
      this.#backoff = Math.min(BACKOFF_MAX_MS, this.#backoff * 2);
    };
  }
}

/** The viewer socket's URL for a path on this page's origin. */
export function socketUrl(path: string, location: { protocol: string; host: string }): string {
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${path}`;
}
