/**
 * A screen that a browser sends us over WebRTC (`getDisplayMedia`, one video track), as whole
 * frames: the werift peer that answers the browser's complete offer, keeps the browser's first
 * choice of VP8, VP9 or H.264 alone in the answer, puts the RTP back into frames
 * (share_frames.ts), reads each keyframe's size (frame_sizes.ts) and notices a browser gone
 * without a word by its silence. What the frames are for is the owner's: the customer's browser
 * share hands them to the session's `RemoteSession` as the agent's (browser_share.ts); the
 * technician's own screen goes to the customer's viewer (presentation.ts). Either way they pass
 * through untranscoded.
 *
 * Silence: browsers send RTCP sender reports about once a second even for a still screen, so
 * nothing at all — no RTP, no RTCP — for SILENT_MS counts as gone. That counts from the first
 * packet: before it, ICE and DTLS may take their time on a slow network or a loaded server (an
 * 8 s allowance from the answer closed shares that were still connecting), and only CONNECT_MS
 * without any packet ends it.
 */
import { RTCPeerConnection, type RtpPacket, useH264, useOPUS, useVP8, useVP9 } from "werift";
import { guardDtlsRetransmissions } from "./dtls_guard.ts";
import { gatheredSdp } from "./ice_gathering.ts";
import { FrameAssembler, type ShareCodec, type ShareFrame } from "./share_frames.ts";

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

/** A whole frame of the received screen, with the picture's size as last read. */
export interface ReceivedFrame {
  data: Uint8Array;
  keyframe: boolean;
  width: number;
  height: number;
}

export interface ScreenReceiverOptions {
  /** Addresses to offer as host candidates beyond the machine's interfaces. */
  hostAddresses: string[];
  /** Each whole frame, once the first keyframe said the picture's size. */
  onFrame: (frame: ReceivedFrame) => void;
  /** The browser went (stopped, failed, silent) or `close()` was called: once. */
  onClosed: () => void;
  /**
   * Receive one Opus audio track too (Lens: the phone's microphone); each RTP packet is handed
   * on as it came, never decoded.
   */
  onAudio?: (packet: RtpPacket) => void;
}

/** One browser's screen track received as frames (see the top). */
export class ScreenReceiver {
  readonly pc: RTCPeerConnection;
  /** The codec agreed with the browser (after `answer`), and its SDP parameters. */
  codec: ShareCodec | null = null;
  codecParameters = "";
  framesIn = 0;
  #ssrc: number | null = null;
  #assembler: FrameAssembler | null = null;
  #tracked = false;
  #payloadType = -1;
  #size: { width: number; height: number } | null = null;
  #lastPli = 0;
  #closed = false;
  /** When the last RTP or RTCP packet came (null: none yet), and when we answered. */
  #heard: number | null = null;
  #answeredAt = performance.now();
  #silence: ReturnType<typeof setInterval> | undefined;

  constructor(private options: ScreenReceiverOptions) {
    this.pc = new RTCPeerConnection({
      iceAdditionalHostAddresses: options.hostAddresses,
      codecs: { video: SHARE_CODECS, ...(options.onAudio ? { audio: [useOPUS()] } : {}) },
    });
    // One track: the first video track's packets in the agreed codec are assembled. The track
    // comes during setRemoteDescription, before `answer` has chosen the codec: the assembler
    // is made with the first packet.
    this.pc.onTrack.subscribe((track) => {
      if (track.kind === "audio" && this.options.onAudio) {
        track.onReceiveRtp.subscribe((packet) => {
          this.#heard = performance.now();
          if (!this.#closed) this.options.onAudio?.(packet);
        });
        return;
      }
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
    for (const other of this.pc.getTransceivers()) {
      if (other.kind === "audio" && this.options.onAudio) other.setDirection("recvonly");
    }
    this.#answeredAt = performance.now();
    this.#silence = setInterval(() => {
      const heard = { answeredAt: this.#answeredAt, heardAt: this.#heard };
      if (shareGone(performance.now(), heard)) this.close();
    }, 1_000);
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    return await gatheredSdp(this.pc);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Asks the browser for a keyframe now (an RTCP PLI), however recently it was asked. */
  keyframe(): void {
    this.#lastPli = 0;
    this.#pli();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#silence);
    this.pc.close().catch(() => {});
    this.options.onClosed();
  }

  #frame(frame: ShareFrame) {
    if (this.#closed || !this.codec) return;
    this.#size = frame.size ?? this.#size;
    if (!this.#size) return;
    this.framesIn++;
    this.options.onFrame({ data: frame.data, keyframe: frame.keyframe, ...this.#size });
  }

  #pli() {
    const now = performance.now();
    if (this.#ssrc === null || now - this.#lastPli < PLI_GAP_MS) return;
    this.#lastPli = now;
    const receiver = this.pc.getTransceivers().find((t) => t.kind === "video")?.receiver;
    receiver?.sendRtcpPLI(this.#ssrc).catch(() => {});
  }
}
