// Test support: OpenH264's decoder over `Deno.dlopen` (openh264_ffi.ts, the same layout table
// as the encoder), to verify encoder round trips and measure PSNR (tools/bench_h264.ts). Not for
// production use: the agent only encodes.
import { createDecoder, type DecoderMethods, loadH264Libs, nativeStruct } from "./openh264_ffi.ts";
import type { DecodedFrame } from "./vp8_decoder_test_support.ts";

export type { DecodedFrame } from "./vp8_decoder_test_support.ts";

export class H264Decoder {
  #l = loadH264Libs();
  #obj: Deno.PointerObject | null;
  #m: DecoderMethods;
  #dst = nativeStruct(this.#l, 24); // unsigned char* [3]
  #info = nativeStruct(this.#l, this.#l.abi.sizes.bufferInfo);

  constructor() {
    const { obj, m } = createDecoder(this.#l);
    this.#obj = obj;
    this.#m = m;
    const { abi } = this.#l, D = abi.decodingParam;
    const param = nativeStruct(this.#l, abi.sizes.decodingParam);
    try {
      param.view.setInt32(D.eEcActiveIdc, abi.constants.errorConDisable, true);
      param.view.setUint32(D.videoPropertySize, 8, true); // sizeof(SVideoProperty)
      param.view.setInt32(D.eVideoBsType, abi.constants.videoBitstreamAvc, true);
      const rc = m.Initialize(obj, param.ptr);
      if (rc !== 0n) {
        this.close();
        throw new Error(`OpenH264 decoder Initialize failed (${rc})`);
      }
    } finally {
      this.#l.libc.free(param.ptr);
    }
  }

  /** Decodes one access unit (Annex B); the picture it completed, or null. Throws on errors. */
  decode(data: Uint8Array): DecodedFrame | null {
    if (!this.#obj) throw new Error("H264Decoder is closed");
    const I = this.#l.abi.bufferInfo, iv = this.#info.view;
    new Uint8Array(iv.buffer).fill(0);
    const state = this.#m.DecodeFrameNoDelay(
      this.#obj,
      data,
      data.byteLength,
      this.#dst.ptr,
      this.#info.ptr,
    );
    if (state !== 0) {
      throw new Error(`OpenH264 DecodeFrameNoDelay failed: state 0x${state.toString(16)}`);
    }
    if (iv.getInt32(I.iBufferStatus, true) !== 1) return null;
    const width = iv.getInt32(I.iWidth, true), height = iv.getInt32(I.iHeight, true);
    const strides = [iv.getInt32(I.iStride, true), iv.getInt32(I.iStride + 4, true)];
    const plane = (i: number, w: number, h: number) => {
      const p = Deno.UnsafePointer.create(iv.getBigUint64(I.pDst + 8 * i, true));
      if (!p) throw new Error("OpenH264 returned a picture without planes");
      const src = new Deno.UnsafePointerView(p), stride = strides[i === 0 ? 0 : 1];
      const out = new Uint8Array(w * h);
      for (let row = 0; row < h; row++) {
        src.copyInto(out.subarray(row * w, row * w + w), row * stride);
      }
      return out;
    };
    const cw = (width + 1) >> 1, ch = (height + 1) >> 1;
    return { width, height, y: plane(0, width, height), u: plane(1, cw, ch), v: plane(2, cw, ch) };
  }

  /** Frees the decoder. Idempotent. */
  close(): void {
    if (!this.#obj) return;
    const l = this.#l;
    this.#m.Uninitialize(this.#obj);
    l.h264.WelsDestroyDecoder(this.#obj);
    this.#obj = null;
    for (const s of [this.#dst, this.#info]) l.libc.free(s.ptr);
  }
}
