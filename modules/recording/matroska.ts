/**
 * A streaming Matroska (WebM for VP8/VP9) writer for one video track — and, for a Lens phone's
 * microphone, an Opus track (`A_OPUS`, the RTP payloads as they came) — fed the encoded frames
 * as they pass the server — no re-encoding. It hands back bytes to append and, at the end,
 * the few bytes to overwrite in place (the Segment's size and the Duration), so a file is
 * written front to back and memory never holds more than one frame.
 *
 * Layout: EBML header · Segment (size patched at the end) { Void (room for a SeekHead) · Info
 * (1 ms timestamps, Duration patched, DateUTC) · Tracks (video track 1, Opus track 2 when there
 * is audio) · Cluster* · Chapters? } — Chapters (`chapters`: where the picture was not live) come
 * last, and the Void at the start becomes a SeekHead naming where, so players show them; a file
 * cut short keeps a valid Void there. Each Cluster starts at a
 * keyframe (a player seeks to cluster starts) or when a block's 16-bit relative timestamp
 * would overflow. A cluster's size is known only once the next one starts: it is written as
 * 8 bytes and patched then (`takePatches`), as the Segment's is at the end — an unknown size
 * inside a sized parent is not valid Matroska.
 */
import {
  concat,
  element,
  float64,
  float64Bytes,
  idBytes,
  int64,
  master,
  sizeBytes,
  text,
  uint,
  UNKNOWN_SIZE,
} from "./ebml.ts";

export type TrackCodec = "vp8" | "vp9" | "h264";

export interface TrackInfo {
  codec: TrackCodec;
  width: number;
  height: number;
  /** H.264's AVCDecoderConfigurationRecord (avc.ts); none for VP8/VP9. */
  codecPrivate?: Uint8Array;
  /** When the recording starts (DateUTC). */
  startedAt: Date;
  /** An Opus track beside the video (track 2): its channel count for the OpusHead. */
  audio?: { channels: 1 | 2 };
}

/** Bytes to overwrite at `offset` once the file is complete. */
export interface Patch {
  offset: number;
  bytes: Uint8Array;
}

const ID = {
  ebml: 0x1a45dfa3,
  ebmlVersion: 0x4286,
  ebmlReadVersion: 0x42f7,
  ebmlMaxIdLength: 0x42f2,
  ebmlMaxSizeLength: 0x42f3,
  docType: 0x4282,
  docTypeVersion: 0x4287,
  docTypeReadVersion: 0x4285,
  segment: 0x18538067,
  info: 0x1549a966,
  timestampScale: 0x2ad7b1,
  muxingApp: 0x4d80,
  writingApp: 0x5741,
  duration: 0x4489,
  dateUtc: 0x4461,
  tracks: 0x1654ae6b,
  trackEntry: 0xae,
  trackNumber: 0xd7,
  trackUid: 0x73c5,
  trackType: 0x83,
  flagLacing: 0x9c,
  codecId: 0x86,
  codecPrivate: 0x63a2,
  video: 0xe0,
  pixelWidth: 0xb0,
  pixelHeight: 0xba,
  audio: 0xe1,
  samplingFrequency: 0xb5,
  channels: 0x9f,
  codecDelay: 0x56aa,
  seekPreRoll: 0x56bb,
  cluster: 0x1f43b675,
  timestamp: 0xe7,
  simpleBlock: 0xa3,
  void: 0xec,
  seekHead: 0x114d9b74,
  seek: 0x4dbb,
  seekId: 0x53ab,
  seekPosition: 0x53ac,
  chapters: 0x1043a770,
  editionEntry: 0x45b9,
  chapterAtom: 0xb6,
  chapterUid: 0x73c4,
  chapterTimeStart: 0x91,
  chapterTimeEnd: 0x92,
  chapterDisplay: 0x80,
  chapString: 0x85,
  chapLanguage: 0x437c,
} as const;

