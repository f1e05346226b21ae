/**
 * One technician's WebRTC connection for the remote view: a werift peer with one send-only
 * video track in the codec the picture comes in — VP8 from the agent; VP8, VP9 or H.264 from
 * a browser share, offered with the parameters the customer's browser agreed to so the
 * frames pass through untouched. The encoded frames (one encoder per session) are packetized
 * here per viewer, so each viewer has its own sequence numbers and its own congestion state:
 *
 * - a viewer that joins, or reports picture loss (PLI/FIR), waits for the next keyframe
 *   and asks for one (rate-limited), skipping delta frames it could not decode anyway — except
 *   a PLI from a viewer whose receiver report shows it got every packet (`pictureHeld`);
 * - a viewer whose estimated bandwidth (REMB) cannot carry the frames it is sent, and whose
 *   link shows it (loss in its receiver reports, or a long round trip), drops to "waiting
 *   for a keyframe" instead of queueing, so a slow viewer skips frames while a fast one gets
 *   every frame. REMB alone is not enough: Chromium's estimate stays near what it has been
 *   receiving, so after a quiet spell (typing) it is far below what a burst of motion needs,
 *   and skipping on it alone kept a fast viewer at 3–6 fps (measured at "high").
 *
 * Sending never waits on a viewer: a frame is handed to each peer and the relay moves on.
 *
 * Packets are werift's own: its packetizers (VP8 RFC 7741 with a 15-bit PictureID, VP9 RFC
 * 9628's minimal descriptor, H.264 RFC 6184 mode 1) build `RtpPacket`
 * objects that the sender takes as they are, so no RTP bytes are written here only for werift
 * to parse them again. The one thing werift does not add is the playout-delay extension.
 */
import { Buffer } from "node:buffer";
import {
  H264Packetizer,
  MediaStreamTrack,
  RTCPeerConnection,
  type RTCRtpTransceiver,
  type RtpPacket,
  useH264,
  useOPUS,
  useVP8,
  useVP9,
  Vp8Packetizer,
  Vp9Packetizer,
} from "werift";
import { guardDtlsRetransmissions } from "./dtls_guard.ts";
import { gatheredSdp } from "./ice_gathering.ts";

/** The codec of the picture and, for a browser share, the SDP parameters its browser agreed. */
export interface RelayCodec {
  name: "vp8" | "vp9" | "h264";
  parameters?: string;
}

/** What the relay needs of a werift packetizer. */
export interface FramePacketizer {
  packetize(data: Buffer, rtpTimestamp: number, options?: { isKeyframe?: boolean }): RtpPacket[];
}

const FEEDBACK = [
  { type: "nack" },
  { type: "nack", parameter: "pli" },
  { type: "ccm", parameter: "fir" },
  { type: "goog-remb" },
];

/** The codec offered to a viewer: the picture's own, with its browser's parameters. */
function _offered(codec: RelayCodec) {
  const common = { rtcpFeedback: FEEDBACK };
  const parameters = codec.parameters ? { parameters: codec.parameters } : {};
  if (codec.name === "vp9") return useVP9({ ...common, parameters: "profile-id=0", ...parameters });
  if (codec.name === "h264") return useH264({ ...common, ...parameters });
  return useVP8(common);
}

function _packetizer(codec: RelayCodec): FramePacketizer {
  const options = { maxPayloadSize: MAX_RTP_PAYLOAD };
  if (codec.name === "vp9") return new Vp9Packetizer(options);
  if (codec.name === "h264") return new H264Packetizer(options);
  return new Vp8Packetizer(options);
}

export interface ViewerPeerOptions {
  /** Names this peer's offer; the island's answer echoes it (hub.ts `answer`). */
  id?: number;
  /** Addresses to offer as host candidates beyond the machine's interfaces. */
  hostAddresses: string[];
  /** Called when this viewer needs a keyframe (join, picture loss, fell behind). */
  wantKeyframe: () => void;
  /** The picture's codec (default VP8, the agent's). */
  codec?: RelayCodec;
  /** A send-only Opus track beside the picture (Lens: the customer's microphone). */
  audio?: boolean;
}

