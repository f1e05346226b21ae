/**
 * Screen media from the agent to the server: one binary WebSocket frame per encoded video
 * frame, a fixed 16-byte header then the codec's bytes. The server relays the payload to
 * each technician's browser as a WebRTC video track; the header carries what the relay and
 * the viewer's readout need. Like the JSON channel, decoding refuses bad input with a code
 * and never throws.
 *
 * Header (big-endian): 0 magic 0x52 ('R') · 1 version · 2 codec (1 = VP8, 2 = VP9, 3 = H.264;
 * the agent sends VP8, a browser share on the server may bring the others) · 3 flags
 * (bit 0 keyframe) · 4 width u16 · 6 height u16 · 8 capture time f64 (ms since the epoch,
 * the agent's clock).
 */
export const MEDIA_HEADER_BYTES = 16;
/** Largest encoded frame accepted (a 4K keyframe at high quality fits). */
export const MAX_MEDIA_FRAME_BYTES = 4 * 1024 * 1024;
const MAGIC = 0x52;
const MEDIA_VERSION = 1;
export const CODECS = { vp8: 1, vp9: 2, h264: 3 } as const;
export type Codec = keyof typeof CODECS;

export interface MediaFrame {
  codec: Codec;
  keyframe: boolean;
  width: number;
  height: number;
  capturedAt: number;
  data: Uint8Array;
}

export function encodeMediaFrame(frame: MediaFrame): Uint8Array {
  const out = new Uint8Array(MEDIA_HEADER_BYTES + frame.data.byteLength);
  const view = new DataView(out.buffer);
  view.setUint8(0, MAGIC);
  view.setUint8(1, MEDIA_VERSION);
  view.setUint8(2, CODECS[frame.codec]);
  view.setUint8(3, frame.keyframe ? 1 : 0);
  view.setUint16(4, frame.width);
  view.setUint16(6, frame.height);
  view.setFloat64(8, frame.capturedAt);
  out.set(frame.data, MEDIA_HEADER_BYTES);
  return out;
}

export type DecodedMedia =
  | { ok: true; frame: MediaFrame }
  | {
    ok: false;
    code: "too_large" | "too_small" | "magic" | "version" | "codec" | "invalid";
    reason: string;
  };

export function decodeMediaFrame(bytes: Uint8Array): DecodedMedia {
  if (bytes.byteLength > MEDIA_HEADER_BYTES + MAX_MEDIA_FRAME_BYTES) {
    return {
      ok: false,
      code: "too_large",
      reason: `A media frame is at most ${MAX_MEDIA_FRAME_BYTES} bytes`,
    };
  }
  if (bytes.byteLength <= MEDIA_HEADER_BYTES) {
    return { ok: false, code: "too_small", reason: "A media frame needs a header and a payload" };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint8(0) !== MAGIC) return { ok: false, code: "magic", reason: "Not a media frame" };
  if (view.getUint8(1) !== MEDIA_VERSION) {
    return {
      ok: false,
      code: "version",
      reason: `Media version ${view.getUint8(1)} is not ${MEDIA_VERSION}`,
    };
  }
  const codec = (Object.keys(CODECS) as Codec[]).find((name) => CODECS[name] === view.getUint8(2));
  if (!codec) return { ok: false, code: "codec", reason: `Unknown codec ${view.getUint8(2)}` };
  const flags = view.getUint8(3);
  const width = view.getUint16(4);
  const height = view.getUint16(6);
  const capturedAt = view.getFloat64(8);
  if (
    (flags & ~1) !== 0 || width === 0 || height === 0 || !Number.isFinite(capturedAt) ||
    capturedAt < 0
  ) {
    return { ok: false, code: "invalid", reason: "Bad flags, size or capture time" };
  }
  return {
    ok: true,
    frame: {
      codec,
      keyframe: (flags & 1) === 1,
      width,
      height,
      capturedAt,
      data: bytes.subarray(MEDIA_HEADER_BYTES),
    },
  };
}
