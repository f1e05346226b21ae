/**
 * A customer's screen shared from the browser (`getDisplayMedia`, no support app): a werift
 * peer that receives one VP8 video track, turns its RTP back into whole frames and hands them
 * to the session's `RemoteSession` as if the agent had sent them — so the technicians'
 * viewers, stats, screenshots and relay are the agent's own. The share stands in for the
 * agent through an `AgentLink` that is view only: the customer sharing is their consent to
 * view; control requests are answered "no"; a keyframe request becomes an RTCP PLI to the
 * browser; a revoke (the customer's or a technician's, hold, transfer, end) closes the peer.
 *
 * VP8 only: the relay to viewers packetizes VP8, so VP9 and H.264 are neither negotiated nor
 * passed through (a browser that cannot send VP8 is refused by the offer's answer).
 */
import { Buffer } from "node:buffer";
import { RTCPeerConnection, type RtpPacket, useVP8, Vp8RtpPayload } from "werift";
import type { ServerMessage } from "../../protocol/mod.ts";
import type { AgentLink, RemoteSession } from "./hub.ts";

const GATHER_TIMEOUT_MS = 2_000;
/** A frame larger than this is dropped (the agent's media frames have the same kind of cap). */
const MAX_FRAME_BYTES = 4 * 1024 * 1024;
const PLI_GAP_MS = 300;

/** Width and height from a VP8 keyframe's header (RFC 6386 §9.1), or null when not one. */
export function vp8KeyframeSize(data: Uint8Array): { width: number; height: number } | null {
  if (data.byteLength < 10 || (data[0] & 1) !== 0) return null;
  if (data[3] !== 0x9d || data[4] !== 0x01 || data[5] !== 0x2a) return null;
  const width = (data[6] | (data[7] << 8)) & 0x3fff;
  const height = (data[8] | (data[9] << 8)) & 0x3fff;
  return width && height ? { width, height } : null;
}

/**
 * RTP packets of one VP8 stream → whole frames (RFC 7741): a frame starts at a packet with S=1
 * and partition 0 and ends at the marker bit; a gap in sequence numbers drops the frame in
 * progress and every frame until the next keyframe (asked for with `lost()`).
 */
export class Vp8Depacketizer {
  #parts: Buffer[] = [];
  #bytes = 0;
  #timestamp = -1;
  #nextSeq = -1;
  #needKeyframe = true;

  constructor(
    private deliver: (frame: { data: Uint8Array; keyframe: boolean }) => void,
    private lost: () => void,
  ) {}

  push(packet: RtpPacket): void {
    const { sequenceNumber, timestamp, marker } = packet.header;
    if (this.#nextSeq !== -1 && sequenceNumber !== this.#nextSeq) this.#drop();
    this.#nextSeq = (sequenceNumber + 1) & 0xffff;
    if (packet.payload.length === 0) return;
    const vp8 = Vp8RtpPayload.deSerialize(packet.payload);
    if (vp8.sBit === 1 && vp8.pid === 0) {
      this.#parts = [];
      this.#bytes = 0;
      this.#timestamp = timestamp;
    } else if (timestamp !== this.#timestamp || this.#parts.length === 0) {
      return; // the middle of a frame whose start was lost
    }
    this.#parts.push(vp8.payload);
    this.#bytes += vp8.payload.length;
    if (this.#bytes > MAX_FRAME_BYTES) return this.#drop();
    if (!marker) return;
    const data = new Uint8Array(Buffer.concat(this.#parts, this.#bytes));
    this.#parts = [];
    this.#bytes = 0;
    this.#timestamp = -1;
    const keyframe = vp8KeyframeSize(data) !== null;
    if (this.#needKeyframe && !keyframe) {
      this.lost();
      return;
    }
    this.#needKeyframe = false;
    this.deliver({ data, keyframe });
  }

  #drop() {
    this.#parts = [];
    this.#bytes = 0;
    this.#timestamp = -1;
    this.#needKeyframe = true;
    this.lost();
  }
}

/** One customer's browser share, standing in for the agent on the session's `RemoteSession`. */
export class BrowserShare {
  readonly pc: RTCPeerConnection;
  readonly link: AgentLink & { viewOnly: true };
  #ssrc: number | null = null;
  #size: { width: number; height: number } | null = null;
  #lastPli = 0;
  #closed = false;
  #attached = false;
  framesIn = 0;

  constructor(
    private remote: RemoteSession,
    hostAddresses: string[],
    private onEnded: () => void = () => {},
  ) {
    this.pc = new RTCPeerConnection({
      iceAdditionalHostAddresses: hostAddresses,
      codecs: {
        video: [
          useVP8({
            rtcpFeedback: [{ type: "nack" }, { type: "nack", parameter: "pli" }, {
              type: "goog-remb",
            }],
          }),
        ],
      },
    });
    this.link = {
      viewOnly: true,
      send: (message) => this.#told(message),
      close: () => this.close(),
    };
    const depacketizer = new Vp8Depacketizer((frame) => this.#frame(frame), () => this.#pli());
    this.pc.onTrack.subscribe((track) => {
      if (track.kind !== "video") return;
      track.onReceiveRtp.subscribe((packet) => {
        this.#ssrc = packet.header.ssrc;
        depacketizer.push(packet);
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
    video.setDirection("recvonly");
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

  /** Stops the share: the peer closes, view ends, the session has no "agent" again. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.pc.close().catch(() => {});
    if (this.#attached) {
      this.remote.customerRevoke("view");
      this.remote.agentLeft(this.link);
    }
    this.onEnded();
  }

  #frame(frame: { data: Uint8Array; keyframe: boolean }) {
    if (this.#closed) return;
    if (frame.keyframe) this.#size = vp8KeyframeSize(frame.data) ?? this.#size;
    if (!this.#size) return;
    this.framesIn++;
    if (!this.#attached) {
      // The first picture: the share stands in for the agent, and sharing is the consent.
      this.#attached = true;
      this.remote.agentAttached(this.link, this.#size, null);
      this.remote.agentConsent("view", true);
    }
    this.remote.media({ codec: "vp8", capturedAt: Date.now(), ...this.#size, ...frame });
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