/** The room kept at the Segment's start for a SeekHead naming the Chapters (bytes). */
const SEEK_ROOM = 32;

/** A stretch of the recording with its title (a player's chapter list shows it). */
export interface Chapter {
  startMs: number;
  endMs: number;
  title: string;
}

/** A Void element of exactly `bytes` bytes (2 to 129): room to overwrite later. */
function _void(bytes: number): Uint8Array {
  return concat([idBytes(ID.void), sizeBytes(bytes - 2, 1), new Uint8Array(bytes - 2)]);
}

export const MATROSKA_IDS = ID;

const CODEC_IDS: Record<TrackCodec, string> = {
  vp8: "V_VP8",
  vp9: "V_VP9",
  h264: "V_MPEG4/ISO/AVC",
};

/** Matroska's epoch for DateUTC: 2001-01-01T00:00:00Z. */
const MATROSKA_EPOCH_MS = Date.UTC(2001, 0, 1);
/** A block's timestamp is a signed 16-bit offset from its cluster's. */
const MAX_RELATIVE_MS = 32_000;

/** Opus's decoder delay at 48 kHz that WebRTC encoders use (RFC 7845 "pre-skip"). */
const OPUS_PRE_SKIP = 312;

/** Opus's identification header (RFC 7845 §5.1), Matroska's CodecPrivate for `A_OPUS`. */
export function opusHead(channels: 1 | 2): Uint8Array {
  const head = new Uint8Array(19);
  head.set(new TextEncoder().encode("OpusHead"));
  const view = new DataView(head.buffer);
  head[8] = 1; // version
  head[9] = channels;
  view.setUint16(10, OPUS_PRE_SKIP, true);
  view.setUint32(12, 48_000, true); // the input's rate, for information
  view.setInt16(16, 0, true); // output gain
  head[18] = 0; // mapping family 0: mono or stereo
  return head;
}

/** The container's file extension for a codec: WebM is Matroska restricted to VP8/VP9. */
export function extensionFor(codec: TrackCodec): "webm" | "mkv" {
  return codec === "h264" ? "mkv" : "webm";
}

export class MatroskaWriter {
  /** Bytes handed out so far (the offset of the next ones). */
  #offset = 0;
  #segmentDataStart = 0;
  #segmentSizeAt = 0;
  #durationAt = 0;
  #seekRoomAt = 0;
  #clusterAt: number | null = null;
  /** Where the open cluster's size field and data start (bytes). */
  #clusterSizeAt = 0;
  #clusterDataStart = 0;
  #patches: Patch[] = [];
  #firstAt: number | null = null;
  #lastMs = 0;
  frames = 0;
  audioPackets = 0;

  constructor(readonly track: TrackInfo) {}

