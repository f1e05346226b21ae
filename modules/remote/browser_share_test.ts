import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { Vp8Packetizer } from "werift";
import { Vp8Depacketizer, vp8KeyframeSize } from "./browser_share.ts";

/** A VP8 keyframe header for `width`×`height` followed by `extra` bytes of body. */
function keyframe(width: number, height: number, extra: number): Uint8Array {
  const data = new Uint8Array(10 + extra).fill(7);
  data.set([
    0x10,
    0x02,
    0x00,
    0x9d,
    0x01,
    0x2a,
    width & 0xff,
    width >> 8,
    height & 0xff,
    height >> 8,
  ]);
  return data;
}
const delta = (bytes: number) => new Uint8Array(bytes).fill(0x31); // P bit set: not a keyframe

Deno.test("vp8KeyframeSize reads the size of a keyframe and refuses a delta frame", () => {
  assert.deepEqual(vp8KeyframeSize(keyframe(1366, 768, 5)), { width: 1366, height: 768 });
  assert.equal(vp8KeyframeSize(delta(20)), null);
  assert.equal(vp8KeyframeSize(new Uint8Array(4)), null);
});

Deno.test("Vp8Depacketizer: whole frames back from werift's packets; a gap waits for a keyframe", () => {
  const packetizer = new Vp8Packetizer({ maxPayloadSize: 500 });
  const frames: { data: Uint8Array; keyframe: boolean }[] = [];
  let lost = 0;
  const depacketizer = new Vp8Depacketizer((frame) => frames.push(frame), () => lost++);
  const send = (data: Uint8Array, ts: number, skip = -1) => {
    packetizer.packetize(Buffer.from(data), ts).forEach((packet, i) => {
      if (i !== skip) depacketizer.push(packet);
    });
  };
  send(delta(900), 1); // before any keyframe: dropped, asked for one
  assert.equal(frames.length, 0);
  assert.equal(lost, 1);
  const key = keyframe(640, 480, 2_000);
  send(key, 2);
  send(delta(1_200), 3);
  assert.equal(frames.length, 2);
  assert.deepEqual(frames[0], { data: key, keyframe: true });
  assert.deepEqual(frames[1], { data: delta(1_200), keyframe: false });
  send(delta(1_200), 4, 1); // a packet lost in the middle
  send(delta(300), 5); // decodable only after a keyframe
  assert.equal(frames.length, 2);
  assert.ok(lost >= 2);
  send(key, 6);
  assert.equal(frames.length, 3);
  assert.equal(frames[2].keyframe, true);
});
