// Test support: a minimal libvpx VP8 decoder over `Deno.dlopen`, used to verify encoder round
// trips. Not for production use. Layouts hard-coded for libvpx 1.12 (Debian 12, libvpx.so.7),
// obtained like those in vp8.ts (gcc + offsetof on the libvpx-dev headers):
// VPX_DECODER_ABI_VERSION = 3 + VPX_CODEC_ABI_VERSION (4 + VPX_IMAGE_ABI_VERSION 5) = 12;
// the same in libvpx 1.13–1.15 (tools/vpx_abi_probe.ts prints it), as are these layouts;
// sizeof(vpx_codec_ctx_t) = 56; vpx_image_t: d_w@24 d_h@28 planes@48 stride@80.

const VPX_DECODER_ABI_VERSION = 12;
const SIZEOF_CODEC_CTX = 56;
const IMG_D_W = 24;
const IMG_D_H = 28;
const IMG_PLANES = 48;
const IMG_STRIDE = 80;

const SYMBOLS = {
  vpx_codec_vp8_dx: { parameters: [], result: "pointer" },
  // (ctx, iface, cfg, vpx_codec_flags_t flags (long), int ver)
  vpx_codec_dec_init_ver: {
    parameters: ["pointer", "pointer", "pointer", "i64", "i32"],
    result: "i32",
  },
  // (ctx, data, unsigned int size, user_priv, long deadline)
  vpx_codec_decode: { parameters: ["pointer", "buffer", "u32", "pointer", "i64"], result: "i32" },
  vpx_codec_get_frame: { parameters: ["pointer", "pointer"], result: "pointer" },
  vpx_codec_destroy: { parameters: ["pointer"], result: "i32" },
  vpx_codec_err_to_string: { parameters: ["i32"], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

const LIBC = {
  calloc: { parameters: ["usize", "usize"], result: "pointer" },
  free: { parameters: ["pointer"], result: "void" },
} as const satisfies Deno.ForeignLibraryInterface;

function open<S extends Deno.ForeignLibraryInterface>(name: string, s: S): Deno.DynamicLibrary<S> {
  for (const dir of ["/usr/lib/x86_64-linux-gnu/", "/usr/lib/aarch64-linux-gnu/"]) {
    try {
      return Deno.dlopen(dir + name, s);
    } catch { /* next */ }
  }
  return Deno.dlopen(name, s);
}

/** A decoded I420 picture with planes packed (stride = plane width). */
export interface DecodedFrame {
  width: number;
  height: number;
  y: Uint8Array;
  u: Uint8Array;
  v: Uint8Array;
}

let libvpxFile = "libvpx.so.7";

/** Decode with the libvpx at `file` (a path) instead of libvpx.so.7; before the first decoder. */
export function useDecoderLibvpx(file: string): void {
  if (libs) throw new Error("useDecoderLibvpx() after libvpx was loaded");
  libvpxFile = file;
}

let libs: {
  vpx: Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];
  libc: Deno.DynamicLibrary<typeof LIBC>["symbols"];
} | undefined;

export class Vp8Decoder {
  #vpx =
    (libs ??= { vpx: open(libvpxFile, SYMBOLS).symbols, libc: open("libc.so.6", LIBC).symbols })
      .vpx;
  #libc = libs!.libc;
  #ctx: Deno.PointerObject | null;
  #iter: Deno.PointerObject | null;

  constructor() {
    this.#ctx = this.#libc.calloc(1n, BigInt(SIZEOF_CODEC_CTX));
    this.#iter = this.#libc.calloc(1n, 8n);
    const rc = this.#vpx.vpx_codec_dec_init_ver(
      this.#ctx,
      this.#vpx.vpx_codec_vp8_dx(),
      null,
      0n,
      VPX_DECODER_ABI_VERSION,
    );
    if (rc !== 0) throw new Error(`vpx_codec_dec_init_ver failed: ${this.#err(rc)}`);
  }

  #err(rc: number): string {
    const p = this.#vpx.vpx_codec_err_to_string(rc);
    return p ? Deno.UnsafePointerView.getCString(p) : String(rc);
  }

  /** Decodes one compressed frame; returns the (last) picture it produced, or null. */
  decode(data: Uint8Array): DecodedFrame | null {
    if (!this.#ctx || !this.#iter) throw new Error("Vp8Decoder is closed");
    const rc = this.#vpx.vpx_codec_decode(this.#ctx, data, data.byteLength, null, 0n);
    if (rc !== 0) throw new Error(`vpx_codec_decode failed: ${this.#err(rc)}`);
    new DataView(Deno.UnsafePointerView.getArrayBuffer(this.#iter, 8)).setBigUint64(0, 0n);
    let out: DecodedFrame | null = null;
    for (;;) {
      const img = this.#vpx.vpx_codec_get_frame(this.#ctx, this.#iter);
      if (!img) break;
      const v = new Deno.UnsafePointerView(img);
      const width = v.getUint32(IMG_D_W), height = v.getUint32(IMG_D_H);
      const cw = (width + 1) >> 1, ch = (height + 1) >> 1;
      const plane = (i: number, w: number, h: number) => {
        const p = v.getPointer(IMG_PLANES + 8 * i)!;
        const stride = v.getInt32(IMG_STRIDE + 4 * i);
        const dst = new Uint8Array(w * h);
        const src = new Deno.UnsafePointerView(p);
        for (let row = 0; row < h; row++) {
          src.copyInto(dst.subarray(row * w, row * w + w), row * stride);
        }
        return dst;
      };
      out = { width, height, y: plane(0, width, height), u: plane(1, cw, ch), v: plane(2, cw, ch) };
    }
    return out;
  }

  close(): void {
    if (this.#ctx) {
      this.#vpx.vpx_codec_destroy(this.#ctx);
      this.#libc.free(this.#ctx);
    }
    if (this.#iter) this.#libc.free(this.#iter);
    this.#ctx = this.#iter = null;
  }
}
