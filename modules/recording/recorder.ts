/**
 * A session's screen recorder (SPEC R5): fed the agent's encoded frames on the agent's home
 * as they pass to the viewers (modules/remote `FrameRecorder`), it writes them as they are into
 * Matroska part files — no decoding, no re-encoding. It writes while it is wanted (a
 * technician's Record, or the group's `always`) and the customer allows view; a part starts at a
 * keyframe (one is asked for at each start), and a new one when the codec, the screen's size or
 * H.264's parameter sets change. What the policy allows is decided by policy.ts and the routes;
 * this file only records.
 */
import type { MediaFrame } from "../../protocol/mod.ts";
import { avcConfig, lengthPrefixed, sameBytes } from "./avc.ts";
import { type Chapter, extensionFor, MatroskaWriter, type TrackInfo } from "./matroska.ts";
import { PartFile } from "./part_file.ts";
import { finishPartFile } from "./part_repair.ts";
import type { NotLiveStretch } from "./schema.ts";

/** Keyframes asked for at most this often while a part waits for one. */
const KEYFRAME_ASK_MS = 1_000;

/** A part as the database keeps it (service.ts). */
export interface PartStart {
  /** Whose part: the support session's id, or a Lens session's (its store knows which). */
  sessionId: string;
  userId: string | null;
  startedAt: Date;
  codec: string;
  width: number;
  height: number;
  path: string;
}

/** A technician as the log names them. */
export interface Technician {
  id: string;
  name: string;
}

export type RecorderEvent =
  | { kind: "started"; by: Technician | null }
  | { kind: "stopped"; by: Technician | null }
  | { kind: "failed"; error: string };

export interface RecorderOptions {
  sessionId: string;
  /** The remote session: asked for keyframes, told when recording starts and stops. */
  remote: { wantKeyframe(): void; recordingChanged(): void };
  /** The parts' rows (service.ts). */
  store: {
    opened(part: PartStart): Promise<string>;
    closed(id: string, end: PartEnd): Promise<void>;
  };
  /** Log and audit lines for starts, stops and a disk that failed. */
  onEvent(event: RecorderEvent): void;
  /** The technician to name on a part the group's `always` started: one watching. */
  watcher(): string | null;
  /** The customer allowed view (again): the group's policy is looked at anew. */
  viewGranted?(): void;
  /**
   * Whether a part opened now gets an Opus track (a Lens phone that sends its microphone) and
   * with how many channels; absent or null: video only (the remote view has no sound).
   */
  audio?(): { channels: 1 | 2 } | null;
  /**
   * A chapter's title in the part file: the live picture (null) or why it was not live (the
   * agent's capture pause reason). Absent: parts get no chapters.
   */
  chapterTitle?(reason: string | null): string;
  now?: () => Date;
  /**
   * Elapsed milliseconds on a monotonic clock (default `performance.now()`), to place a pause on
   * a part's timeline: frames carry the agent's real capture times, so the gap since the last
   * one is real time too — not the app's clock, which a test may hold still.
   */
  elapsed?: () => number;
}

/** What is known of a part once it is finished. */
export interface PartEnd {
  endedAt: Date;
  bytes: number;
  /** Where its picture was not live (its chapters other than the live picture). */
  notLive: NotLiveStretch[];
  /** How long its file plays (ms, its Duration). */
  durationMs: number;
}

/** A stretch where the picture was not live, on its part's timeline (ms; end null: still). */
interface Pause {
  startMs: number;
  endMs: number | null;
  reason: string;
}

interface OpenPart {
  file: PartFile;
  writer: MatroskaWriter;
  row: Promise<string | null>;
  pauses: Pause[];
  /** When the last frame was written (`elapsed`): a pause is placed that long after it. */
  lastFrameAt: number;
}

export class SessionRecorder {
  /** The folder parts go to while wanted (null: not wanted). */
  #folder: string | null = null;
  #by: Technician | null = null;
  #viewGranted = false;
  #part: OpenPart | null = null;
  #parts = 0;
  #lastAsk = -Infinity;
  /** Frames were dropped (a slow disk): nothing more until the next keyframe. */
  #skipping = false;
  /** Why the agent cannot capture the screen now (its capture pause), null while it can. */
  #paused: string | null = null;
  /** Every part's closing, so a caller can wait for the files to be complete. */
  #closing: Promise<void> = Promise.resolve();
  /** Parts written or still being closed here (whose rows have no end yet: not interrupted). */
  readonly unsettledPaths = new Set<string>();

  constructor(readonly options: RecorderOptions) {}

  /** Frames are being written (or the first keyframe is on its way): wanted and view granted. */
  get recording(): boolean {
    return this.#folder !== null && this.#viewGranted;
  }

