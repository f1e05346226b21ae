import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { dePacketizeRtpPackets, RtpPacket, Vp8RtpPayload } from "werift";
import { RTP_HEADER_LENGTH, VP8_DESCRIPTOR_LENGTH, Vp8Packetizer } from "./vp8_rtp.ts";
// Test-only: real frames from the agent's encoder, when libvpx is installed.
import { Vp8Encoder } from "../../agent/media/vp8.ts";

interface Parsed {
  version: number;
  padding: boolean;
  extension: boolean;
  csrcCount: number;
  marker: boolean;
  payloadType: number;
  seq: number;
  timestamp: number;
  ssrc: number;
  x: boolean;
  n: boolean;
  s: boolean;
  partition: number;
  i: boolean;
  m: boolean;
  pictureId: number;
  data: Uint8Array;
}

/** Independent RFC 3550 / RFC 7741 parser for what the packetizer emits. */
function parse(p: Uint8Array): Parsed {
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const d = RTP_HEADER_LENGTH;
  return {
    version: p[0] >> 6,
    padding: !!(p[0] & 0x20),
    extension: !!(p[0] & 0x10),
    csrcCount: p[0] & 0x0f,
    marker: !!(p[1] & 0x80),
    payloadType: p[1] & 0x7f,
    seq: dv.getUint16(2),
    timestamp: dv.getUint32(4),
    ssrc: dv.getUint32(8),
    x: !!(p[d] & 0x80),
    n: !!(p[d] & 0x20),
    s: !!(p[d] & 0x10),
    partition: p[d] & 0x07,
    i: !!(p[d + 1] & 0x80),
    m: !!(p[d + 2] & 0x80),
    pictureId: ((p[d + 2] & 0x7f) << 8) | p[d + 3],
    data: p.subarray(d + VP8_DESCRIPTOR_LENGTH),
  };
}

/** Checks one frame's packets and returns the reassembled frame. */
function checkFrame(
  packets: Uint8Array[],
  o: { pt: number; ssrc: number; mtu: number; ts: number; pictureId: number; firstSeq: number },
): Uint8Array {
  assert.ok(packets.length > 0);
  const parsed = packets.map(parse);
  const sizes: number[] = [];
  parsed.forEach((p, k) => {
    const last = k === parsed.length - 1;
    assert.equal(p.version, 2);
    assert.equal(p.padding, false);
    assert.equal(p.extension, false);
    assert.equal(p.csrcCount, 0);
    assert.equal(p.payloadType, o.pt);
    assert.equal(p.ssrc, o.ssrc);
    assert.equal(p.timestamp, o.ts);
    assert.equal(p.seq, (o.firstSeq + k) & 0xffff);
    assert.equal(p.marker, last, `marker on packet ${k}/${parsed.length}`);
    assert.equal(p.s, k === 0, `S bit on packet ${k}`);
    assert.equal(p.partition, 0);
    assert.ok(p.x && p.i && p.m && !p.n);
    assert.equal(p.pictureId, o.pictureId);
    assert.ok(packets[k].length - RTP_HEADER_LENGTH <= o.mtu, "mtu exceeded");
    sizes.push(p.data.length);
  });
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `uneven split ${sizes}`);
  const out = new Uint8Array(sizes.reduce((a, b) => a + b, 0));
  let off = 0;
  for (const p of parsed) {
    out.set(p.data, off);
    off += p.data.length;
  }
  return out;
}

function randomBytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    b[i] = s >>> 24;
  }
  return b;
}

/** A few real VP8 frames (keyframe first), or null without libvpx. */
function realFrames(): { data: Uint8Array; keyframe: boolean }[] | null {
  if (!Vp8Encoder.available()) return null;
  const w = 640, h = 360, stride = w * 4;
  const enc = new Vp8Encoder({ width: w, height: h, preset: "high" });
  try {
    const noise = randomBytes(stride * h, 7); // a noisy picture makes a large keyframe
    const frames = [];
    for (let f = 0; f < 3; f++) {
      const px = noise.slice();
      for (let y = 100; y < 164; y++) {
        px.fill(255, y * stride + (50 + 10 * f) * 4, y * stride + (114 + 10 * f) * 4);
      }
      frames.push(enc.encode(px, stride)!);
    }
    return frames;
  } finally {
    enc.close();
  }
}

