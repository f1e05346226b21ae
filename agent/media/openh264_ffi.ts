// OpenH264, libyuv and libc over `Deno.dlopen` for the H.264 encoder (h264.ts) and the test
// decoder: the symbols, the loading (the supported soname first, by absolute path where found),
// the version check that picks the struct layouts (openh264_abi.ts), the layout check against
// the library, and calls through the encoder's and decoder's vtables.
//
// ISVCEncoder / ISVCDecoder are C++ objects: a pointer to an object whose first word points at
// a table of function pointers (codec_api.h's C view). A method is the table's slot, called
// with the object as its first argument (Deno.UnsafeFnPointer).
import { OPENH264_SONAMES, type OpenH264Abi, openh264AbiFor } from "./openh264_abi.ts";
import { openFirst } from "./vpx_ffi.ts";
import { type Libc, LIBC_NAMES, LIBC_SYMBOLS, type Yuv, YUV_NAMES, YUV_SYMBOLS } from "./yuv.ts";

const H264_SYMBOLS = {
  // (OpenH264Version* out): uMajor, uMinor, uRevision, uReserved (unsigned ints).
  WelsGetCodecVersionEx: { parameters: ["buffer"], result: "void" },
  // (ISVCEncoder** out) → 0 on success
  WelsCreateSVCEncoder: { parameters: ["buffer"], result: "i32" },
  WelsDestroySVCEncoder: { parameters: ["pointer"], result: "void" },
  // (ISVCDecoder** out) → long, 0 on success
  WelsCreateDecoder: { parameters: ["buffer"], result: "i64" },
  WelsDestroyDecoder: { parameters: ["pointer"], result: "void" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The vtable methods' C signatures (codec_api.h). */
const ENCODER_METHODS = {
  InitializeExt: { parameters: ["pointer", "pointer"], result: "i32" },
  GetDefaultParams: { parameters: ["pointer", "pointer"], result: "i32" },
  Uninitialize: { parameters: ["pointer"], result: "i32" },
  EncodeFrame: { parameters: ["pointer", "pointer", "pointer"], result: "i32" },
  // The same slot, called on a thread of Deno's blocking pool (h264.ts's encodeAsync).
  EncodeFrameAsync: {
    parameters: ["pointer", "pointer", "pointer"],
    result: "i32",
    nonblocking: true,
  },
  ForceIntraFrame: { parameters: ["pointer", "bool"], result: "i32" },
  SetOption: { parameters: ["pointer", "i32", "pointer"], result: "i32" },
} as const satisfies Record<string, Deno.ForeignFunction>;

const DECODER_METHODS = {
  Initialize: { parameters: ["pointer", "pointer"], result: "i64" },
  Uninitialize: { parameters: ["pointer"], result: "i64" },
  // (decoder, src, src length, unsigned char* dst[3], SBufferInfo*) → DECODING_STATE
  DecodeFrameNoDelay: {
    parameters: ["pointer", "buffer", "i32", "pointer", "pointer"],
    result: "i32",
  },
} as const satisfies Record<string, Deno.ForeignFunction>;

export interface H264Libs {
  abi: OpenH264Abi;
  /** "2.3.1", from the library itself. */
  version: string;
  h264: Deno.DynamicLibrary<typeof H264_SYMBOLS>["symbols"];
  yuv: Yuv;
  libc: Libc;
}

type Methods<T extends Record<string, Deno.ForeignFunction>> = {
  [K in keyof T]: Deno.UnsafeFnPointer<T[K]>["call"];
};

export type EncoderMethods = Methods<typeof ENCODER_METHODS>;
export type DecoderMethods = Methods<typeof DECODER_METHODS>;

let libs: H264Libs | undefined;
let libsError: Error | undefined;

/**
 * OpenH264 (a soname from OPENH264_SONAMES whose version has a table, checked against the
 * library before any struct is used), libyuv and libc. Loaded once; a failure is kept.
 */
export function loadH264Libs(): H264Libs {
  if (libs) return libs;
  if (libsError) throw libsError;
  try {
    // No OpenH264 table or build for Windows (tools/build_windows_codecs.ts makes VP8's DLLs).
    if (Deno.build.os === "windows") {
      throw new Error("H.264 encoding is off: the Windows support app encodes VP8 only");
    }
    const errors: string[] = [];
    let found: H264Libs | undefined;
    const libc = openFirst(LIBC_NAMES, LIBC_SYMBOLS).symbols;
    for (const soname of OPENH264_SONAMES) {
      let opened: Deno.DynamicLibrary<typeof H264_SYMBOLS>;
      try {
        opened = openFirst([soname], H264_SYMBOLS);
      } catch (e) {
        errors.push(e instanceof Error ? e.message : String(e));
        continue;
      }
      const v = new Uint32Array(4);
      opened.symbols.WelsGetCodecVersionEx(v);
      let abi: OpenH264Abi | undefined;
      try {
        abi = openh264AbiFor({ major: v[0], minor: v[1], revision: v[2], soname });
      } finally {
        if (!abi) opened.close(); // refused: nothing of it is called
      }
      const yuv = openFirst(YUV_NAMES, YUV_SYMBOLS).symbols;
      found = { abi, version: `${v[0]}.${v[1]}.${v[2]}`, h264: opened.symbols, yuv, libc };
      checkOpenH264Layout(found);
      break;
    }
    if (!found) throw new Error(`H.264 encoding is off: ${errors.join("\n")}`);
    libs = found;
    return libs;
  } catch (e) {
    libsError = e instanceof Error ? e : new Error(String(e));
    throw libsError;
  }
}

/** The methods of a vtable-based object (`obj` points at the object, whose word 0 is the table). */
function methods<T extends Record<string, Deno.ForeignFunction>>(
  obj: Deno.PointerObject,
  slots: Record<keyof T, number>,
  defs: T,
): Methods<T> {
  const vtbl = new Deno.UnsafePointerView(obj).getPointer(0);
  if (!vtbl) throw new Error("OpenH264 object without a vtable");
  const table = new Deno.UnsafePointerView(vtbl);
  const out = {} as Record<string, unknown>;
  for (const name of Object.keys(defs) as (keyof T & string)[]) {
    const fn = table.getPointer(8 * slots[name]);
    if (!fn) throw new Error(`OpenH264 vtable slot ${name} is empty`);
    const ptr = new Deno.UnsafeFnPointer(fn as Deno.PointerObject<T[typeof name]>, defs[name]);
    out[name] = ptr.call.bind(ptr);
  }
  return out as Methods<T>;
}

/** A new ISVCEncoder and its methods; free it with WelsDestroySVCEncoder. */
export function createEncoder(l: H264Libs): { obj: Deno.PointerObject; m: EncoderMethods } {
  const out = new BigUint64Array(1);
  const rc = l.h264.WelsCreateSVCEncoder(out);
  const obj = Deno.UnsafePointer.create(out[0]);
  if (rc !== 0 || !obj) throw new Error(`WelsCreateSVCEncoder failed (${rc})`);
  try {
    const slots = { ...l.abi.encoderVtbl, EncodeFrameAsync: l.abi.encoderVtbl.EncodeFrame };
    return { obj, m: methods(obj, slots, ENCODER_METHODS) };
  } catch (e) {
    l.h264.WelsDestroySVCEncoder(obj);
    throw e;
  }
}

/** A new ISVCDecoder and its methods; free it with WelsDestroyDecoder. */
export function createDecoder(l: H264Libs): { obj: Deno.PointerObject; m: DecoderMethods } {
  const out = new BigUint64Array(1);
  const rc = l.h264.WelsCreateDecoder(out);
  const obj = Deno.UnsafePointer.create(out[0]);
  if (rc !== 0n || !obj) throw new Error(`WelsCreateDecoder failed (${rc})`);
  try {
    return { obj, m: methods(obj, l.abi.decoderVtbl, DECODER_METHODS) };
  } catch (e) {
    l.h264.WelsDestroyDecoder(obj);
    throw e;
  }
}

/** Native memory of `size` bytes, zeroed, and a view of exactly that size. */
export function nativeStruct(
  l: H264Libs,
  size: number,
): { ptr: Deno.PointerObject; view: DataView } {
  const ptr = l.libc.calloc(1n, BigInt(size));
  if (!ptr) throw new Error("calloc failed");
  return { ptr, view: new DataView(Deno.UnsafePointerView.getArrayBuffer(ptr, size)) };
}

const GUARD = 64;

/**
 * The table against the library: GetDefaultParams (FillDefault in OpenH264) writes its
 * documented defaults where the table says the fields are, and nothing past the table's
 * sizeof(SEncParamExt). Throws, naming the first field that disagrees.
 */
export function checkOpenH264Layout(l: H264Libs): void {
  const { abi } = l, P = abi.param, L = abi.layer, size = abi.sizes.encParamExt;
  const { obj, m } = createEncoder(l);
  const { ptr, view } = nativeStruct(l, size + GUARD);
  try {
    new Uint8Array(view.buffer).fill(0xa5);
    const rc = m.GetDefaultParams(obj, ptr);
    if (rc !== 0) throw new Error(`GetDefaultParams failed (${rc})`);
    const i32 = (o: number) => view.getInt32(o, true);
    const layer = (i: number, f: number) => P.sSpatialLayers + i * abi.sizes.spatialLayer + f;
    const expect: [string, number, number][] = [
      ["fMaxFrameRate", view.getFloat32(P.fMaxFrameRate, true), 60],
      ["iTemporalLayerNum", i32(P.iTemporalLayerNum), 1],
      ["iSpatialLayerNum", i32(P.iSpatialLayerNum), 1],
      ["iNumRefFrame", i32(P.iNumRefFrame), -1],
      ["eSpsPpsIdStrategy", i32(P.eSpsPpsIdStrategy), 1],
      ["bEnableFrameSkip", view.getUint8(P.bEnableFrameSkip), 1],
      ["iMaxQp", i32(P.iMaxQp), 51],
      ["iMinQp", i32(P.iMinQp), 0],
      ["iMultipleThreadIdc", view.getUint16(P.iMultipleThreadIdc, true), 1],
      ["bEnableBackgroundDetection", view.getUint8(P.bEnableBackgroundDetection), 1],
      ["bEnableFrameCroppingFlag", view.getUint8(P.bEnableFrameCroppingFlag), 1],
      ["bEnableSceneChangeDetect", view.getUint8(P.bEnableSceneChangeDetect), 1],
      ["iIdrBitrateRatio", i32(P.iIdrBitrateRatio), 400],
      ["sSpatialLayers[0].fFrameRate", view.getFloat32(layer(0, L.fFrameRate), true), 60],
      ["sSpatialLayers[0].iDLayerQp", i32(layer(0, L.iDLayerQp)), 26],
      ["sSpatialLayers[0].uiSliceSizeConstraint", i32(layer(0, L.uiSliceSizeConstraint)), 1500],
      // VF_UNDEF, CP_UNDEF, TRC_UNDEF, CM_UNDEF: the VUI fields are where the table says.
      ["sSpatialLayers[0].uiVideoFormat", view.getUint8(layer(0, L.uiVideoFormat)), 5],
      ["sSpatialLayers[0].uiColorPrimaries", view.getUint8(layer(0, L.uiColorPrimaries)), 2],
      [
        "sSpatialLayers[0].uiTransferCharacteristics",
        view.getUint8(layer(0, L.uiTransferCharacteristics)),
        2,
      ],
      ["sSpatialLayers[0].uiColorMatrix", view.getUint8(layer(0, L.uiColorMatrix)), 2],
      ["sSpatialLayers[3].iDLayerQp", i32(layer(3, L.iDLayerQp)), 26],
      ["sSpatialLayers[3].uiSliceSizeConstraint", i32(layer(3, L.uiSliceSizeConstraint)), 1500],
    ];
    for (const [name, got, want] of expect) {
      if (got !== want) {
        throw new Error(
          `H.264 encoding is off: ${abi.name}'s table disagrees with the library ` +
            `(${name} default ${got}, expected ${want})`,
        );
      }
    }
    const guard = new Uint8Array(view.buffer, size, GUARD);
    if (guard.some((b) => b !== 0xa5)) {
      throw new Error(
        `H.264 encoding is off: the library's SEncParamExt is larger than ${abi.name}'s ${size} bytes`,
      );
    }
  } finally {
    l.libc.free(ptr);
    l.h264.WelsDestroySVCEncoder(obj);
  }
}
