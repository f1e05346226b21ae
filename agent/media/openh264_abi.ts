// OpenH264's struct layouts, vtable slots and constants, one table per release the H.264
// encoder supports, and the check that picks the table for the library actually loaded (or
// refuses it by name). Like vpx_abi.ts: no headers or compiler at run time, so the layouts are
// data.
//
// How the table was made: the public headers of the release tag (github.com/cisco/openh264,
// v2.3.1: codec/api/wels/codec_app_def.h, codec_api.h, codec_def.h) compiled with gcc on x86_64
// into a throwaway program printing `sizeof`/`offsetof` of SEncParamExt, SSpatialLayerConfig,
// SSourcePicture, SFrameBSInfo, SLayerBSInfo, SDecodingParam and SBufferInfo (the figures are in
// openh264_abi_test.ts's comment). The library itself is Debian 12's `libopenh264-7` 2.3.1.
//
// OpenH264 checks nothing of the caller's layout (no ABI version argument), so besides the
// version check openh264_ffi.ts checks the table against the library at load: GetDefaultParams
// writes its documented defaults where the table says the fields are, and nothing past the
// table's sizeof (a guard area filled beforehand must stay untouched).

/** One OpenH264 ABI: where the encoder's and decoder's fields are, and how big each struct is. */
export interface OpenH264Abi {
  /** Shown in messages, e.g. "OpenH264 2.3 (x86_64)". */
  name: string;
  /** The shared library's file name (its soname). */
  soname: string;
  /** WelsGetCodecVersionEx() major and minor this table was taken from. */
  major: number;
  minor: number;
  /** Deno.build.arch values whose C layout was measured. */
  arch: readonly string[];
  sizes: {
    encParamExt: number;
    spatialLayer: number;
    sourcePicture: number;
    frameBsInfo: number;
    layerBsInfo: number;
    decodingParam: number;
    bufferInfo: number;
  };
  /** offsetof(SEncParamExt, …). Booleans are one byte, iMultipleThreadIdc two, the rest four. */
  param: Record<ParamField, number>;
  /** offsetof(SSpatialLayerConfig, …) inside sSpatialLayers[i] (at param.sSpatialLayers). */
  layer: Record<LayerField, number>;
  /** SSourcePicture: iColorFormat, iStride[4] (ints), pData[4] (pointers), size, timestamp. */
  source: {
    iColorFormat: number;
    iStride: number;
    pData: number;
    iPicWidth: number;
    iPicHeight: number;
    uiTimeStamp: number;
  };
  /** SFrameBSInfo and the SLayerBSInfo array inside it. */
  frame: { iLayerNum: number; sLayerInfo: number; eFrameType: number; iFrameSizeInBytes: number };
  bsLayer: { eFrameType: number; iNalCount: number; pNalLengthInByte: number; pBsBuf: number };
  /** SDecodingParam: error concealment and the bitstream type. */
  decodingParam: { eEcActiveIdc: number; videoPropertySize: number; eVideoBsType: number };
  /** SBufferInfo: iBufferStatus, the picture's size and strides, pDst[3]. */
  bufferInfo: {
    iBufferStatus: number;
    iWidth: number;
    iHeight: number;
    iStride: number;
    pDst: number;
  };
  /** Slots of the ISVCEncoderVtbl / ISVCDecoderVtbl function pointers. */
  encoderVtbl: Record<EncoderMethod, number>;
  decoderVtbl: Record<DecoderMethod, number>;
  /** enum ENCODER_OPTION values. */
  options: {
    idrInterval: number;
    svcEncodeParamExt: number;
    frameRate: number;
    bitrate: number;
    rcMode: number;
    traceLevel: number;
  };
  constants: {
    cameraVideoRealTime: number;
    screenContentRealTime: number;
    rcBitrateMode: number;
    rcTimestampMode: number;
    rcOffMode: number;
    proBaseline: number;
    smSingleSlice: number;
    smFixedSlcNum: number;
    smSizeLimitedSlice: number;
    videoFormatI420: number;
    /** EVideoFormatSPS VF_UNDEF; CP_, TRC_ and CM_SMPTE170M (BT.601: libyuv's ARGBToI420). */
    vuiFormatUndef: number;
    vuiSmpte170m: number;
    frameTypeIdr: number;
    frameTypeI: number;
    frameTypeSkip: number;
    spatialLayerAll: number;
    constantId: number;
    videoBitstreamAvc: number;
    errorConDisable: number;
  };
}

