/**
 * A browser's RTP video back into whole frames, for the browser share (browser_share.ts) to
 * hand on as the agent's frames — VP8 (RFC 7741), VP9 (RFC 9628, the base spatial layer) and
 * H.264 (RFC 6184, packetization-mode 1), passed through as they came, never transcoded.
 *
 * Packets are put back in order before a frame is cut: the browser resends a lost packet when
 * we NACK it (werift does), and without RTX the resent packet carries its old sequence number,
 * so it arrives after its successors. Cutting frames in arrival order dropped every frame from
 * the first reordered packet to the next keyframe and asked for a keyframe on each — under load
 * a keyframe of many packets rarely arrived whole, and the share showed nothing (issue 18).
 * A frame is the run of packets with one timestamp ending at the marker bit; a hole (a packet
 * missing while later ones arrived) that stays open longer than `HOLE_WAIT_MS`, or a buffer
 * past `MAX_BUFFERED`, drops what is missing and waits for the next keyframe, asked for with
 * `lost()`. A keyframe still arriving (the browser paces it) is no hole, however long it takes.
 */
import { Buffer } from "node:buffer";
import { H264RtpPayload, type RtpPacket, Vp8RtpPayload, Vp9RtpPayload } from "werift";
import { h264FrameSize, vp8KeyframeSize, vp9KeyframeSize } from "./frame_sizes.ts";

export type ShareCodec = "vp8" | "vp9" | "h264";

export interface ShareFrame {
  data: Uint8Array;
  keyframe: boolean;
  /** The picture's size when the frame says it (keyframes; H.264 with its SPS). */
  size: { width: number; height: number } | null;
}

/** A frame larger than this is dropped (the agent's media frames have the same kind of cap). */
const MAX_FRAME_BYTES = 4 * 1024 * 1024;
/** How long a missing packet is waited for (a NACK and its resend) before the frame is lost. */
export const HOLE_WAIT_MS = 250;
const MAX_BUFFERED = 2_000;

/** What differs between codecs: where a frame may start, and the frame from its payloads. */
interface CodecRules {
  /** Whether this packet can begin a frame (checked when resynchronising after a loss). */
  starts(payload: Buffer): boolean;
  /** The frame from its packets' payloads, in order; null when they do not make one. */
  frame(payloads: Buffer[]): ShareFrame | null;
}

const RULES: Record<ShareCodec, CodecRules> = {
  vp8: {
    starts: (payload) => {
      const vp8 = Vp8RtpPayload.deSerialize(payload);
      return vp8.sBit === 1 && vp8.pid === 0;
    },
    frame: (payloads) => {
      const data = _concat(payloads.map((p) => Vp8RtpPayload.deSerialize(p).payload));
      const size = vp8KeyframeSize(data);
      return { data, keyframe: size !== null, size };
    },
  },
  vp9: {
    starts: (payload) => {
      const vp9 = Vp9RtpPayload.deSerialize(payload);
      return vp9.bBit === 1 && !vp9.sid;
    },
    // Only the base spatial layer is relayed: the viewer's packetizer sends single-layer VP9.
    frame: (payloads) => {
      const parsed = payloads.map((p) => Vp9RtpPayload.deSerialize(p)).filter((p) => !p.sid);
      if (parsed.length === 0 || parsed[0].bBit !== 1) return null;
      const data = _concat(parsed.map((p) => p.payload));
      const size = vp9KeyframeSize(data);
      return { data, keyframe: parsed[0].pBit === 0 && size !== null, size };
    },
  },
  h264: {
    // An access unit starts with a whole NAL unit, an aggregation or a fragment's first part.
    starts: (payload) => {
      const type = payload[0] & 0x1f;
      return type !== 28 || (payload[1] & 0x80) !== 0;
    },
    frame: (payloads) => {
      const nals: Buffer[] = [];
      let fragment: Buffer | undefined;
      for (const payload of payloads) {
        const h264 = H264RtpPayload.deSerialize(payload, fragment);
        fragment = h264.fragment;
        if (h264.payload?.length) nals.push(h264.payload);
      }
      if (nals.length === 0) return null;
      const data = _concat(nals); // Annex B: each NAL unit after a start code
      const { idr, size } = h264FrameSize(data);
      return { data, keyframe: idr, size };
    },
  },
};

