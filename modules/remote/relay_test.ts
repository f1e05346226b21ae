import assert from "node:assert/strict";
import {
  dePacketizeRtpPackets,
  PictureLossIndication,
  RTCPeerConnection,
  RtcpPayloadSpecificFeedback,
  RtcpReceiverInfo,
  RtcpRrPacket,
  RtpPacket,
  useVP8,
  Vp8Packetizer,
  Vp8RtpPayload,
} from "werift";
import {
  framePackets,
  MAX_RTP_PAYLOAD,
  pictureHeld,
  PLAYOUT_DELAY_URI,
  rtpTimestamp,
  shouldSkip,
  ViewerPeer,
} from "./relay.ts";
// Test-only: real frames from the agent's encoder, when libvpx is installed.
import { Vp8Encoder } from "../../agent/media/vp8.ts";

Deno.test("a viewer skips a frame only when over its REMB budget and its link is congested", () => {
  const frame = { keyframe: false, overBudget: true };
  // Over budget on a clean, quick link: REMB lags behind a burst, the frame still goes.
  assert.equal(shouldSkip({ ...frame, fractionLost: 0, rttMs: 3 }), false);
  assert.equal(shouldSkip(frame), false, "no reports yet");
  // Over budget with loss or a long round trip: skip to the next keyframe.
  assert.equal(shouldSkip({ ...frame, fractionLost: 0.1, rttMs: 3 }), true);
  assert.equal(shouldSkip({ ...frame, fractionLost: 0, rttMs: 400 }), true);
  // Within budget, or a keyframe: always sent.
  assert.equal(shouldSkip({ ...frame, overBudget: false, fractionLost: 0.5, rttMs: 900 }), false);
  assert.equal(shouldSkip({ ...frame, keyframe: true, fractionLost: 0.5, rttMs: 900 }), false);
});

/** Serializes (as the sender does) and parses back: what the browser receives. */
function onTheWire(packets: RtpPacket[]): RtpPacket[] {
  return packets.map((packet) => RtpPacket.deSerialize(packet.serialize()));
}

function randomBytes(n: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    bytes[i] = s >>> 24;
  }
  return bytes;
}

/** A few real VP8 frames (keyframe first), or null without libvpx. */
function realFrames(): { data: Uint8Array; keyframe: boolean }[] | null {
  if (!Vp8Encoder.available()) return null;
  const w = 640, h = 360, stride = w * 4;
  const encoder = new Vp8Encoder({ width: w, height: h, preset: "high" });
  try {
    const noise = randomBytes(stride * h, 7); // a noisy picture makes a large keyframe
    const frames = [];
    for (let f = 0; f < 3; f++) {
      const pixels = noise.slice();
      for (let y = 100; y < 164; y++) {
        pixels.fill(255, y * stride + (50 + 10 * f) * 4, y * stride + (114 + 10 * f) * 4);
      }
      frames.push(encoder.encode(pixels, stride)!);
    }
    return frames;
  } finally {
    encoder.close();
  }
}

Deno.test("rtpTimestamp() counts 90 kHz ticks of a millisecond clock and wraps at 2^32", () => {
  assert.equal(rtpTimestamp(0), 0);
  assert.equal(rtpTimestamp(1000), 90_000);
  assert.equal(rtpTimestamp(1000 / 30), 3000); // one frame at 30 fps
  assert.equal(rtpTimestamp(33.3333), 3000); // rounded to the nearest tick
  const wrapMs = 2 ** 32 / 90; // ≈ 13.3 h
  assert.equal(rtpTimestamp(wrapMs), 0);
  assert.equal(rtpTimestamp(wrapMs + 10), 900);
  assert.equal(rtpTimestamp(3 * wrapMs + 1), 90);
  assert.equal(rtpTimestamp(Date.UTC(2030, 0, 1)), (Date.UTC(2030, 0, 1) * 90) % 2 ** 32);
});