export interface RelayFrame {
  data: Uint8Array;
  keyframe: boolean;
  capturedAt: number;
}

/** Bytes a viewer may be ahead of its estimated bandwidth before it skips to a keyframe. */
const BURST_BYTES = 2 * 1024 * 1024;
/** A viewer's link is congested above this loss (last receiver report)… */
const CONGESTED_LOSS = 0.02;
/** …or this round trip. */
const CONGESTED_RTT_MS = 250;

/**
 * Whether a viewer skips a delta frame: it is over its REMB byte budget and its link shows
 * congestion. Keyframes always go (they are what a waiting viewer needs).
 */
export function shouldSkip(
  o: { keyframe: boolean; overBudget: boolean; fractionLost?: number; rttMs?: number },
): boolean {
  if (o.keyframe || !o.overBudget) return false;
  return (o.fractionLost ?? 0) > CONGESTED_LOSS || (o.rttMs ?? 0) > CONGESTED_RTT_MS;
}

/** A PLI this soon after one left unanswered is answered: a failed decoder asks every 200 ms. */
const PLI_AGAIN_MS = 1_000;

/** What a viewer's last receiver report said (RFC 3550 §6.4.1). */
export interface ViewerReport {
  /** Extended highest sequence number received. */
  highestSequence: number;
  /** Cumulative number of packets lost. */
  packetsLost: number;
}

/** Frames whose last packet counts as a whole picture held (`pictureHeld`). */
const FRAME_ENDS_KEPT = 32;

/**
 * Whether a PLI may go unanswered because the viewer holds a whole picture: it waits for no
 * keyframe, its receiver report (Chromium sends one with each PLI) has the last packet of one
 * of the frames recently sent to it as the highest received — later ones may still be on their
 * way: on a loaded machine the PLI waits in the server while frames go out — and no more loss
 * than when it was last sent a keyframe. Chromium also asks when it has decoded nothing for 3 s
 * while packets keep coming (a still screen whose keep-alive came late) and its decoder then
 * takes the next delta frame as it is; a 150 KB keyframe would be the only cost (bench:remote
 * idle). Real loss shows in the report or, for a frame lost whole, in the next one's gap
 * (NACK, then a report); a decoder that failed asks again within PLI_AGAIN_MS; the island asks
 * over its socket when frames arrive and do not decode (islands/remote_view/stats.ts).
 */
export function pictureHeld(o: {
  waiting: boolean;
  /** Sequence numbers of the last packets of the frames recently sent. */
  frameEnds: readonly number[];
  report?: ViewerReport;
  lostAtKeyframe: number;
  sinceUnansweredMs: number;
}): boolean {
  if (o.waiting || !o.report || o.sinceUnansweredMs < PLI_AGAIN_MS) return false;
  return o.frameEnds.includes(o.report.highestSequence & 0xffff) &&
    o.report.packetsLost <= o.lostAtKeyframe;
}

/**
 * Playout delay tells the browser how long it may hold frames to smooth playback; a remote
 * screen wants min = max = 0: show each frame as soon as it is decoded.
 */
export const PLAYOUT_DELAY_URI = "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay";
/** The id offered; the one in use is the answer's (werift keeps what both sides agreed). */
const PLAYOUT_DELAY_ID = 1;
/** The extension's value: min 0, max 0 (two 12-bit fields in 10 ms units). */
const PLAYOUT_NOW = Buffer.from([0, 0, 0]);
/** RTP payload per packet, VP8 descriptor included: fits SRTP and TURN overheads in 1280. */
export const MAX_RTP_PAYLOAD = 1100;

/** The 90 kHz RTP timestamp of a time in milliseconds (any clock; wraps at 2^32, ≈ 13.3 h). */
export function rtpTimestamp(ms: number): number {
  return Math.round(ms * 90) >>> 0;
}

/**
 * One encoded frame as one viewer's RTP packets (its packetizer keeps its sequence numbers
 * and PictureID), each carrying playout delay 0 under `playoutDelayId` when one was agreed.
 */
