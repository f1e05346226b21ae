// A real libvpx other than the installed one, loaded through the agent's FFI: the Debian 13
// `libvpx9` package (libvpx 1.15.0, libvpx.so.9) unpacked, not installed. To run it:
//   apt-get download libvpx9   # from a Debian 13 (trixie) source list
//   dpkg -x libvpx9_*.deb /tmp/libvpx9
// or point LIBVPX_FILE at any libvpx.so.N (its base name picks the table). Skipped otherwise.
import assert from "node:assert/strict";
import { loadLibs, useLibvpxFile } from "./vpx_ffi.ts";
import { Vp8Encoder } from "./vp8.ts";
import { useDecoderLibvpx, Vp8Decoder } from "./vp8_decoder_test_support.ts";

const FILE = Deno.env.get("LIBVPX_FILE") ?? "/tmp/libvpx9/usr/lib/x86_64-linux-gnu/libvpx.so.9";
const present = (() => {
  try {
    return Deno.statSync(FILE).isFile;
  } catch {
    return false;
  }
})();
if (!present) {
  console.log(`vpx_deb_test: skipped, ${FILE} is absent (unpack Debian 13's libvpx9 .deb there)`);
}

Deno.test({
  name: `the agent encodes with ${FILE.slice(FILE.lastIndexOf("/") + 1)} from a package`,
  ignore: !present,
  fn() {
    useLibvpxFile(FILE);
    useDecoderLibvpx(FILE);
    const { abi, vpx } = loadLibs();
    const version = vpx.vpx_codec_version();
    assert.equal(abi.minor, (version >> 8) & 0xff);
    console.log(`loaded ${FILE}: ${abi.name}, VPX_ENCODER_ABI_VERSION ${abi.encoderAbiVersion}`);
    const W = 320, H = 240, STRIDE = W * 4;
    const src = new Uint8Array(STRIDE * H);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const o = y * STRIDE + x * 4;
        src[o] = x & 0xff; // B
        src[o + 1] = y & 0xff; // G
        src[o + 2] = (x + y) & 0xff; // R
        if (x >= 100 && x < 164 && y >= 80 && y < 144) src.fill(255, o, o + 3);
      }
    }
    const enc = new Vp8Encoder({ width: W, height: H });
    const dec = new Vp8Decoder();
    try {
      for (let i = 0; i < 3; i++) {
        const frame = enc.encode(src, STRIDE);
        assert.ok(frame, `frame ${i} dropped`);
        assert.equal(frame.keyframe, i === 0, `frame ${i} keyframe flag`);
        const pic = dec.decode(frame.data);
        assert.ok(pic, `frame ${i} did not decode`);
        assert.equal(pic.width, W);
        assert.equal(pic.height, H);
        // BT.601 studio-range luma, as libyuv computes it; PSNR against the decoded plane.
        let se = 0;
        for (let y = 0; y < H; y++) {
          for (let x = 0; x < W; x++) {
            const o = y * STRIDE + x * 4;
            const want = (66 * src[o + 2] + 129 * src[o + 1] + 25 * src[o] + 0x1080) >> 8;
            se += (want - pic.y[y * W + x]) ** 2;
          }
        }
        const psnr = 10 * Math.log10((255 * 255) / Math.max(se / (W * H), 1e-9));
        assert.ok(psnr > 30, `frame ${i}: luma PSNR ${psnr.toFixed(1)} dB`);
      }
    } finally {
      enc.close();
      dec.close();
    }
  },
});