Deno.test("packetize → parse → reassemble, synthetic frames and several MTUs", () => {
  for (const mtu of [100, 1100, 1200]) {
    const pk = new Vp8Packetizer({
      payloadType: 96,
      ssrc: 0xdeadbeef,
      mtu,
      sequenceNumber: 100,
      pictureId: 7,
    });
    let seq = 100;
    for (const [k, size] of [1, mtu - 4, mtu - 3, 5000, 30_001].entries()) {
      const frame = randomBytes(size, size);
      const packets = pk.packetize(frame, 1000 + k * 33.3333);
      assert.equal(packets.length, Math.ceil(size / (mtu - VP8_DESCRIPTOR_LENGTH)));
      const ts = Math.round((1000 + k * 33.3333) * 90);
      const back = checkFrame(packets, {
        pt: 96,
        ssrc: 0xdeadbeef,
        mtu,
        ts,
        pictureId: 7 + k,
        firstSeq: seq,
      });
      assert.deepEqual(back, frame);
      seq += packets.length;
      assert.equal(pk.sequenceNumber, seq);
    }
  }
});

Deno.test("real encoded VP8 frames survive packetization (own parser and werift's)", () => {
  const frames = realFrames();
  if (!frames) {
    console.warn("  libvpx not available: real-frame test skipped");
    return;
  }
  assert.ok(frames[0].keyframe && frames[0].data.length > 20_000, `${frames[0].data.length}`);
  const pk = new Vp8Packetizer({
    payloadType: 97,
    ssrc: 1234,
    sequenceNumber: 65530,
    pictureId: 32766,
  });
  let seq = 65530, pictureId = 32766;
  for (const [k, frame] of frames.entries()) {
    const tMs = 5000 + k * (1000 / 30);
    const packets = pk.packetize(frame.data, tMs);
    console.log(
      `  frame ${k}: ${frame.data.length} B (${
        frame.keyframe ? "key" : "inter"
      }) → ${packets.length} packets`,
    );
    const ts = Math.round(tMs * 90);
    const back = checkFrame(packets, {
      pt: 97,
      ssrc: 1234,
      mtu: 1100,
      ts,
      pictureId,
      firstSeq: seq,
    });
    assert.deepEqual(back, frame.data);

    // werift's parsers agree (its writeRtp takes these Buffers directly).
    assert.ok(packets.every((p) => Buffer.isBuffer(p)));
    const rtp = packets.map((p) => RtpPacket.deSerialize(p as Buffer));
    rtp.forEach((r, i) => {
      assert.equal(r.header.sequenceNumber, (seq + i) & 0xffff);
      assert.equal(r.header.marker, i === rtp.length - 1);
      assert.equal(r.header.timestamp, ts);
      const vp8 = Vp8RtpPayload.deSerialize(r.payload);
      assert.equal(vp8.sBit, i === 0 ? 1 : 0);
      assert.equal(vp8.pid, 0);
      assert.equal(vp8.pictureId, pictureId);
    });
    const whole = dePacketizeRtpPackets("vp8", rtp);
    assert.equal(whole.isKeyframe, frame.keyframe);
    assert.deepEqual(new Uint8Array(whole.data), frame.data);

    seq = (seq + packets.length) & 0xffff;
    pictureId = (pictureId + 1) & 0x7fff;
  }
  assert.ok(seq < 65530, "sequence numbers wrapped");
  assert.ok(pictureId < 32766, "PictureID wrapped");
});

Deno.test("sequence numbers continue across frames and wrap at 65536; PictureID at 32768", () => {
  const pk = new Vp8Packetizer({
    payloadType: 96,
    ssrc: 1,
    mtu: 104,
    sequenceNumber: 65533,
    pictureId: 32767,
  });
  const a = pk.packetize(randomBytes(450, 1), 0).map(parse); // 5 packets of ≤ 100 bytes
  assert.deepEqual(a.map((p) => p.seq), [65533, 65534, 65535, 0, 1]);
  assert.ok(a.every((p) => p.pictureId === 32767));
  const b = pk.packetize(randomBytes(10, 2), 33).map(parse);
  assert.deepEqual(b.map((p) => p.seq), [2]);
  assert.equal(b[0].pictureId, 0);
  assert.ok(b[0].marker && b[0].s);
  assert.equal(pk.sequenceNumber, 3);
  assert.equal(pk.pictureId, 1);
});

