import assert from "node:assert/strict";
import { offeredOrder, SHARE_CODECS, shareCodecOf } from "./browser_share.ts";

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