Deno.test("framePackets() splits a frame within the MTU and werift reassembles it", () => {
  const packetizer = new Vp8Packetizer({
    maxPayloadSize: MAX_RTP_PAYLOAD,
    sequenceNumber: 65534,
    pictureId: 32767,
  });
  let seq = 65534, pictureId = 32767;
  for (const [k, size] of [1, MAX_RTP_PAYLOAD - 4, MAX_RTP_PAYLOAD - 3, 30_001].entries()) {
    const frame = { data: randomBytes(size, size), keyframe: false, capturedAt: 1000 + k * 33 };
    const packets = onTheWire(framePackets(packetizer, frame));
    assert.equal(packets.length, Math.ceil(size / (MAX_RTP_PAYLOAD - 4)));
    packets.forEach((packet, i) => {
      assert.ok(packet.payload.length <= MAX_RTP_PAYLOAD, "MTU exceeded");
      assert.equal(packet.header.sequenceNumber, (seq + i) & 0xffff);
      assert.equal(packet.header.marker, i === packets.length - 1);
      assert.equal(packet.header.timestamp, rtpTimestamp(frame.capturedAt));
      assert.equal(packet.header.extension, false, "no extension unless agreed");
      const vp8 = Vp8RtpPayload.deSerialize(packet.payload);
      assert.equal(vp8.sBit, i === 0 ? 1 : 0);
      assert.equal(vp8.pictureId, pictureId);
    });
    assert.deepEqual(new Uint8Array(dePacketizeRtpPackets("vp8", packets).data), frame.data);
    seq = (seq + packets.length) & 0xffff;
    pictureId = (pictureId + 1) & 0x7fff;
  }
  assert.ok(seq < 65534 && pictureId < 32767, "sequence number and PictureID wrapped");
});

Deno.test("framePackets() marks every packet for playout delay 0 under the agreed id", () => {
  const packetizer = new Vp8Packetizer({ maxPayloadSize: MAX_RTP_PAYLOAD });
  const frame = { data: randomBytes(2500, 3), keyframe: false, capturedAt: 5 };
  const packets = onTheWire(framePackets(packetizer, frame, 3));
  assert.equal(packets.length, 3);
  for (const packet of packets) {
    assert.equal(packet.header.extension, true);
    assert.deepEqual(
      packet.header.extensions.map((e) => ({ id: e.id, payload: [...e.payload] })),
      [{ id: 3, payload: [0, 0, 0] }],
    );
  }
  assert.deepEqual(new Uint8Array(dePacketizeRtpPackets("vp8", packets).data), frame.data);
});

Deno.test("framePackets() carries real encoded VP8 frames, keyframes recognised", () => {
  const frames = realFrames();
  if (!frames) {
    console.warn("  libvpx not available: real-frame test skipped");
    return;
  }
  assert.ok(frames[0].keyframe && frames[0].data.length > 20_000, `${frames[0].data.length}`);
  const packetizer = new Vp8Packetizer({ maxPayloadSize: MAX_RTP_PAYLOAD });
  for (const [k, frame] of frames.entries()) {
    const packets = onTheWire(framePackets(packetizer, { ...frame, capturedAt: k * 33 }, 1));
    const whole = dePacketizeRtpPackets("vp8", packets);
    assert.equal(whole.isKeyframe, frame.keyframe);
    assert.deepEqual(new Uint8Array(whole.data), frame.data);
  }
});

Deno.test("ViewerPeer sends frames over werift with the playout delay the answer agreed", async () => {
  let keyframesWanted = 0;
  const peer = new ViewerPeer({
    hostAddresses: ["127.0.0.1"],
    wantKeyframe: () => keyframesWanted++,
  });
  const browser = new RTCPeerConnection({
    iceAdditionalHostAddresses: ["127.0.0.1"],
    headerExtensions: { video: [{ id: 1, uri: PLAYOUT_DELAY_URI }] },
    codecs: { video: [useVP8()] },
  });
  try {
    const received = new Promise<RtpPacket>((resolve) => {
      browser.onTrack.subscribe((track) => track.onReceiveRtp.subscribe(resolve));
    });
    await browser.setRemoteDescription({ type: "offer", sdp: await peer.offer() });
    await browser.setLocalDescription(await browser.createAnswer());
    await peer.answer(browser.localDescription!.sdp);
    const frame = { data: randomBytes(3000, 9), keyframe: true, capturedAt: 1000 };
    const timer = setInterval(() => peer.send(frame), 50);
    const packet = await received.finally(() => clearInterval(timer));
    assert.ok(keyframesWanted >= 1, "a keyframe is asked for once connected");
    assert.ok(peer.framesSent >= 1);
    const extension = packet.header.extensions.find((e) => e.id === 1);
    assert.deepEqual([...extension?.payload ?? []], [0, 0, 0]);
    assert.equal(Vp8RtpPayload.deSerialize(packet.payload).xBit, 1, "a VP8 payload");
  } finally {
    await peer.close();
    await browser.close();
  }
});

