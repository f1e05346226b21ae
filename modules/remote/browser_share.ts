/**
 * A customer's screen shared from the browser (`getDisplayMedia`, no support app): the frames
 * a `ScreenReceiver` (screen_receiver.ts) takes from the browser — VP8, VP9 or H.264, whichever
 * it prefers — are handed to the session's `RemoteSession` as if the agent had sent them,
 * codec and all — so the technicians' viewers, stats, screenshots and relay are the agent's
 * own, and their peers are offered the same codec (relay.ts): passed through, never
 * transcoded. The share stands in for the agent through an `AgentLink` that is view only: the
 * customer sharing is their consent to view; control requests are answered "no"; a keyframe
 * request becomes an RTCP PLI to the browser; a revoke (the customer's or a technician's,
 * hold, transfer, end) closes the peer. A browser gone silent ends it (screen_receiver.ts).
 *
 * When the support app joins the same session while the browser shares (the technician asked
 * the customer to switch, for control), the app's link replaces the share's: the share ends
 * without taking back the view the app is about to be asked for.
 */
import type { RTCPeerConnection } from "werift";
import type { ServerMessage } from "../../protocol/mod.ts";
import type { AgentLink, RemoteSession } from "./hub.ts";
import type { ShareCodec } from "./share_frames.ts";
import { type ReceivedFrame, ScreenReceiver } from "./screen_receiver.ts";

/** One customer's browser share, standing in for the agent on the session's `RemoteSession`. */
export class BrowserShare {
  readonly link: AgentLink & { viewOnly: true; shareId: string };
  /** This share's own id (`CustomerView.shareId`), given to the page with the answer. */
  readonly id: string = crypto.randomUUID();
  readonly #receiver: ScreenReceiver;
  #closed = false;
  #attached = false;

  constructor(
    /** The session it stands in for the agent in (taken after the share's home is claimed). */
    readonly remote: RemoteSession,
    hostAddresses: string[],
    private onEnded: () => void = () => {},
  ) {
    this.#receiver = new ScreenReceiver({
      hostAddresses,
      onFrame: (frame) => this.#frame(frame),
      onClosed: () => this.close(),
    });
    this.link = {
      viewOnly: true,
      shareId: this.id,
      send: (message) => this.#told(message),
      close: () => this.close(),
    };
  }

  get pc(): RTCPeerConnection {
    return this.#receiver.pc;
  }

  /** The codec agreed with the browser (after `answer`). */
  get codec(): ShareCodec | null {
    return this.#receiver.codec;
  }

  get framesIn(): number {
    return this.#receiver.framesIn;
  }

  /** The browser's complete offer (every candidate in it) → our complete answer. */
  answer(offer: string): Promise<string> {
    return this.#receiver.answer(offer);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Stops the share: the peer closes, view ends, the session has no "agent" again — unless
   * the support app has just taken the share's place, whose view is its own to ask for.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#receiver.close();
    if (this.#attached && this.remote.agent === this.link) {
      this.remote.customerRevoke("view");
      this.remote.agentLeft(this.link);
    }
    this.onEnded();
  }

  #frame(frame: ReceivedFrame) {
    if (this.#closed || !this.codec) return;
    const size = { width: frame.width, height: frame.height };
    if (!this.#attached) {
      // The first picture: the share stands in for the agent, and sharing is the consent.
      this.#attached = true;
      this.remote.agentAttached(this.link, size, null, {
        name: this.codec,
        parameters: this.#receiver.codecParameters,
      });
      this.remote.agentConsent("view", true);
    }
    this.remote.media({
      codec: this.codec,
      capturedAt: Date.now(),
      ...size,
      data: frame.data,
      keyframe: frame.keyframe,
    });
  }

  /** What the session says to its "agent": a browser share only shows the screen. */
  #told(message: ServerMessage) {
    switch (message.type) {
      case "keyframe":
        this.#receiver.keyframe();
        return;
      case "request":
        // View is granted while sharing; control cannot be given from a browser.
        queueMicrotask(() =>
          this.remote.agentConsent(message.capability, message.capability === "view")
        );
        return;
      case "revoke":
        if (message.capability === "view") queueMicrotask(() => this.close());
        return;
      case "end":
        this.close();
        return;
    }
  }
}