export function framePackets(
  packetizer: FramePacketizer,
  frame: RelayFrame,
  playoutDelayId?: number,
): RtpPacket[] {
  const data = Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength);
  const packets = packetizer.packetize(data, rtpTimestamp(frame.capturedAt), {
    isKeyframe: frame.keyframe,
  });
  if (playoutDelayId) {
    for (const packet of packets) {
      packet.header.extensions.push({ id: playoutDelayId, payload: PLAYOUT_NOW });
    }
  }
  return packets;
}

export class ViewerPeer {
  readonly pc: RTCPeerConnection;
  readonly id: number;
  /** The codec it offered: it is handed only frames in this codec (hub.ts `media`). */
  readonly codec: RelayCodec;
  /** When it was made (performance.now()). */
  readonly createdAt = performance.now();
  readonly #transceiver: RTCRtpTransceiver;
  readonly #audio: RTCRtpTransceiver | undefined;
  /** werift's sender sets the negotiated payload type and its own SSRC on every packet. */
  readonly #packetizer: FramePacketizer;
  #playoutDelayId: number | undefined;
  #waitingForKeyframe = true;
  #budget = BURST_BYTES;
  #budgetAt = performance.now();
  #closed = false;
  #connected = false;
  /** Recent frames' last sequence numbers, the viewer's last report, its loss at our keyframe. */
  #frameEnds: number[] = [];
  #report: ViewerReport | undefined;
  #lostAtKeyframe = 0;
  #unansweredAt = -Infinity;
  framesSent = 0;
  framesSkipped = 0;
  bytesSent = 0;
  /** PLIs left unanswered: the viewer held the picture (`pictureHeld`). */
  plisUnanswered = 0;