  /** The file's start: EBML header, the Segment's opening, Info and Tracks. */
  header(): Uint8Array {
    const { codec, width, height, codecPrivate, startedAt } = this.track;
    const ebml = master(ID.ebml, [
      uint(ID.ebmlVersion, 1),
      uint(ID.ebmlReadVersion, 1),
      uint(ID.ebmlMaxIdLength, 4),
      uint(ID.ebmlMaxSizeLength, 8),
      text(ID.docType, codec === "h264" ? "matroska" : "webm"),
      uint(ID.docTypeVersion, 4),
      uint(ID.docTypeReadVersion, 2),
    ]);
    const segmentOpen = concat([idBytes(ID.segment), UNKNOWN_SIZE]);
    const infoBody = [
      uint(ID.timestampScale, 1_000_000),
      text(ID.muxingApp, "rescue"),
      text(ID.writingApp, "rescue"),
      int64(ID.dateUtc, BigInt(startedAt.getTime() - MATROSKA_EPOCH_MS) * 1_000_000n),
    ];
    const duration = float64(ID.duration, 0);
    const info = master(ID.info, [...infoBody, duration]);
    const trackEntry = master(ID.trackEntry, [
      uint(ID.trackNumber, 1),
      uint(ID.trackUid, 1),
      uint(ID.trackType, 1),
      uint(ID.flagLacing, 0),
      text(ID.codecId, CODEC_IDS[codec]),
      ...(codecPrivate ? [element(ID.codecPrivate, codecPrivate)] : []),
      master(ID.video, [uint(ID.pixelWidth, width), uint(ID.pixelHeight, height)]),
    ]);
    const audio = this.track.audio
      ? [master(ID.trackEntry, [
        uint(ID.trackNumber, 2),
        uint(ID.trackUid, 2),
        uint(ID.trackType, 2),
        uint(ID.flagLacing, 0),
        text(ID.codecId, "A_OPUS"),
        element(ID.codecPrivate, opusHead(this.track.audio.channels)),
        uint(ID.codecDelay, Math.round(OPUS_PRE_SKIP / 48_000 * 1e9)),
        uint(ID.seekPreRoll, 80_000_000),
        master(ID.audio, [
          float64(ID.samplingFrequency, 48_000),
          uint(ID.channels, this.track.audio.channels),
        ]),
      ])]
      : [];
    const tracks = master(ID.tracks, [trackEntry, ...audio]);
    this.#segmentSizeAt = ebml.byteLength + idBytes(ID.segment).byteLength;
    this.#segmentDataStart = ebml.byteLength + segmentOpen.byteLength;
    this.#seekRoomAt = this.#segmentDataStart;
    // Duration is Info's last child: its 8 data bytes end Info.
    this.#durationAt = this.#segmentDataStart + SEEK_ROOM + info.byteLength - 8;
    return this.#out(concat([ebml, segmentOpen, _void(SEEK_ROOM), info, tracks]));
  }

