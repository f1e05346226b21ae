/**
 * The links and events of a `RemoteSession` (hub.ts): the agent's and each viewer's socket
 * as the session sees them, what the customer's page shows, and what the log hears.
 */
import type {
  AgentPresence,
  CapturePauseReason,
  ServerMessage,
  VideoCodec,
  ViewerMessage,
} from "../../protocol/mod.ts";
import type { ViewerPeer } from "./relay.ts";
import type { ConsentState, RemoteCapability } from "./consent.ts";
import type { PresentingView } from "./presentation.ts";

export interface AgentLink {
  send(message: ServerMessage): void;
  close(code: number, reason: string): void;
  /** A browser share (browser_share.ts): the picture only, never control. */
  readonly viewOnly?: boolean;
  /** A browser share's own id: the customer's page knows its share by it (`CustomerView`). */
  readonly shareId?: string;
  /** It shares no screen (its hello's `noDesktop`): view and control are refused. */
  readonly noDesktop?: boolean;
  /** The codecs the agent can encode (its hello's); absent: VP8 only (codec_choice.ts). */
  readonly codecs?: readonly VideoCodec[];
  /** It can send the pointer apart from the picture (its hello's; cursor_relay.ts). */
  readonly separateCursor?: boolean;
  /** Its window says when the picture is recorded (its hello's `recordingNotice`). */
  readonly recordingNotice?: boolean;
  /** Its question for view says beforehand what will be recorded (its hello's `recordingAsked`). */
  readonly recordingAsked?: boolean;
  /** Its window says when a technician shows their screen (its hello's `presentingNotice`). */
  readonly presentingNotice?: boolean;
  /** It can show the technician's whiteboard and laser (its hello's `whiteboard`). */
  readonly whiteboard?: boolean;
  /** It takes back one technician's last line (its hello's `whiteboardUndo`). */
  readonly whiteboardUndo?: boolean;
  /** Its frames carry the laser's dot while recorded (its hello's `laserRecorded`). */
  readonly laserRecorded?: boolean;
  /** It presses a key by its physical position (its hello's `keyCodes`: `key`'s `code`). */
  readonly keyCodes?: boolean;
}

/** One technician's open remote view (its WebSocket) in a session. */
export interface ViewerLink {
  readonly userId: string;
  readonly name: string;
  send(message: ViewerMessage): void;
  /** Whether this viewer wants the picture (Desktop view or control switched on). */
  watching: boolean;
  peer: ViewerPeer | null;
  /** A monitoring admin's extra viewer (modules/monitoring): picture only, never control. */
  readonly monitor?: boolean;
  /** The codecs its browser decodes (the island's `codecs`); absent: VP8 only. */
  codecs?: readonly VideoCodec[];
  /** Its island draws the customer's pointer itself (said with `codecs`; cursor_relay.ts). */
  cursor?: boolean;
}

/**
 * What the customer's page on this server shows: the open question (answered in the agent's
 * window, not on that page) and what is shared, as the agent reported it.
 */
export interface CustomerView {
  agent: AgentPresence;
  /** Who watches the remote view now, once each, and who of them controls. */
  technicians: { name: string; controls: boolean; monitor: boolean }[];
  asks: { capability: RemoteCapability; technician: string }[];
  view: ConsentState;
  control: ConsentState;
  /** The "agent" is the customer's browser sharing the screen (view only). */
  browserShare: boolean;
  /**
   * Which browser share it is (the id its offer's answer gave; null: none): a page that starts
   * a share while the server still holds its previous one (a reload) tells its own share's view
   * from the one that is about to end.
   */
  shareId: string | null;
  /** A technician asked that customer to switch to the support app. */
  switchAsked: boolean;
  /** The picture is being recorded now (modules/recording). */
  recording: boolean;
  /** A technician's whiteboard is on: drawings show on the customer's screen (SPEC R4). */
  drawing: boolean;
  /** The technician's own screen offered or shown to the customer (presentation.ts). */
  presenting: PresentingView | null;
}

export type RemoteEvent =
  | { kind: "requested"; capability: RemoteCapability; by: ViewerLink }
  | { kind: "answered"; capability: RemoteCapability; granted: boolean; was: ConsentState }
  | { kind: "revokedByCustomer"; capability: RemoteCapability }
  | { kind: "ended"; capability: RemoteCapability; by: ViewerLink | null }
  | { kind: "switchAsked"; by: { userId: string; name: string } }
  | { kind: "switchedToAgent" }
  /** The whiteboard on or off: by a technician, or (null) the customer or view ending. */
  | { kind: "whiteboard"; on: boolean; by: ViewerLink | null }
  /** The agent cannot capture the screen (`paused`: why), or can again (null). */
  | { kind: "capture"; paused: CapturePauseReason | null; detail: string };
