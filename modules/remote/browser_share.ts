/**
 * A customer's screen shared from the browser (`getDisplayMedia`, no support app): a werift
 * peer that receives one video track — VP8, VP9 or H.264, whichever the browser prefers —
 * turns its RTP back into whole frames (share_frames.ts) and hands them to the session's
 * `RemoteSession` as if the agent had sent them, codec and all — so the technicians'
 * viewers, stats, screenshots and relay are the agent's own, and their peers are offered the
 * same codec (relay.ts): passed through, never transcoded. The share stands in for the
 * agent through an `AgentLink` that is view only: the customer sharing is their consent to
 * view; control requests are answered "no"; a keyframe request becomes an RTCP PLI to the
 * browser; a revoke (the customer's or a technician's, hold, transfer, end) closes the peer.
 *
 * A browser that goes without saying so (tab closed, crash, network gone) is noticed by its
 * silence: browsers send RTCP sender reports about once a second even for a still screen, so
 * nothing at all — no RTP, no RTCP — for SILENT_MS ends the share as a stop would. That
 * counts from the first packet: before it, ICE and DTLS may take their time on a slow network
 * or a loaded server (an 8 s allowance from the answer closed shares that were still
 * connecting), and only CONNECT_MS without any packet ends it.
 *
 * When the support app joins the same session while the browser shares (the technician asked
 * the customer to switch, for control), the app's link replaces the share's: the share ends
 * without taking back the view the app is about to be asked for.
 */
import { RTCPeerConnection, useH264, useVP8, useVP9 } from "werift";
import type { ServerMessage } from "../../protocol/mod.ts";
import type { AgentLink, RemoteSession } from "./hub.ts";
import { guardDtlsRetransmissions } from "./dtls_guard.ts";
import { FrameAssembler, type ShareCodec, type ShareFrame } from "./share_frames.ts";

const GATHER_TIMEOUT_MS = 2_000;
const PLI_GAP_MS = 300;
/** How long a share may send nothing at all before it counts as gone (see the top). */
export const SILENT_MS = 8_000;
/** How long a share may take from our answer to its first packet (ICE and DTLS included). */
export const CONNECT_MS = 30_000;

/**
 * Whether a share counts as gone at `now`: SILENT_MS without a packet once one came, or
 * CONNECT_MS after the answer without any (`heardAt` null).
 */
export function shareGone(now: number, s: { answeredAt: number; heardAt: number | null }) {
  return s.heardAt === null ? now - s.answeredAt > CONNECT_MS : now - s.heardAt > SILENT_MS;
}
const FEEDBACK = [{ type: "nack" }, { type: "nack", parameter: "pli" }, { type: "goog-remb" }];

/** The codecs a browser may send, in our order of preference when it has none. */
export const SHARE_CODECS = [
  useVP8({ rtcpFeedback: FEEDBACK }),
  useVP9({ rtcpFeedback: FEEDBACK, parameters: "profile-id=0" }),
  useH264({
    rtcpFeedback: FEEDBACK,
    parameters: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
  }),
];

/** "video/VP9" → "vp9"; null for anything the relay cannot pass on. */
export function shareCodecOf(mimeType: string | undefined): ShareCodec | null {
  const name = mimeType?.split("/")[1]?.toLowerCase();
  return name === "vp8" || name === "vp9" || name === "h264" ? name : null;
}

/** The payload types of an offer's video m-line, in the browser's order of preference. */
export function offeredOrder(sdp: string): number[] {
  const line = /^m=video \S+ \S+ ([\d ]+)/m.exec(sdp);
  return line ? line[1].trim().split(/\s+/).map(Number) : [];
}

/** One customer's browser share, standing in for the agent on the session's `RemoteSession`. */
export class BrowserShare {
  readonly pc: RTCPeerConnection;
  readonly link: AgentLink & { viewOnly: true };
  #ssrc: number | null = null;
  #assembler: FrameAssembler | null = null;
  #tracked = false;
  #payloadType = -1;
  /** The codec agreed with the browser (after `answer`), and its SDP parameters. */
  codec: ShareCodec | null = null;
  codecParameters = "";
  #size: { width: number; height: number } | null = null;
  #lastPli = 0;
  #closed = false;
  #attached = false;
  /** When the last RTP or RTCP packet came (null: none yet), and when we answered. */
  #heard: number | null = null;
  #answeredAt = performance.now();
  #silence: ReturnType<typeof setInterval> | undefined;
  framesIn = 0;

