import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { H264Packetizer, type RtpPacket, Vp8Packetizer, Vp9Packetizer } from "werift";
import { FrameAssembler, HOLE_WAIT_MS, type ShareFrame } from "./share_frames.ts";
import { vp8Keyframe, vp9Keyframe } from "./frame_sizes_test.ts";

const vp8Delta = (bytes: number, fill = 0x31) => new Uint8Array(bytes).fill(fill); // P bit set

/** An assembler on a clock the test moves, with what it delivered and how often it lost. */
function assembler(codec: "vp8" | "vp9" | "h264") {
  const frames: ShareFrame[] = [];
  let now = 0;
  const out = {
    frames,
    lost: 0,
    tick: (ms: number) => void (now += ms),
    assembler: null as unknown as FrameAssembler,
  };
  out.assembler = new FrameAssembler(codec, (f) => frames.push(f), () => out.lost++, () => now);
  return out;
}

const packets = (p: Vp8Packetizer, data: Uint8Array, ts: number): RtpPacket[] =>
  p.packetize(Buffer.from(data), ts);

Deno.test("FrameAssembler: VP8 frames whole; a resent packet arriving late still completes its frame", () => {
  const p = new Vp8Packetizer({ maxPayloadSize: 500 });
  const a = assembler("vp8");
  packets(p, vp8Delta(900), 1).forEach((packet) => a.assembler.push(packet));
  assert.equal(a.frames.length, 0, "no frame before a keyframe");
  assert.equal(a.lost, 1);
  const key = vp8Keyframe(640, 480, 2_000);
  packets(p, key, 2).forEach((packet) => a.assembler.push(packet));
  assert.equal(a.frames.length, 1);
  assert.deepEqual(a.frames[0], { data: key, keyframe: true, size: { width: 640, height: 480 } });
  // Packet 1 of the next frame is lost, then resent (a NACK) after its successors and the
  // following frame: both frames come out whole, in order, nothing asked for.
  const second = packets(p, vp8Delta(1_200, 0x33), 3);
  const third = packets(p, vp8Delta(300, 0x35), 4);
  for (const packet of [second[0], second[2], ...third]) a.assembler.push(packet);
  assert.equal(a.frames.length, 1, "waits for the missing packet");
  a.tick(HOLE_WAIT_MS / 2);
  a.assembler.push(second[1]);
  assert.deepEqual(a.frames.slice(1).map((f) => f.data), [
    vp8Delta(1_200, 0x33),
    vp8Delta(300, 0x35),
  ]);
  assert.equal(a.lost, 1);
  // A duplicate (a second resend) changes nothing.
  a.assembler.push(second[1]);
  assert.equal(a.frames.length, 3);
});

Deno.test("FrameAssembler: a hole that stays open drops to the next keyframe and asks for one", () => {
  const p = new Vp8Packetizer({ maxPayloadSize: 500 });
  const a = assembler("vp8");
  packets(p, vp8Keyframe(320, 240, 900), 1).forEach((packet) => a.assembler.push(packet));
  const lostFrame = packets(p, vp8Delta(1_200), 2);
  lostFrame.filter((_, i) => i !== 1).forEach((packet) => a.assembler.push(packet));
  packets(p, vp8Delta(200), 3).forEach((packet) => a.assembler.push(packet));
  assert.equal(a.frames.length, 1);
  a.tick(HOLE_WAIT_MS + 1);
  packets(p, vp8Delta(200), 4).forEach((packet) => a.assembler.push(packet));
  assert.equal(a.frames.length, 1, "deltas after the loss cannot be decoded");
  assert.ok(a.lost >= 1);
  const key = vp8Keyframe(320, 240, 1_500);
  packets(p, key, 5).forEach((packet) => a.assembler.push(packet));
  assert.equal(a.frames.length, 2);
  assert.deepEqual(a.frames[1].data, key);
});

Deno.test("FrameAssembler: a keyframe that arrives slowly (paced) is no hole", () => {
  const p = new Vp8Packetizer({ maxPayloadSize: 200 });
  const a = assembler("vp8");
  for (const packet of packets(p, vp8Keyframe(800, 600, 4_000), 1)) {
    a.assembler.push(packet);
    a.tick(HOLE_WAIT_MS / 4);
  }
  assert.equal(a.frames.length, 1);
  assert.equal(a.lost, 0);
});

Deno.test("FrameAssembler: VP9 frames back from werift's packetizer, keyframe and size read", () => {
  const p = new Vp9Packetizer({ maxPayloadSize: 300 });
  const a = assembler("vp9");
  const key = vp9Keyframe(1366, 768, 2_000);
  for (const packet of p.packetize(Buffer.from(key), 1, { isKeyframe: true })) {
    a.assembler.push(packet);
  }
  const delta = new Uint8Array(700).fill(0x86); // frame marker 2, frame_type 1
  for (const packet of p.packetize(Buffer.from(delta), 2, { isKeyframe: false })) {
    a.assembler.push(packet);
  }
  assert.equal(a.frames.length, 2);
  assert.deepEqual(a.frames[0], { data: key, keyframe: true, size: { width: 1366, height: 768 } });
  assert.deepEqual(a.frames[1], { data: delta, keyframe: false, size: null });
});

Deno.test("FrameAssembler: H.264 access units (SPS, PPS, IDR fragmented) back as Annex B", () => {
  const p = new H264Packetizer({ maxPayloadSize: 300 });
  const a = assembler("h264");
  const sps = [0x67, 0x42, 0xc0, 0x1f, 0xda, 0x01, 0x40, 0x16, 0xe8, 0x40];
  const pps = [0x68, 0xce, 0x3c, 0x80];
  const idr = [0x65, ...new Array(1_000).fill(0x88)];
  const start = [0, 0, 0, 1];
  const unit = new Uint8Array([...start, ...sps, ...start, ...pps, ...start, ...idr]);
  for (const packet of p.packetize(Buffer.from(unit), 1)) a.assembler.push(packet);
  const slice = new Uint8Array([...start, 0x41, ...new Array(400).fill(0x9a)]);
  for (const packet of p.packetize(Buffer.from(slice), 2)) a.assembler.push(packet);
  assert.equal(a.frames.length, 2);
  assert.equal(a.frames[0].keyframe, true);
  assert.equal(a.frames[1].keyframe, false);
  const nalTypes = (data: Uint8Array) => {
    const types: number[] = [];
    for (let i = 0; i + 3 < data.length; i++) {
      if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) types.push(data[i + 3] & 0x1f);
    }
    return types;
  };
  assert.deepEqual(nalTypes(a.frames[0].data), [7, 8, 5]);
  assert.deepEqual(nalTypes(a.frames[1].data), [1]);
});