  /**
   * One frame as a SimpleBlock (and a Cluster before it when one starts), at its capture
   * time relative to the first frame's. Times never go backwards in the file.
   */
  frame(data: Uint8Array, keyframe: boolean, capturedAt: number): Uint8Array {
    this.#firstAt ??= capturedAt;
    const ms = Math.max(this.#lastMs, Math.round(capturedAt - this.#firstAt));
    this.#lastMs = ms;
    const parts: Uint8Array[] = [];
    if (this.#clusterAt === null || keyframe || ms - this.#clusterAt > MAX_RELATIVE_MS) {
      this.#closeCluster();
      this.#clusterAt = ms;
      const id = idBytes(ID.cluster);
      this.#clusterSizeAt = this.#offset + id.byteLength;
      this.#clusterDataStart = this.#clusterSizeAt + UNKNOWN_SIZE.byteLength;
      parts.push(id, UNKNOWN_SIZE, uint(ID.timestamp, ms));
    }
    parts.push(_block(1, ms - this.#clusterAt, keyframe, data));
    this.frames++;
    return this.#out(concat(parts));
  }

  /**
   * One Opus packet as a SimpleBlock of track 2, at its arrival time on the video's clock; none
   * before the first video frame (a part starts at a keyframe) nor without an audio track.
   * A cluster whose 16-bit offset would overflow (a long pause of the picture) starts here.
   */
  audio(data: Uint8Array, capturedAt: number): Uint8Array {
    if (!this.track.audio || this.#firstAt === null || this.#clusterAt === null) {
      return new Uint8Array(0);
    }
    const ms = Math.max(this.#lastMs, Math.round(capturedAt - this.#firstAt));
    this.#lastMs = ms;
    const parts: Uint8Array[] = [];
    if (ms - this.#clusterAt > MAX_RELATIVE_MS) {
      this.#closeCluster();
      this.#clusterAt = ms;
      const id = idBytes(ID.cluster);
      this.#clusterSizeAt = this.#offset + id.byteLength;
      this.#clusterDataStart = this.#clusterSizeAt + UNKNOWN_SIZE.byteLength;
      parts.push(id, UNKNOWN_SIZE, uint(ID.timestamp, ms));
    }
    // Every Opus packet decodes on its own: each block is a keyframe.
    parts.push(_block(2, ms - this.#clusterAt, true, data));
    this.audioPackets++;
    return this.#out(concat(parts));
  }

  /**
   * The Chapters, after the last frame and before `finish` (the open cluster is closed first;
   * no frame may follow):
   * their bytes to append; the SeekHead naming them replaces the Void at the start among the
   * patches. Nothing for an empty list.
   */
  chapters(list: readonly Chapter[]): Uint8Array {
    if (list.length === 0) return new Uint8Array(0);
    this.#closeCluster();
    this.#clusterAt = null;
    // A stretch after the last frame (the picture frozen until the part ended) is part of the
    // recording: the Duration covers it, and players hold the last frame.
    this.#lastMs = Math.max(this.#lastMs, ...list.map((chapter) => Math.round(chapter.endMs)));
    const at = this.#offset;
    const ns = (ms: number) => Math.max(0, Math.round(ms)) * 1_000_000;
    const chapters = master(ID.chapters, [
      master(
        ID.editionEntry,
        list.map((chapter, i) =>
          master(ID.chapterAtom, [
            uint(ID.chapterUid, i + 1),
            uint(ID.chapterTimeStart, ns(chapter.startMs)),
            uint(ID.chapterTimeEnd, ns(Math.max(chapter.startMs, chapter.endMs))),
            master(ID.chapterDisplay, [
              text(ID.chapString, chapter.title),
              text(ID.chapLanguage, "und"),
            ]),
          ])
        ),
      ),
    ]);
    const position = new Uint8Array(8);
    new DataView(position.buffer).setBigUint64(0, BigInt(at - this.#segmentDataStart));
    const seekHead = master(ID.seekHead, [
      master(ID.seek, [
        element(ID.seekId, idBytes(ID.chapters)),
        element(ID.seekPosition, position),
      ]),
    ]);
    this.#patches.push({
      offset: this.#seekRoomAt,
      bytes: concat([seekHead, _void(SEEK_ROOM - seekHead.byteLength)]),
    });
    return this.#out(chapters);
  }

  /** How long the recording runs so far, in ms (the last frame's time). */
  get durationMs(): number {
    return this.#lastMs;
  }

  /** Bytes written so far. */
  get bytes(): number {
    return this.#offset;
  }

  /** Sizes of clusters closed since the last call, to overwrite in what was written. */
  takePatches(): Patch[] {
    const patches = this.#patches;
    this.#patches = [];
    return patches;
  }

  /**
   * What to overwrite once no more frames come: the last cluster's and the Segment's sizes
   * and the Duration (with any cluster sizes not taken yet).
   */
  finish(): Patch[] {
    this.#closeCluster();
    return [
      ...this.takePatches(),
      {
        offset: this.#segmentSizeAt,
        bytes: sizeBytes(this.#offset - this.#segmentDataStart, 8),
      },
      { offset: this.#durationAt, bytes: float64Bytes(Math.max(1, this.#lastMs)) },
    ];
  }

  #closeCluster() {
    if (this.#clusterAt === null) return;
    const size = this.#offset - this.#clusterDataStart;
    this.#patches.push({ offset: this.#clusterSizeAt, bytes: sizeBytes(size, 8) });
  }

  #out(bytes: Uint8Array): Uint8Array {
    this.#offset += bytes.byteLength;
    return bytes;
  }
}

/** A SimpleBlock of `track` (1 or 2, a 1-byte vint) at `relativeMs` from its cluster. */
function _block(track: 1 | 2, relativeMs: number, keyframe: boolean, data: Uint8Array) {
  const head = new Uint8Array(4);
  head[0] = 0x80 | track;
  new DataView(head.buffer).setInt16(1, relativeMs);
  head[3] = keyframe ? 0x80 : 0x00;
  return concat([
    idBytes(ID.simpleBlock),
    sizeBytes(head.byteLength + data.byteLength),
    head,
    data,
  ]);
}
