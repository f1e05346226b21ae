import assert from "node:assert/strict";
import {
  CONNECT_MS,
  offeredOrder,
  SHARE_CODECS,
  shareCodecOf,
  shareGone,
  SILENT_MS,
} from "./screen_receiver.ts";

Deno.test("shareCodecOf() names the three codecs the relay passes on, and nothing else", () => {
  assert.equal(shareCodecOf("video/VP8"), "vp8");
  assert.equal(shareCodecOf("video/VP9"), "vp9");
  assert.equal(shareCodecOf("video/H264"), "h264");
  assert.equal(shareCodecOf("video/AV1"), null);
  assert.equal(shareCodecOf("video/rtx"), null);
  assert.equal(shareCodecOf(undefined), null);
  assert.deepEqual(SHARE_CODECS.map((c) => shareCodecOf(c.mimeType)), ["vp8", "vp9", "h264"]);
});

Deno.test("offeredOrder() reads the browser's preference from the video m-line", () => {
  const sdp =
    "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nm=video 9 UDP/TLS/RTP/SAVPF 98 96 102 97\r\n";
  assert.deepEqual(offeredOrder(sdp), [98, 96, 102, 97]);
  assert.deepEqual(offeredOrder("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"), []);
});

Deno.test("shareGone(): silence counts from the first packet; before it, only a connection that never comes", () => {
  const answeredAt = 1_000;
  // Still connecting 8 s after the answer (a slow network, a loaded server): not gone.
  assert.equal(shareGone(answeredAt + SILENT_MS + 1, { answeredAt, heardAt: null }), false);
  assert.equal(shareGone(answeredAt + CONNECT_MS - 1, { answeredAt, heardAt: null }), false);
  assert.equal(shareGone(answeredAt + CONNECT_MS + 1, { answeredAt, heardAt: null }), true);
  // Once packets came, SILENT_MS without one is a browser gone without a word.
  const heardAt = answeredAt + 20_000;
  assert.equal(shareGone(heardAt + SILENT_MS - 1, { answeredAt, heardAt }), false);
  assert.equal(shareGone(heardAt + SILENT_MS + 1, { answeredAt, heardAt }), true);
});
