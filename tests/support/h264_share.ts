/**
 * A customer's browser that sends H.264, for the share tests (issue 18): Safari prefers H.264,
 * and this machine's Chromium offers it but has no H.264 encoder. A werift peer stands in for
 * the browser's side of `static/customer_share.js`: it offers H.264 only, posts the offer to
 * the session's share route with the customer page's CSRF token, and sends a real H.264 clip
 * (tests/fixtures/h264_pattern_640x360.h264) at 30 frames a second, looping, packetized by
 * werift (RFC 6184 FU-A). The clip was made once with
 *
 *   ffmpeg -f lavfi -i "color=c=0x2060d0:size=640x360:rate=30,drawbox=x='mod(t*300\,600)':y=150:
 *     w=40:h=40:color=white:t=fill" -t 2 -c:v libx264 -profile:v baseline -level 3.1
 *     -pix_fmt yuv420p -g 30 -bf 0 -tune zerolatency
 *     -x264-params "repeat-headers=1:slices=1:keyint=30:min-keyint=30:scenecut=0" -b:v 300k
 *     -f h264 h264_pattern_640x360.h264
 *
 * (a blue screen with a white square moving across it; SPS and PPS before every IDR, an IDR
 * every 30 frames).
 */
import { Buffer } from "node:buffer";
import { H264Packetizer, RTCPeerConnection, useH264 } from "werift";

export const H264_CLIP = new URL("../fixtures/h264_pattern_640x360.h264", import.meta.url);
/** The clip's background, as the technician's view should show it (BT.601 round trip). */
export const H264_CLIP_BLUE: [number, number, number] = [0x20, 0x60, 0xd0];

/** The NAL units of an Annex-B stream (start codes removed), in order. */
export function nalUnits(stream: Uint8Array): Uint8Array[] {
  const starts: { at: number; code: number }[] = [];
  for (let i = 0; i + 2 < stream.length; i++) {
    if (stream[i] === 0 && stream[i + 1] === 0 && stream[i + 2] === 1) {
      const four = i > 0 && stream[i - 1] === 0;
      starts.push({ at: i + 3, code: four ? 4 : 3 });
      i += 2;
    }
  }
  return starts.map((s, n) => {
    const end = n + 1 < starts.length ? starts[n + 1].at - starts[n + 1].code : stream.length;
    return stream.subarray(s.at, end);
  }).filter((nal) => nal.length > 0);
}

/**
 * The stream's access units (one picture each, Annex-B again): a new one starts at a parameter
 * set, SEI or access-unit delimiter after a slice, or at a picture's first slice after a slice
 * (first_mb_in_slice 0: its Exp-Golomb code is the single bit 1). The clip has two slices a
 * picture.
 */
export function accessUnits(stream: Uint8Array): Uint8Array[] {
  const units: Uint8Array[][] = [];
  let current: Uint8Array[] = [];
  let sliced = false;
  for (const nal of nalUnits(stream)) {
    const type = nal[0] & 0x1f;
    const slice = type === 1 || type === 5;
    const firstSlice = slice && (nal[1] & 0x80) !== 0;
    if (sliced && (firstSlice || [6, 7, 8, 9].includes(type))) {
      units.push(current);
      current = [];
      sliced = false;
    }
    current.push(nal);
    sliced ||= slice;
  }
  if (current.length) units.push(current);
  const code = [0, 0, 0, 1];
  return units.map((nals) => Uint8Array.from(nals.flatMap((nal) => [...code, ...nal])));
}

/** A running H.264 share: `stop` closes the peer (as a closed browser tab would). */
export interface H264Share {
  /** Pictures sent so far. */
  sent(): number;
  /** The SDP answer the server gave. */
  answer: string;
  stop(): Promise<void>;
}

/**
 * Offers H.264 to the share route of the session whose customer page is `csrf`'s, through
 * `post` (the customer page's own fetch, so its cookies and CSRF token go with it), then sends
 * the clip until stopped.
 */
export async function shareH264(
  post: (sdp: string) => Promise<{ status: number; body: string }>,
): Promise<H264Share> {
  const units = accessUnits(await Deno.readFile(H264_CLIP));
  const pc = new RTCPeerConnection({
    codecs: {
      video: [useH264({
        rtcpFeedback: [{ type: "nack" }, { type: "nack", parameter: "pli" }],
        parameters: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
      })],
    },
  });
  const transceiver = pc.addTransceiver("video", { direction: "sendonly" });
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise<void>((resolve) => {
    if (pc.iceGatheringState === "complete") return resolve();
    const timer = setTimeout(resolve, 3_000);
    pc.iceGatheringStateChange.subscribe((state) => {
      if (state !== "complete") return;
      clearTimeout(timer);
      resolve();
    });
  });
  const response = await post(pc.localDescription!.sdp);
  if (response.status !== 200) {
    await pc.close();
    throw new Error(`the share offer was refused: ${response.status} ${response.body}`);
  }
  const answer = (JSON.parse(response.body) as { sdp: string }).sdp;
  await pc.setRemoteDescription({ type: "answer", sdp: answer });
  const packetizer = new H264Packetizer({ maxPayloadSize: 1_100, inputFormat: "annexb" });
  let sent = 0;
  let stopped = false;
  // From the first IDR on every 33 ms, on the 90 kHz clock.
  const timer = setInterval(() => {
    if (stopped || pc.connectionState !== "connected") return;
    const unit = units[sent % units.length];
    const packets = packetizer.packetize(Buffer.from(unit), (sent * 3_000) >>> 0);
    sent++;
    for (const packet of packets) transceiver.sender.sendRtp(packet).catch(() => {});
  }, 33);
  return {
    sent: () => sent,
    answer,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await pc.close();
    },
  };
}
