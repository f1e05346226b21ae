// RTP packetizer for VP8 (RFC 7741) — one encoded frame in, RTP packets out.
//
// Packets are plain bytes: a 12-byte RTP header (RFC 3550: V=2, no padding, no CSRC), when asked
// for the playout-delay header extension (RFC 8285 one-byte form, below), then a 4-byte VP8
// payload descriptor with a 15-bit PictureID:
//
//    0 1 2 3 4 5 6 7
//   +-+-+-+-+-+-+-+-+
//   |X|R|N|S|R| PID |  X=1, N=0, S=1 on the frame's first packet, PID=0 (one partition)
//   +-+-+-+-+-+-+-+-+
//   |I|L|T|K| RSV   |  I=1 (PictureID present), L=T=K=0
//   +-+-+-+-+-+-+-+-+
//   |M| PictureID   |  M=1: 15-bit PictureID, same on every packet of a frame,
//   +-+-+-+-+-+-+-+-+      +1 per frame, wraps at 2^15
//   |   PictureID   |
//   +-+-+-+-+-+-+-+-+
//
// then a slice of the frame. Playout delay (http://www.webrtc.org/experiments/rtp-hdrext/
// playout-delay) tells the browser how long it may hold frames to smooth playback; a remote
// screen wants min = max = 0: show each frame as soon as it is decoded. The marker bit is set on the frame's last packet. Each returned
// packet is a node:buffer `Buffer` (a Uint8Array subclass), so werift's `track.writeRtp(packet)`
// accepts it as is (werift rewrites SSRC, payload type and offsets sequence/timestamp itself).

import { Buffer } from "node:buffer";

export interface RtpPacketizerOptions {
  payloadType: number;
  ssrc: number;
  /**
   * Maximum RTP payload per packet in bytes — VP8 payload descriptor (4) + VP8 data, not
   * counting the 12-byte RTP header. Default 1100 (fits SRTP + TURN overheads in 1280).
   */
  mtu?: number;
  /** First packet's sequence number (default random, RFC 3550 §5.1). */
  sequenceNumber?: number;
  /** First frame's PictureID, 0…32767 (default random). */
  pictureId?: number;
  /** Added to the 90 kHz timestamp (default 0: timestamp = round(ms × 90) mod 2^32). */
  timestampOffset?: number;
}

/** The playout-delay extension's URI, as negotiated in SDP (a=extmap). */
export const PLAYOUT_DELAY_URI = "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay";
/** One-byte header extension block with one 3-byte element: 0xBEDE, length 1, element. */
const PLAYOUT_EXTENSION_LENGTH = 8;

/** RTP fixed header length. */
export const RTP_HEADER_LENGTH = 12;
/** VP8 payload descriptor length used here (X=1, I=1, M=1). */
export const VP8_DESCRIPTOR_LENGTH = 4;

function randomUint(bits: 15 | 16): number {
  const v = crypto.getRandomValues(new Uint16Array(1))[0];
  return bits === 15 ? v & 0x7fff : v;
}

function checkInt(name: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`${name} must be an integer in ${min}…${max}, got ${v}`);
  }
}

export class Vp8Packetizer {
  readonly payloadType: number;
  readonly ssrc: number;
  readonly mtu: number;
  readonly timestampOffset: number;
  #seq: number;
  #pictureId: number;
  #playoutDelayId = 0;

