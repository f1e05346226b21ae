/**
 * The technician shows their own screen to the customer (SPEC R11): the reverse of the
 * customer's browser share. The technician's browser sends its `getDisplayMedia` track to a
 * `ScreenReceiver` (screen_receiver.ts, the same peer the customer's share uses); once the
 * customer says View on their page, a `ViewerPeer` (relay.ts, the same peer a technician's
 * remote view uses) is offered to the customer's browser in the codec the technician's browser
 * chose, with its parameters, and the frames pass from one to the other untranscoded. A
 * keyframe the customer's browser needs (join, picture loss) is a PLI to the technician's.
 *
 * Nothing reaches the customer's screen without the customer: the picture is offered, and only
 * the customer's View makes a peer towards them. Either side ends it: the technician's Stop
 * or their browser going (silence, its own stop bar), the customer's Not now or End, and the
 * session no longer worked (hold, transfer, end). What the technician's page says about the
 * customer is what this peer knows: "watching" only once frames went to the customer's
 * connected browser.
 */
import { type ReceivedFrame, ScreenReceiver } from "./screen_receiver.ts";
import { ViewerPeer } from "./relay.ts";

/** Where a presentation is: picture coming, offered to the customer, accepted, watched. */
export type PresentationPhase = "connecting" | "offered" | "accepted" | "watching";

/**
 * Why it ended. `moved`: the session's home went to another instance (the customer's support
 * app attached there) while this one showed it — present_routes.tsx says why.
 */
export type PresentationEnd =
  | "technician"
  | "customer"
  | "declined"
  | "lost"
  | "session"
  | "moved";

/** What the technician's page shows (`GET …/present/events`). */
export interface PresenterState {
  /** "none": nothing shown now (`ended` says why, when something was). */
  phase: PresentationPhase | "none";
  ended: PresentationEnd | null;
  /** The picture's size as the customer gets it (null before the first keyframe). */
  size: { width: number; height: number } | null;
}

/** What the customer's page shows (in the remote state, `CustomerView.presenting`). */
export interface PresentingView {
  /** Names this presentation: a page that said Not now to one is asked again for the next. */
  id: number;
  technician: string;
  phase: PresentationPhase;
}

let _ids = 0;

/**
 * A watching customer's browser sends RTCP receiver reports about once a second: none for this
 * long and it no longer watches (page closed, reloaded, network gone) — offered again, and the
 * technician's tab says so. A View still connecting gets `CONNECT_MS`.
 */
export const WATCH_SILENT_MS = 5_000;
const VIEW_CONNECT_MS = 30_000;

/** Whether the customer's peer counts as gone at `now` (see `WATCH_SILENT_MS`). */
export function viewerGone(
  now: number,
  s: { phase: PresentationPhase; since: number; heardAt: number | null },
): boolean {
  if (s.phase === "watching") return now - (s.heardAt ?? s.since) > WATCH_SILENT_MS;
  if (s.phase === "accepted") return now - s.since > VIEW_CONNECT_MS;
  return false;
}

export interface PresentationOptions {
  hostAddresses: string[];
  /** Its state changed (phase, size): the pages are told. */
  onChange: () => void;
  /** It ended, once, and why. */
  onEnded: (by: PresentationEnd) => void;
}