  /** Whether recording is wanted (it still waits for view when not granted). */
  get wanted(): boolean {
    return this.#folder !== null;
  }

  /** Wanted by the group's policy (`always`), not by a technician's Record. */
  get startedByPolicy(): boolean {
    return this.#folder !== null && this.#by === null;
  }

  /** Records into `folder` from now on, named for technician `by` (null: the group's policy). */
  start(folder: string, by: Technician | null) {
    if (this.#folder !== null) return;
    const was = this.recording;
    this.#folder = folder;
    this.#by = by;
    this.#changed(was);
  }

  /** Stops recording (the part is closed); `by` names who stopped it. */
  stop(by: Technician | null): Promise<void> {
    if (this.#folder === null) return this.#closing;
    const was = this.recording;
    this.#folder = null;
    this.#changed(was, by);
    return this.#closing;
  }

  viewChanged(granted: boolean) {
    if (granted === this.#viewGranted) return;
    const was = this.recording;
    this.#viewGranted = granted;
    // What the group's policy started ends with the view: at the next grant the policy is read
    // anew (`viewGranted`), so a group that stopped recording records nothing, not even briefly.
    if (!granted && this.startedByPolicy) this.#folder = null;
    this.#changed(was);
    if (granted) this.options.viewGranted?.();
  }

  close() {
    void this.stop(null);
  }

  /**
   * The agent cannot capture the screen (`reason`) or can again (null): the frozen stretch
   * becomes a chapter of the part, so a player's chapter list says the picture was not live.
   */
  captureChanged(reason: string | null) {
    if (reason === this.#paused) return;
    this.#paused = reason;
    const part = this.#part;
    if (!part) return;
    const at = this.#timelineNow(part);
    const open = part.pauses.at(-1);
    if (open && open.endMs === null) open.endMs = at;
    if (reason) part.pauses.push({ startMs: at, endMs: null, reason });
  }

  #elapsedMs(): number {
    return this.options.elapsed?.() ?? performance.now();
  }

  /** Now on `part`'s timeline: its last frame's time and the time since (`elapsed`). */
  #timelineNow(part: OpenPart): number {
    return part.writer.durationMs + Math.max(0, this.#elapsedMs() - part.lastFrameAt);
  }

  /** Resolves once every part closed so far is complete on disk and in the database. */
  settled(): Promise<void> {
    return this.#closing;
  }

  frame(frame: MediaFrame) {
    if (!this.recording) return;
    const config = frame.codec === "h264" && frame.keyframe ? avcConfig(frame.data) : null;
    if (!this.#part || this.#needsNewPart(frame, config)) {
      if (!frame.keyframe || (frame.codec === "h264" && !config)) return this.#askKeyframe();
      this.#closePart();
      this.#openPart(frame, config);
      this.#skipping = false;
    }
    if (this.#skipping && !frame.keyframe) return;
    const part = this.#part!;
    const data = frame.codec === "h264" ? lengthPrefixed(frame.data) : frame.data;
    const bytes = part.writer.frame(data, frame.keyframe, frame.capturedAt);
    part.lastFrameAt = this.#elapsedMs();
    this.#skipping = !part.file.write(bytes, part.writer.takePatches());
    if (this.#skipping) this.#askKeyframe();
  }

  /** One Opus packet (a Lens phone's microphone), written into the open part beside the video. */
  audio(data: Uint8Array, capturedAt: number) {
    const part = this.#part;
    if (!this.recording || !part || this.#skipping || !part.writer.track.audio) return;
    const bytes = part.writer.audio(data, capturedAt);
    if (bytes.byteLength === 0) return;
    this.#skipping = !part.file.write(bytes, part.writer.takePatches());
    if (this.#skipping) this.#askKeyframe();
  }

  #needsNewPart(frame: MediaFrame, config: Uint8Array | null): boolean {
    const track = this.#part!.writer.track;
    if (track.codec !== frame.codec) return true;
    if (track.width !== frame.width || track.height !== frame.height) return true;
    return config !== null && !sameBytes(config, track.codecPrivate);
  }

  #openPart(frame: MediaFrame, config: Uint8Array | null) {
    const { sessionId, store } = this.options;
    const startedAt = this.options.now?.() ?? new Date();
    const track: TrackInfo = {
      codec: frame.codec,
      width: frame.width,
      height: frame.height,
      codecPrivate: config ?? undefined,
      startedAt,
      audio: this.options.audio?.() ?? undefined,
    };
    const stamp = startedAt.toISOString().replace(/[:.]/g, "-");
    const path = `${this.#folder}/${sessionId}-${stamp}-${++this.#parts}.${
      extensionFor(frame.codec)
    }`;
    this.unsettledPaths.add(path);
    const file = new PartFile(path, (error) => this.#failed(error));
    const writer = new MatroskaWriter(track);
    file.write(writer.header());
    const userId = this.#by?.id ?? this.options.watcher();
    // A row only for a file that exists: a folder that cannot be written leaves no part listed.
    const row = file.created.then((created) =>
      created
        ? store.opened({
          sessionId,
          userId,
          startedAt,
          codec: frame.codec,
          width: frame.width,
          height: frame.height,
          path,
        })
        : null
    ).catch((error) => (this.#failed(error), null));
    // A part that opens while the picture is paused starts inside that pause.
    const pauses = this.#paused ? [{ startMs: 0, endMs: null, reason: this.#paused }] : [];
    this.#part = { file, writer, row, pauses, lastFrameAt: this.#elapsedMs() };
  }

  #closePart() {
    const part = this.#part;
    if (!part) return;
    this.#part = null;
    const endedAt = this.options.now?.() ?? new Date();
    const title = this.options.chapterTitle;
    const endMs = this.#timelineNow(part);
    const notLive = _notLive(part.pauses, endMs);
    if (title && notLive.length > 0) {
      part.file.write(part.writer.chapters(_chapters(notLive, endMs, title)), []);
    }
    const done = Promise.all([part.file.close(part.writer.finish()), part.row])
      .then(async ([, id]) => {
        if (!id) return;
        // A disk that failed (full) left the file short of what the writer handed out, maybe
        // inside a frame: it is finished as far as it got, and the row says its real size.
        const { bytes, durationMs } = part.file.failure
          ? await _finishFailed(part.file.path)
          : { bytes: part.writer.bytes, durationMs: part.writer.durationMs };
        await this.options.store.closed(id, { endedAt, bytes, notLive, durationMs });
      })
      .catch((error) => this.#failed(error))
      .finally(() => this.unsettledPaths.delete(part.file.path));
    this.#closing = Promise.all([this.#closing, done]).then(() => {});
  }

  #changed(was: boolean, by: Technician | null = this.#by) {
    const now = this.recording;
    if (now === was) return;
    if (now) {
      this.#lastAsk = -Infinity;
      this.#askKeyframe();
    } else {
      this.#closePart();
    }
    this.options.onEvent({ kind: now ? "started" : "stopped", by });
    this.options.remote.recordingChanged();
  }

  #askKeyframe() {
    const now = performance.now();
    if (now - this.#lastAsk < KEYFRAME_ASK_MS) return;
    this.#lastAsk = now;
    this.options.remote.wantKeyframe();
  }

  #failed(error: unknown) {
    if (this.#folder === null) return;
    this.options.onEvent({ kind: "failed", error: String(error).slice(0, 300) });
    void this.stop(null);
  }
}

/**
 * Where a part's picture was not live, from its pauses: in order, end to end at most, within 0 to
 * `endMs` (a pause still on at the end runs to it), whole milliseconds. A pause of no length is
 * left out unless it is still on (a part that ends as the picture stops).
 */
function _notLive(pauses: readonly Pause[], partEndMs: number): NotLiveStretch[] {
  const list: NotLiveStretch[] = [];
  const endMs = Math.round(partEndMs);
  let at = 0;
  for (const pause of pauses) {
    const start = Math.min(Math.max(Math.round(pause.startMs), at), endMs);
    const end = Math.min(Math.max(Math.round(pause.endMs ?? endMs), start), endMs);
    if (end > start || pause.endMs === null) {
      list.push({ startMs: start, endMs: end, reason: pause.reason });
    }
    at = end;
  }
  return list;
}

/** A part's chapters: the live stretches and the not-live ones between them, 0 to `endMs`. */
function _chapters(
  notLive: readonly NotLiveStretch[],
  endMs: number,
  title: (reason: string | null) => string,
): Chapter[] {
  const list: Chapter[] = [];
  let at = 0;
  for (const stretch of notLive) {
    if (stretch.startMs > at) {
      list.push({ startMs: at, endMs: stretch.startMs, title: title(null) });
    }
    list.push({ startMs: stretch.startMs, endMs: stretch.endMs, title: title(stretch.reason) });
    at = stretch.endMs;
  }
  if (endMs > at) list.push({ startMs: at, endMs, title: title(null) });
  return list;
}

/** The size and length of a part whose disk failed, finished as far as it got (part_repair.ts). */
async function _finishFailed(path: string): Promise<{ bytes: number; durationMs: number }> {
  const finished = await finishPartFile(path).catch(() => null);
  if (finished) return finished;
  return { bytes: (await Deno.stat(path).catch(() => null))?.size ?? 0, durationMs: 0 };
}