  constructor(o: RtpPacketizerOptions) {
    checkInt("payloadType", o.payloadType, 0, 127);
    checkInt("ssrc", o.ssrc, 0, 0xffffffff);
    const mtu = o.mtu ?? 1100;
    checkInt("mtu", mtu, VP8_DESCRIPTOR_LENGTH + 1, 65535 - RTP_HEADER_LENGTH);
    const ts = o.timestampOffset ?? 0;
    checkInt("timestampOffset", ts, 0, 0xffffffff);
    this.payloadType = o.payloadType;
    this.ssrc = o.ssrc;
    this.mtu = mtu;
    this.timestampOffset = ts;
    this.#seq = o.sequenceNumber ?? randomUint(16);
    checkInt("sequenceNumber", this.#seq, 0, 0xffff);
    this.#pictureId = o.pictureId ?? randomUint(15);
    checkInt("pictureId", this.#pictureId, 0, 0x7fff);
  }

  /**
   * Adds the playout-delay extension (min = max = 0) under the negotiated id (1…14) to every
   * packet from now on; 0 stops adding it.
   */
  set playoutDelayId(id: number) {
    checkInt("playoutDelayId", id, 0, 14);
    this.#playoutDelayId = id;
  }

  get playoutDelayId(): number {
    return this.#playoutDelayId;
  }

  /** Sequence number the next packet will carry. */
  get sequenceNumber(): number {
    return this.#seq;
  }

  /** PictureID the next frame will carry. */
  get pictureId(): number {
    return this.#pictureId;
  }

  /** The 90 kHz RTP timestamp for a time in milliseconds. */
  rtpTimestamp(timestampMs: number): number {
    if (!Number.isFinite(timestampMs)) throw new RangeError(`bad timestamp ${timestampMs}`);
    const t = (Math.round(timestampMs * 90) + this.timestampOffset) % 0x100000000;
    return t < 0 ? t + 0x100000000 : t;
  }

  /**
   * One encoded frame → RTP packets (node `Buffer`s). The marker bit is set on the last one;
   * S=1, PID=0 on the first; all carry the frame's PictureID and the 90 kHz timestamp of
   * `timestampMs` (any millisecond clock, e.g. performance.now()).
   */
  packetize(frame: Uint8Array, timestampMs: number): Uint8Array[] {
    if (frame.byteLength === 0) throw new RangeError("empty VP8 frame");
    const timestamp = this.rtpTimestamp(timestampMs);
    const maxData = this.mtu - VP8_DESCRIPTOR_LENGTH;
    const count = Math.ceil(frame.byteLength / maxData);
    // Spread the bytes evenly rather than leaving a runt last packet.
    const base = Math.floor(frame.byteLength / count), extra = frame.byteLength % count;
    const pid = this.#pictureId;
    const packets: Uint8Array[] = [];
    let offset = 0;
    const ext = this.#playoutDelayId ? PLAYOUT_EXTENSION_LENGTH : 0;
    const head = RTP_HEADER_LENGTH + ext;
    for (let i = 0; i < count; i++) {
      const len = base + (i < extra ? 1 : 0);
      const p = Buffer.allocUnsafe(head + VP8_DESCRIPTOR_LENGTH + len);
      const last = i === count - 1;
      p[0] = ext ? 0x90 : 0x80; // V=2, P=0, X=extension present, CC=0
      p[1] = (last ? 0x80 : 0) | this.payloadType;
      p.writeUInt16BE(this.#seq, 2);
      p.writeUInt32BE(timestamp, 4);
      p.writeUInt32BE(this.ssrc, 8);
      if (ext) {
        p.writeUInt16BE(0xbede, 12); // one-byte header extensions
        p.writeUInt16BE(1, 14); // one 32-bit word follows
        p[16] = (this.#playoutDelayId << 4) | 2; // id, length - 1
        p[17] = p[18] = p[19] = 0; // min 0, max 0 (12 bits each, 10 ms units)
      }
      p[head] = 0x80 | (i === 0 ? 0x10 : 0); // X=1, N=0, S, PID=0
      p[head + 1] = 0x80; // I=1
      p[head + 2] = 0x80 | (pid >> 8); // M=1, PictureID high 7 bits
      p[head + 3] = pid & 0xff;
      p.set(frame.subarray(offset, offset + len), head + VP8_DESCRIPTOR_LENGTH);
      offset += len;
      this.#seq = (this.#seq + 1) & 0xffff;
      packets.push(p);
    }
    this.#pictureId = (pid + 1) & 0x7fff;
    return packets;
  }
}