export type ParamField =
  | "iUsageType"
  | "iPicWidth"
  | "iPicHeight"
  | "iTargetBitrate"
  | "iRCMode"
  | "fMaxFrameRate"
  | "iTemporalLayerNum"
  | "iSpatialLayerNum"
  | "sSpatialLayers"
  | "iComplexityMode"
  | "uiIntraPeriod"
  | "iNumRefFrame"
  | "eSpsPpsIdStrategy"
  | "bEnableSSEI"
  | "iEntropyCodingModeFlag"
  | "bEnableFrameSkip"
  | "iMaxBitrate"
  | "iMaxQp"
  | "iMinQp"
  | "uiMaxNalSize"
  | "bEnableLongTermReference"
  | "iMultipleThreadIdc"
  | "iLoopFilterDisableIdc"
  | "bEnableDenoise"
  | "bEnableBackgroundDetection"
  | "bEnableAdaptiveQuant"
  | "bEnableFrameCroppingFlag"
  | "bEnableSceneChangeDetect"
  | "iIdrBitrateRatio";

export type LayerField =
  | "iVideoWidth"
  | "iVideoHeight"
  | "fFrameRate"
  | "iSpatialBitrate"
  | "iMaxSpatialBitrate"
  | "uiProfileIdc"
  | "uiLevelIdc"
  | "iDLayerQp"
  | "uiSliceMode"
  | "uiSliceNum"
  | "uiSliceSizeConstraint"
  // The VUI's video signal type (bytes): what the decoder converts the planes to RGB with.
  | "bVideoSignalTypePresent"
  | "uiVideoFormat"
  | "bFullRange"
  | "bColorDescriptionPresent"
  | "uiColorPrimaries"
  | "uiTransferCharacteristics"
  | "uiColorMatrix";

export type EncoderMethod =
  | "InitializeExt"
  | "GetDefaultParams"
  | "Uninitialize"
  | "EncodeFrame"
  | "ForceIntraFrame"
  | "SetOption";

export type DecoderMethod = "Initialize" | "Uninitialize" | "DecodeFrameNoDelay";

