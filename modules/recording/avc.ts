/**
 * H.264 as Matroska stores it (ISO 14496-15): the agent's and the browser share's frames
 * are Annex B (each NAL unit after a 00 00 01 start code, SPS and PPS before each IDR);
 * Matroska wants the SPS and PPS once, in the track's AVCDecoderConfigurationRecord
 * ("avcC"), and each NAL unit after its 4-byte length.
 */

const NAL_SPS = 7;
const NAL_PPS = 8;
const NAL_AUD = 9;

/** The NAL units of an Annex B access unit, start codes removed. */
export function nalUnits(annexB: Uint8Array): Uint8Array[] {
  const starts: { at: number; data: number }[] = [];
  for (let i = 0; i + 2 < annexB.byteLength; i++) {
    if (annexB[i] === 0 && annexB[i + 1] === 0 && annexB[i + 2] === 1) {
      const at = i > 0 && annexB[i - 1] === 0 ? i - 1 : i;
      starts.push({ at, data: i + 3 });
      i += 2;
    }
  }
  return starts.map((start, n) => {
    let end = n + 1 < starts.length ? starts[n + 1].at : annexB.byteLength;
    while (end > start.data && annexB[end - 1] === 0 && n + 1 < starts.length) end--;
    return annexB.subarray(start.data, end);
  }).filter((nal) => nal.byteLength > 0);
}

const nalType = (nal: Uint8Array) => nal[0] & 0x1f;

/** The avcC record for a keyframe's SPS and PPS, or null when the frame carries neither. */
export function avcConfig(annexB: Uint8Array): Uint8Array | null {
  const nals = nalUnits(annexB);
  const sps = nals.find((nal) => nalType(nal) === NAL_SPS);
  const pps = nals.find((nal) => nalType(nal) === NAL_PPS);
  if (!sps || !pps || sps.byteLength < 4) return null;
  const out = new Uint8Array(11 + sps.byteLength + pps.byteLength);
  const view = new DataView(out.buffer);
  out.set([1, sps[1], sps[2], sps[3], 0xff, 0xe1]); // 4-byte lengths, one SPS
  view.setUint16(6, sps.byteLength);
  out.set(sps, 8);
  out[8 + sps.byteLength] = 1; // one PPS
  view.setUint16(9 + sps.byteLength, pps.byteLength);
  out.set(pps, 11 + sps.byteLength);
  return out;
}

/**
 * The frame's picture NAL units, each after its 4-byte length — SPS and PPS (in the track's
 * record) and access unit delimiters left out.
 */
export function lengthPrefixed(annexB: Uint8Array): Uint8Array {
  const nals = nalUnits(annexB).filter((nal) => {
    const type = nalType(nal);
    return type !== NAL_SPS && type !== NAL_PPS && type !== NAL_AUD;
  });
  const out = new Uint8Array(nals.reduce((sum, nal) => sum + 4 + nal.byteLength, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const nal of nals) {
    view.setUint32(at, nal.byteLength);
    out.set(nal, at + 4);
    at += 4 + nal.byteLength;
  }
  return out;
}

export function sameBytes(a: Uint8Array | null | undefined, b: Uint8Array | null | undefined) {
  if (!a || !b) return a === b;
  return a.byteLength === b.byteLength && a.every((byte, i) => byte === b[i]);
}