  constructor(
    /** The session it stands in for the agent in (taken after the share's home is claimed). */
    readonly remote: RemoteSession,
    hostAddresses: string[],
    private onEnded: () => void = () => {},
  ) {
    this.pc = new RTCPeerConnection({
      iceAdditionalHostAddresses: hostAddresses,
      codecs: { video: SHARE_CODECS },
    });
    this.link = {
      viewOnly: true,
      send: (message) => this.#told(message),
      close: () => this.close(),
    };
    // One track: the first video track's packets in the agreed codec are assembled. The track
    // comes during setRemoteDescription, before `answer` has chosen the codec: the assembler
    // is made with the first packet.
    this.pc.onTrack.subscribe((track) => {
      if (track.kind !== "video" || this.#tracked) return;
      this.#tracked = true;
      track.onReceiveRtp.subscribe((packet) => {
        this.#heard = performance.now();
        if (!this.codec || packet.header.payloadType !== this.#payloadType) return;
        this.#ssrc = packet.header.ssrc;
        this.#assembler ??= new FrameAssembler(
          this.codec,
          (frame) => this.#frame(frame),
          () => this.#pli(),
        );
        this.#assembler.push(packet);
      });
    });
    this.pc.connectionStateChange.subscribe((state) => {
      if (state === "failed" || state === "closed") this.close();
    });
  }

  /** The browser's complete offer (every candidate in it) → our complete answer. */
  async answer(offer: string): Promise<string> {
    // mDNS (.local) candidates cannot be resolved here (see relay.ts).
    const cleaned = offer.split(/\r?\n/).filter((line) =>
      !/^a=candidate:.* [0-9a-f-]+\.local /i.test(line)
    ).join("\r\n");
    await this.pc.setRemoteDescription({ type: "offer", sdp: cleaned });
    const video = this.pc.getTransceivers().find((t) => t.kind === "video");
    if (!video) throw new Error("no video in the offer");
    // We take the DTLS server's part (a=setup:passive), as every viewer's peer does (relay.ts
    // offers, the browser answers active), and retransmitted handshake flights are kept from
    // werift: its client re-keyed on them and every packet then failed SRTP (dtls_guard.ts).
    video.dtlsTransport.role = "server";
    guardDtlsRetransmissions(video.dtlsTransport);
    // The browser's first choice among ours, alone in the answer: the browser sends what the
    // answer lists first, and one codec leaves nothing to switch to mid-share.
    const ours = video.codecs.filter((codec) => shareCodecOf(codec.mimeType));
    const agreed = offeredOrder(cleaned).map((pt) => ours.find((c) => c.payloadType === pt))
      .find((codec) => codec !== undefined) ?? ours[0];
    this.codec = shareCodecOf(agreed?.mimeType);
    if (!agreed || !this.codec) throw new Error("no video codec in common (VP8, VP9 or H.264)");
    video.codecs = [agreed];
    this.#payloadType = agreed.payloadType!;
    this.codecParameters = agreed.parameters ?? "";
    video.setDirection("recvonly");
    video.receiver.onRtcp.subscribe(() => this.#heard = performance.now());
    this.#answeredAt = performance.now();
    this.#silence = setInterval(() => {
      const heard = { answeredAt: this.#answeredAt, heardAt: this.#heard };
      if (shareGone(performance.now(), heard)) this.close();
    }, 1_000);
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    if (this.pc.iceGatheringState !== "complete") {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, GATHER_TIMEOUT_MS);
        this.pc.iceGatheringStateChange.subscribe((state) => {
          if (state === "complete") {
            clearTimeout(timer);
            resolve();
          }
        });
      });
    }
    return this.pc.localDescription!.sdp;
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
    clearInterval(this.#silence);
    this.pc.close().catch(() => {});
    if (this.#attached && this.remote.agent === this.link) {
      this.remote.customerRevoke("view");
      this.remote.agentLeft(this.link);
    }
    this.onEnded();
  }

  #frame(frame: ShareFrame) {
    if (this.#closed || !this.codec) return;
    this.#size = frame.size ?? this.#size;
    if (!this.#size) return;
    this.framesIn++;
    if (!this.#attached) {
      // The first picture: the share stands in for the agent, and sharing is the consent.
      this.#attached = true;
      this.remote.agentAttached(this.link, this.#size, null, {
        name: this.codec,
        parameters: this.codecParameters,
      });
      this.remote.agentConsent("view", true);
    }
    this.remote.media({
      codec: this.codec,
      capturedAt: Date.now(),
      ...this.#size,
      data: frame.data,
      keyframe: frame.keyframe,
    });
  }

  #pli() {
    const now = performance.now();
    if (this.#ssrc === null || now - this.#lastPli < PLI_GAP_MS) return;
    this.#lastPli = now;
    const receiver = this.pc.getTransceivers().find((t) => t.kind === "video")?.receiver;
    receiver?.sendRtcpPLI(this.#ssrc).catch(() => {});
  }

  /** What the session says to its "agent": a browser share only shows the screen. */
  #told(message: ServerMessage) {
    switch (message.type) {
      case "keyframe":
        this.#lastPli = 0;
        this.#pli();
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