/** The x86_64 layout of OpenH264 2.3 (see the header for how it was measured). */
const LAYOUT_2_3_X86_64: Omit<OpenH264Abi, "name" | "soname" | "major" | "minor"> = {
  arch: ["x86_64"],
  sizes: {
    encParamExt: 920,
    spatialLayer: 200,
    sourcePicture: 72,
    frameBsInfo: 5144,
    layerBsInfo: 40,
    decodingParam: 32,
    bufferInfo: 72,
  },
  param: {
    iUsageType: 0,
    iPicWidth: 4,
    iPicHeight: 8,
    iTargetBitrate: 12,
    iRCMode: 16,
    fMaxFrameRate: 20,
    iTemporalLayerNum: 24,
    iSpatialLayerNum: 28,
    sSpatialLayers: 32,
    iComplexityMode: 832,
    uiIntraPeriod: 836,
    iNumRefFrame: 840,
    eSpsPpsIdStrategy: 844,
    bEnableSSEI: 849,
    iEntropyCodingModeFlag: 856,
    bEnableFrameSkip: 860,
    iMaxBitrate: 864,
    iMaxQp: 868,
    iMinQp: 872,
    uiMaxNalSize: 876,
    bEnableLongTermReference: 880,
    iMultipleThreadIdc: 892,
    iLoopFilterDisableIdc: 896,
    bEnableDenoise: 908,
    bEnableBackgroundDetection: 909,
    bEnableAdaptiveQuant: 910,
    bEnableFrameCroppingFlag: 911,
    bEnableSceneChangeDetect: 912,
    iIdrBitrateRatio: 916,
  },
  layer: {
    iVideoWidth: 0,
    iVideoHeight: 4,
    fFrameRate: 8,
    iSpatialBitrate: 12,
    iMaxSpatialBitrate: 16,
    uiProfileIdc: 20,
    uiLevelIdc: 24,
    iDLayerQp: 28,
    uiSliceMode: 32,
    uiSliceNum: 36,
    uiSliceSizeConstraint: 180,
    bVideoSignalTypePresent: 184,
    uiVideoFormat: 185,
    bFullRange: 186,
    bColorDescriptionPresent: 187,
    uiColorPrimaries: 188,
    uiTransferCharacteristics: 189,
    uiColorMatrix: 190,
  },
  source: {
    iColorFormat: 0,
    iStride: 4,
    pData: 24,
    iPicWidth: 56,
    iPicHeight: 60,
    uiTimeStamp: 64,
  },
  frame: { iLayerNum: 0, sLayerInfo: 8, eFrameType: 5128, iFrameSizeInBytes: 5132 },
  bsLayer: { eFrameType: 4, iNalCount: 16, pNalLengthInByte: 24, pBsBuf: 32 },
  decodingParam: { eEcActiveIdc: 16, videoPropertySize: 24, eVideoBsType: 28 },
  bufferInfo: { iBufferStatus: 0, iWidth: 24, iHeight: 28, iStride: 36, pDst: 48 },
  // codec_api.h's C interface; the C++ classes declare the same methods in the same order
  // (their virtual destructor comes last), so the vtables agree.
  encoderVtbl: {
    InitializeExt: 1,
    GetDefaultParams: 2,
    Uninitialize: 3,
    EncodeFrame: 4,
    ForceIntraFrame: 6,
    SetOption: 7,
  },
  decoderVtbl: { Initialize: 0, Uninitialize: 1, DecodeFrameNoDelay: 3 },
  options: {
    idrInterval: 1,
    svcEncodeParamExt: 3,
    frameRate: 4,
    bitrate: 5,
    rcMode: 8,
    traceLevel: 25,
  },
  constants: {
    cameraVideoRealTime: 0,
    screenContentRealTime: 1,
    rcBitrateMode: 1,
    rcTimestampMode: 3,
    rcOffMode: -1,
    proBaseline: 66,
    smSingleSlice: 0,
    smFixedSlcNum: 1,
    smSizeLimitedSlice: 3,
    videoFormatI420: 23,
    vuiFormatUndef: 5,
    vuiSmpte170m: 6,
    frameTypeIdr: 1,
    frameTypeI: 2,
    frameTypeSkip: 4,
    spatialLayerAll: 4,
    constantId: 0,
    videoBitstreamAvc: 0,
    errorConDisable: 0,
  },
};

/** Every ABI the H.264 encoder supports; an OpenH264 matching none of them is refused. */
export const OPENH264_ABIS: readonly OpenH264Abi[] = [
  {
    name: "OpenH264 2.3 (x86_64)",
    soname: "libopenh264.so.7",
    major: 2,
    minor: 3,
    ...LAYOUT_2_3_X86_64,
  },
];

/** Sonames to try, in order: the supported ones, then the names the brief allows as well. */
export const OPENH264_SONAMES = ["libopenh264.so.7", "libopenh264.so.6", "libopenh264.so"];

/**
 * The table for the loaded OpenH264 (`version` from WelsGetCodecVersionEx, `soname` the file
 * that was opened) on this machine's `arch`; throws when none matches, naming what is supported.
 * A bare `libopenh264.so` (a developer's symlink) is accepted for a known version.
 */
export function openh264AbiFor(
  loaded: { major: number; minor: number; revision: number; soname: string },
  arch: string = Deno.build.arch,
): OpenH264Abi {
  const abi = OPENH264_ABIS.find((a) =>
    (a.soname === loaded.soname || loaded.soname === "libopenh264.so") &&
    a.major === loaded.major && a.minor === loaded.minor && a.arch.includes(arch)
  );
  if (abi) return abi;
  const known = OPENH264_ABIS.map((a) => a.name).join(", ");
  throw new Error(
    `H.264 encoding is off: ${loaded.soname} is OpenH264 ` +
      `${loaded.major}.${loaded.minor}.${loaded.revision} on ${arch}, whose struct layouts ` +
      `this agent does not know (it supports ${known})`,
  );
}