export class Presentation {
  readonly id = ++_ids;
  phase: PresentationPhase = "connecting";
  endedBy: PresentationEnd | null = null;
  size: { width: number; height: number } | null = null;
  readonly #receiver: ScreenReceiver;
  #peer: ViewerPeer | null = null;
  #offers = 0;
  /** When the customer's peer was made, and when its browser last sent RTCP. */
  #peerSince = 0;
  #heardAt: number | null = null;
  #watch: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly by: { userId: string; name: string },
    private options: PresentationOptions,
  ) {
    this.#receiver = new ScreenReceiver({
      hostAddresses: options.hostAddresses,
      onFrame: (frame) => this.#frame(frame),
      onClosed: () => this.end("lost"),
    });
  }

  /** The technician's offer was answered: it started (a refused offer is no presentation). */
  answered = false;

  /** The technician's complete offer → our complete answer (throws on a bad offer). */
  async answer(offer: string): Promise<string> {
    const sdp = await this.#receiver.answer(offer);
    this.answered = true;
    return sdp;
  }

  get ended(): boolean {
    return this.endedBy !== null;
  }

  /** Frames received from the technician, and sent on to the customer. */
  get framesIn(): number {
    return this.#receiver.framesIn;
  }

  get framesOut(): number {
    return this.#peer?.framesSent ?? 0;
  }

  presenterState(): PresenterState {
    return { phase: this.ended ? "none" : this.phase, ended: this.endedBy, size: this.size };
  }

  /** What the customer's page is told; null before the picture came and after the end. */
  customerView(): PresentingView | null {
    if (this.ended || this.phase === "connecting") return null;
    return { id: this.id, technician: this.by.name, phase: this.phase };
  }

  /**
   * The customer said View: a peer towards their browser, offered in the technician's codec.
   * A second View (a reloaded page) replaces the first peer. Null once it ended.
   */
  async view(): Promise<{ sdp: string; id: number } | null> {
    const codec = this.#receiver.codec;
    if (this.ended || !codec || this.phase === "connecting") return null;
    this.#peer?.close();
    const peer = new ViewerPeer({
      id: ++this.#offers,
      codec: { name: codec, parameters: this.#receiver.codecParameters },
      hostAddresses: this.options.hostAddresses,
      wantKeyframe: () => this.#receiver.keyframe(),
    });
    this.#peer = peer;
    this.#peerSince = performance.now();
    this.#heardAt = null;
    for (const transceiver of peer.pc.getTransceivers()) {
      transceiver.sender.onRtcp.subscribe(() => {
        if (this.#peer === peer) this.#heardAt = performance.now();
      });
    }
    peer.pc.connectionStateChange.subscribe((state) => {
      // The customer's browser went (page closed, network): offered again, for a reload.
      if ((state === "failed" || state === "closed") && this.#peer === peer) this.#dropViewer();
    });
    this.#watch ??= setInterval(() => {
      const s = { phase: this.phase, since: this.#peerSince, heardAt: this.#heardAt };
      if (this.#peer && viewerGone(performance.now(), s)) this.#dropViewer();
    }, 1_000);
    this.#move("accepted");
    const sdp = await peer.offer();
    return this.#peer === peer ? { sdp, id: peer.id } : null;
  }

  /** The customer's browser's answer to offer `id` (false: not the current offer). */
  async customerAnswer(sdp: string, id: number): Promise<boolean> {
    const peer = this.#peer;
    if (this.ended || !peer || peer.id !== id) return false;
    await peer.answer(sdp);
    return true;
  }

  /** The customer no longer receives: their peer goes, the picture is offered again. */
  #dropViewer() {
    const peer = this.#peer;
    if (!peer || this.ended) return;
    this.#peer = null;
    peer.close();
    this.#move("offered");
  }

  /** Ends it for both sides, once: the peers close, the owner hears why. */
  end(by: PresentationEnd): void {
    if (this.ended) return;
    this.endedBy = by;
    clearInterval(this.#watch);
    this.#peer?.close();
    this.#peer = null;
    this.#receiver.close();
    this.options.onEnded(by);
  }

  #frame(frame: ReceivedFrame) {
    if (this.ended) return;
    const sized = this.size?.width === frame.width && this.size?.height === frame.height;
    if (!sized) this.size = { width: frame.width, height: frame.height };
    if (this.phase === "connecting") return this.#move("offered");
    const peer = this.#peer;
    if (peer) {
      peer.send({ data: frame.data, keyframe: frame.keyframe, capturedAt: Date.now() });
      // Watching only once a frame went to the customer's connected browser.
      if (this.phase === "accepted" && peer.framesSent > 0) return this.#move("watching");
    }
    if (!sized) this.options.onChange();
  }

  #move(phase: PresentationPhase) {
    if (this.phase === phase) return;
    this.phase = phase;
    this.options.onChange();
  }
}