function _concat(parts: Buffer[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** RTP packets of one stream → whole frames in order (see the top of this file). */
export class FrameAssembler {
  readonly #rules: CodecRules;
  /** Packets by extended sequence number (unwrapped past 65535). */
  readonly #buffered = new Map<number, RtpPacket>();
  #highest = -1;
  /** Extended sequence number of the next frame's first packet (-1: not known yet). */
  #next = -1;
  /** When the oldest open hole was first seen (-1: none). */
  #holeSince = -1;
  #needKeyframe = true;
  framesLost = 0;

  constructor(
    codec: ShareCodec,
    private deliver: (frame: ShareFrame) => void,
    private lost: () => void,
    private now: () => number = () => performance.now(),
  ) {
    this.#rules = RULES[codec];
  }

  push(packet: RtpPacket): void {
    const seq = this.#extend(packet.header.sequenceNumber);
    if (seq < this.#next || this.#buffered.has(seq) || packet.payload.length === 0) return;
    this.#buffered.set(seq, packet);
    if (this.#next === -1) {
      if (!this.#startsFrame(seq)) return this.#trim();
      this.#next = seq;
    }
    while (this.#cutFrame());
    if (!this.#hasHole()) {
      this.#holeSince = -1;
      return;
    }
    if (this.#holeSince === -1) this.#holeSince = this.now();
    if (this.now() - this.#holeSince > HOLE_WAIT_MS || this.#buffered.size > MAX_BUFFERED) {
      this.#resync();
    }
  }

  /** The 16-bit sequence number as a running count, close to the highest seen. */
  #extend(seq: number): number {
    if (this.#highest === -1) {
      this.#highest = seq + 65536;
      return this.#highest;
    }
    const base = this.#highest - (this.#highest & 0xffff);
    let extended = base + seq;
    if (extended - this.#highest > 32768) extended -= 65536;
    else if (this.#highest - extended > 32768) extended += 65536;
    if (extended > this.#highest) this.#highest = extended;
    return extended;
  }

  /** Whether a packet is missing before one that arrived (not merely a frame still coming). */
  #hasHole(): boolean {
    let seq = this.#next;
    while (this.#buffered.has(seq)) seq++;
    return this.#buffered.size > seq - this.#next;
  }

  #startsFrame(seq: number): boolean {
    const packet = this.#buffered.get(seq)!;
    const before = this.#buffered.get(seq - 1);
    if (before && before.header.timestamp === packet.header.timestamp) return false;
    return this.#rules.starts(packet.payload);
  }

  /** Cuts the frame at `#next` when all its packets are here; false when it is not whole. */
  #cutFrame(): boolean {
    const first = this.#buffered.get(this.#next);
    if (!first) return false;
    const packets: RtpPacket[] = [];
    let bytes = 0;
    for (let seq = this.#next;; seq++) {
      const packet = this.#buffered.get(seq);
      if (!packet || packet.header.timestamp !== first.header.timestamp) return false;
      packets.push(packet);
      bytes += packet.payload.length;
      if (bytes > MAX_FRAME_BYTES) {
        this.#resync();
        return false;
      }
      if (!packet.header.marker) continue;
      for (let s = this.#next; s <= seq; s++) this.#buffered.delete(s);
      this.#next = seq + 1;
      this.#holeSince = -1;
      this.#hand(packets);
      return true;
    }
  }

  #hand(packets: RtpPacket[]) {
    let frame: ShareFrame | null = null;
    try {
      frame = this.#rules.frame(packets.map((p) => p.payload));
    } catch {
      frame = null; // a malformed payload: as good as lost
    }
    if (!frame || (this.#needKeyframe && !frame.keyframe)) {
      this.#needKeyframe = true;
      this.framesLost++;
      this.lost();
      return;
    }
    this.#needKeyframe = false;
    this.deliver(frame);
  }

  /** A hole that did not fill: skip to the first frame start after it, wait for a keyframe. */
  #resync() {
    this.framesLost++;
    this.#needKeyframe = true;
    this.lost();
    const stuck = this.#buffered.get(this.#next)?.header.timestamp;
    const starts = [...this.#buffered.keys()].sort((a, b) => a - b).filter((seq) =>
      seq > this.#next && this.#buffered.get(seq)!.header.timestamp !== stuck &&
      this.#startsFrame(seq)
    );
    this.#next = starts[0] ?? this.#highest + 1;
    for (const seq of this.#buffered.keys()) if (seq < this.#next) this.#buffered.delete(seq);
    this.#holeSince = -1;
    while (this.#cutFrame());
  }

  /** Before the first frame start: keep only a little. */
  #trim() {
    if (this.#buffered.size <= MAX_BUFFERED) return;
    for (const seq of [...this.#buffered.keys()].slice(0, this.#buffered.size - MAX_BUFFERED)) {
      this.#buffered.delete(seq);
    }
  }
}