Deno.test("90 kHz timestamps from a millisecond clock, wrapping at 2^32", () => {
  const pk = new Vp8Packetizer({ payloadType: 96, ssrc: 1 });
  assert.equal(pk.rtpTimestamp(0), 0);
  assert.equal(pk.rtpTimestamp(1000), 90_000);
  assert.equal(pk.rtpTimestamp(1000 / 30), 3000); // one frame at 30 fps
  assert.equal(pk.rtpTimestamp(33.3333), 3000); // rounded to the nearest tick
  const wrapMs = 2 ** 32 / 90; // 47,721,858.84 ms ≈ 13.3 h
  assert.equal(pk.rtpTimestamp(wrapMs), 0);
  assert.equal(pk.rtpTimestamp(wrapMs + 10), 900);
  assert.equal(pk.rtpTimestamp(3 * wrapMs + 1), 90);
  assert.equal(pk.rtpTimestamp(Date.UTC(2030, 0, 1)), (Date.UTC(2030, 0, 1) * 90) % 2 ** 32);
  const off = new Vp8Packetizer({ payloadType: 96, ssrc: 1, timestampOffset: 0xffffff00 });
  assert.equal(off.rtpTimestamp(0), 0xffffff00);
  assert.equal(off.rtpTimestamp(10), (0xffffff00 + 900) - 2 ** 32);
  const [p] = off.packetize(new Uint8Array([1, 2, 3]), 10).map(parse);
  assert.equal(p.timestamp, 900 - 256);
});

Deno.test("defaults and argument checks", () => {
  const pk = new Vp8Packetizer({ payloadType: 100, ssrc: 0xffffffff });
  assert.equal(pk.mtu, 1100);
  assert.ok(pk.sequenceNumber >= 0 && pk.sequenceNumber <= 0xffff);
  assert.ok(pk.pictureId >= 0 && pk.pictureId <= 0x7fff);
  const packets = pk.packetize(randomBytes(2500, 3), 0);
  assert.equal(packets.length, 3); // 1096 data bytes per packet
  assert.ok(packets.every((p) => p.length <= RTP_HEADER_LENGTH + 1100));
  assert.equal(parse(packets[0]).ssrc, 0xffffffff);
  assert.throws(() => pk.packetize(new Uint8Array(0), 0), RangeError);
  assert.throws(() => pk.packetize(new Uint8Array(1), NaN), RangeError);
  assert.throws(() => new Vp8Packetizer({ payloadType: 128, ssrc: 1 }), RangeError);
  assert.throws(() => new Vp8Packetizer({ payloadType: 96, ssrc: -1 }), RangeError);
  assert.throws(() => new Vp8Packetizer({ payloadType: 96, ssrc: 1, mtu: 4 }), RangeError);
  assert.throws(
    () => new Vp8Packetizer({ payloadType: 96, ssrc: 1, sequenceNumber: 65536 }),
    RangeError,
  );
  assert.throws(
    () => new Vp8Packetizer({ payloadType: 96, ssrc: 1, pictureId: 32768 }),
    RangeError,
  );
});

Deno.test("playout-delay extension: min = max = 0 on every packet, payload untouched", () => {
  const pk = new Vp8Packetizer({ payloadType: 96, ssrc: 7, sequenceNumber: 100, pictureId: 5 });
  const frame = crypto.getRandomValues(new Uint8Array(2500));
  const plain = pk.packetize(frame, 1000);
  pk.playoutDelayId = 3;
  const marked = pk.packetize(frame, 1000);
  assert.equal(marked.length, plain.length);
  for (const [i, p] of marked.entries()) {
    assert.equal(p.byteLength, plain[i].byteLength + 8, "one 8-byte extension block");
    const rtp = RtpPacket.deSerialize(p as Buffer);
    assert.equal(rtp.header.extension, true);
    assert.deepEqual(
      rtp.header.extensions.map((e) => ({ id: e.id, payload: [...e.payload] })),
      [{ id: 3, payload: [0, 0, 0] }],
    );
    assert.equal(rtp.header.sequenceNumber, 100 + plain.length + i);
    // The VP8 descriptor (next PictureID) and data follow the extension unchanged.
    const payload = new Uint8Array(rtp.payload);
    assert.deepEqual([...payload.subarray(0, 3)], [...plain[i].subarray(12, 15)]);
    assert.equal(payload[3], 6);
    assert.deepEqual(
      payload.subarray(VP8_DESCRIPTOR_LENGTH),
      new Uint8Array(plain[i].subarray(RTP_HEADER_LENGTH + VP8_DESCRIPTOR_LENGTH)),
    );
  }
  const whole = dePacketizeRtpPackets("vp8", marked.map((p) => RtpPacket.deSerialize(p as Buffer)));
  assert.deepEqual(new Uint8Array(whole.data), frame);
  pk.playoutDelayId = 0;
  assert.equal(pk.packetize(frame, 1000)[0][0], 0x80, "off again: no X bit");
  assert.throws(() => (pk.playoutDelayId = 15), RangeError);
});