Deno.test("pictureHeld(): a PLI goes unanswered only when the report shows a whole frame and no loss", () => {
  const held = {
    waiting: false,
    frameEnds: [690, 695, 700],
    report: { highestSequence: 65536 + 700, packetsLost: 3 },
    lostAtKeyframe: 3,
    sinceUnansweredMs: Infinity,
  };
  // Chromium's "nothing decoded for 3 s" on a still screen: it has the picture.
  assert.equal(pictureHeld(held), true);
  // …or an earlier whole frame, the later ones on their way (the PLI waited in a busy server).
  assert.equal(pictureHeld({ ...held, report: { ...held.report, highestSequence: 695 } }), true);
  // A frame's last packets never arrived, or a packet was lost since the keyframe: a keyframe.
  assert.equal(pictureHeld({ ...held, report: { ...held.report, highestSequence: 699 } }), false);
  assert.equal(pictureHeld({ ...held, report: { ...held.report, packetsLost: 4 } }), false);
  // Waiting for a keyframe (joined, fell behind), nothing sent or no report yet: a keyframe.
  assert.equal(pictureHeld({ ...held, waiting: true }), false);
  assert.equal(pictureHeld({ ...held, frameEnds: [] }), false);
  assert.equal(pictureHeld({ ...held, report: undefined }), false);
  // Asked again soon after one left unanswered: its decoder really failed.
  assert.equal(pictureHeld({ ...held, sinceUnansweredMs: 300 }), false);
});
Deno.test("ViewerPeer: a viewer holding the picture is not sent a keyframe for its PLI; one missing packets is", async () => {
  let keyframesWanted = 0;
  const peer = new ViewerPeer({
    hostAddresses: ["127.0.0.1"],
    wantKeyframe: () => keyframesWanted++,
  });
  const browser = new RTCPeerConnection({
    iceAdditionalHostAddresses: ["127.0.0.1"],
    codecs: { video: [useVP8()] },
  });
  try {
    let last: RtpPacket | undefined;
    browser.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((p) => (last = p)));
    await browser.setRemoteDescription({ type: "offer", sdp: await peer.offer() });
    await browser.setLocalDescription(await browser.createAnswer());
    await peer.answer(browser.localDescription!.sdp);
    // The keyframe asked for on connecting, then a still screen's keep-alive.
    const key = { data: randomBytes(3000, 9), keyframe: true, capturedAt: 1000 };
    const timer = setInterval(() => peer.send(key), 50);
    while (!last) await new Promise((r) => setTimeout(r, 20));
    clearInterval(timer);
    peer.send({ data: randomBytes(500, 3), keyframe: false, capturedAt: 3000 });
    const sequence = () => last!.header.sequenceNumber;
    const sent = sequence() + 1; // the keep-alive's one packet
    while (sequence() !== (sent & 0xffff)) await new Promise((r) => setTimeout(r, 20));
    const transport = browser.getTransceivers()[0].receiver.dtlsTransport;
    const ssrc = last!.header.ssrc;
    /** Chromium's compound: its receiver report, then the PLI. */
    const pli = async (highestSequence: number, packetsLost = 0) => {
      const before = keyframesWanted;
      await transport.sendRtcp([
        new RtcpRrPacket({
          ssrc: 1,
          reports: [
            new RtcpReceiverInfo({
              ssrc,
              highestSequence,
              packetsLost,
              fractionLost: 0,
              jitter: 0,
              lsr: 0,
              dlsr: 0,
            }),
          ],
        }),
        new RtcpPayloadSpecificFeedback({
          feedback: new PictureLossIndication({ senderSsrc: 1, mediaSsrc: ssrc }),
        }),
      ]);
      await new Promise((r) => setTimeout(r, 150));
      return keyframesWanted - before;
    };
    const asked = keyframesWanted;
    assert.ok(asked >= 1, "a keyframe is asked for once connected");
    assert.equal(await pli(sent), 0, "every packet arrived: no keyframe");
    assert.equal(peer.plisUnanswered, 1);
    assert.equal(await pli(sent), 1, "asked again at once: its decoder failed");
    peer.send({ ...key, capturedAt: 5000 }); // three packets
    await new Promise((r) => setTimeout(r, 1_100));
    assert.equal(await pli(sequence() - 1), 1, "the frame's last packet never arrived: a keyframe");
    peer.send({ ...key, capturedAt: 9000 });
    await new Promise((r) => setTimeout(r, 1_100));
    assert.equal(await pli(sequence(), 1), 1, "a packet lost since the keyframe: a keyframe");
  } finally {
    await peer.close();
    await browser.close();
  }
});