  constructor(private options: ViewerPeerOptions) {
    const codec = options.codec ?? { name: "vp8" };
    this.codec = codec;
    this.id = options.id ?? 0;
    this.#packetizer = _packetizer(codec);
    this.pc = new RTCPeerConnection({
      iceAdditionalHostAddresses: options.hostAddresses,
      // A remote screen is shown as soon as each frame is decoded, never smoothed.
      headerExtensions: { video: [{ id: PLAYOUT_DELAY_ID, uri: PLAYOUT_DELAY_URI }] },
      codecs: { video: [_offered(codec)], ...(options.audio ? { audio: [useOPUS()] } : {}) },
    });
    this.#transceiver = this.pc.addTransceiver(new MediaStreamTrack({ kind: "video" }), {
      direction: "sendonly",
    });
    if (options.audio) {
      this.#audio = this.pc.addTransceiver(new MediaStreamTrack({ kind: "audio" }), {
        direction: "sendonly",
      });
    }
    this.#transceiver.sender.onPictureLossIndication.subscribe(() => this.#pictureLoss());
    // Frames before the connection is up are lost: start with a keyframe once it is.
    this.pc.connectionStateChange.subscribe((state) => {
      this.#connected = state === "connected";
      if (this.#connected) this.#lost();
    });
    this.#transceiver.sender.onRtcp.subscribe((packet) => {
      // FIR arrives as a payload-specific feedback with format 4.
      const feedback = packet as { type?: number; feedback?: { count?: number } };
      if (feedback.type === 206 && feedback.feedback?.count === 4) this.#lost();
      // Receiver reports (RR, or in an SR) come before the PLI in the same compound packet.
      const reports = (packet as { reports?: (ViewerReport & { ssrc: number })[] }).reports;
      const mine = reports?.find((r) => r.ssrc === this.#transceiver.sender.ssrc);
      if (mine) {
        this.#report = { highestSequence: mine.highestSequence, packetsLost: mine.packetsLost };
      }
    });
  }

  /** The offer, with every candidate in it (no trickle: one message each way). */
  async offer(): Promise<string> {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    return await gatheredSdp(this.pc);
  }

  async answer(sdp: string): Promise<void> {
    // mDNS (.local) candidates cannot be resolved here; the browser's real address is
    // learnt from its connectivity checks instead.
    const cleaned = sdp.split(/\r?\n/).filter((line) =>
      !/^a=candidate:.* [0-9a-f-]+\.local /i.test(line)
    ).join("\r\n");
    await this.pc.setRemoteDescription({ type: "answer", sdp: cleaned });
    // We are the DTLS server (the browser answers a=setup:active); a flight the browser
    // retransmits while a loaded server is still answering must not reach werift, which
    // recomputed its keys on it — connected, and every packet failing SRTP (dtls_guard.ts).
    guardDtlsRetransmissions(this.#transceiver.dtlsTransport);
    // Only when the browser accepted the extension (it answers with the same a=extmap).
    this.#playoutDelayId = this.#transceiver.headerExtensions
      .find((extension) => extension.uri === PLAYOUT_DELAY_URI)?.id;
  }

  /** Estimated bandwidth towards this viewer, in bits per second, when the browser said. */
  get estimatedBitrate(): number | undefined {
    const value = this.#transceiver.sender.receiverEstimatedMaxBitrate;
    return typeof value === "bigint" ? Number(value) : value || undefined;
  }

  get roundTripMs(): number | undefined {
    const rtt = (this.#transceiver.sender as unknown as { rtt?: number }).rtt;
    return rtt === undefined ? undefined : rtt * 1000;
  }

  /** Share of packets lost in the browser's last receiver report (0…1), when it sent one. */
  get fractionLost(): number | undefined {
    return (this.#transceiver.sender as unknown as { remoteFractionLost?: number })
      .remoteFractionLost;
  }

  send(frame: RelayFrame): void {
    if (this.#closed || !this.#connected) return;
    if (this.#waitingForKeyframe && !frame.keyframe) {
      this.framesSkipped++;
      return;
    }
    const overBudget = !this.#withinBudget(frame.data.byteLength);
    if (
      shouldSkip({
        keyframe: frame.keyframe,
        overBudget,
        fractionLost: this.fractionLost,
        rttMs: this.roundTripMs,
      })
    ) {
      this.framesSkipped++;
      this.#lost();
      return;
    }
    this.#waitingForKeyframe = false;
    if (frame.keyframe) this.#lostAtKeyframe = this.#report?.packetsLost ?? 0;
    this.framesSent++;
    this.bytesSent += frame.data.byteLength;
    const packets = framePackets(this.#packetizer, frame, this.#playoutDelayId);
    for (const packet of packets) this.#transceiver.sender.sendRtp(packet).catch(() => {});
    const end = packets.at(-1)?.header.sequenceNumber;
    if (end !== undefined) this.#frameEnds.push(end);
    if (this.#frameEnds.length > FRAME_ENDS_KEPT) this.#frameEnds.shift();
  }

  /**
   * One RTP packet of the customer's Opus audio, passed on as it came (werift's sender puts
   * its own SSRC and payload type on it); nothing without an audio track or a connection.
   */
  sendAudio(packet: RtpPacket): void {
    if (this.#closed || !this.#connected || !this.#audio) return;
    this.#audio.sender.sendRtp(packet).catch(() => {});
  }

  /** A PLI: a keyframe, unless the viewer holds the current picture (`pictureHeld`). */
  #pictureLoss() {
    const now = performance.now();
    const held = pictureHeld({
      waiting: this.#waitingForKeyframe,
      frameEnds: this.#frameEnds,
      report: this.#report,
      lostAtKeyframe: this.#lostAtKeyframe,
      sinceUnansweredMs: now - this.#unansweredAt,
    });
    if (!held) return this.#lost();
    this.#unansweredAt = now;
    this.plisUnanswered++;
  }

  #withinBudget(bytes: number): boolean {
    const now = performance.now();
    const rate = this.estimatedBitrate;
    if (rate === undefined) return true;
    this.#budget = Math.min(BURST_BYTES, this.#budget + (now - this.#budgetAt) * rate / 8000);
    this.#budgetAt = now;
    if (this.#budget < bytes) return false;
    this.#budget -= bytes;
    return true;
  }

  #lost() {
    this.#waitingForKeyframe = true;
    this.options.wantKeyframe();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.pc.close().catch(() => {});
  }
}
