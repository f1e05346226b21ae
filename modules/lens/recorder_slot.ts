/**
 * The place for a recorder in a Lens session: modules/recording provides it (its part files,
 * rows, the group's policy and folder) and the app registers it (`lensRecordersFrom`), so the
 * phone's frames and Opus packets reach it on the session's home instance as they pass to the
 * technician — without lens knowing files or policy (as remote's recorder_slot.ts).
 */
import type { MediaFrame } from "../../protocol/mod.ts";
import type { AppDeps } from "../http/mod.ts";

/** The Lens session as its recorder needs it. */
export interface RecordedLens {
  id: string;
  orgId: string;
  /** The technician's group when the session started: its policy and folder apply. */
  groupId: string | null;
  technician: { id: string; name: string };
  /** A keyframe of the phone (PLI): a part starts at one. */
  wantKeyframe(): void;
  /** Recording started or stopped: the pages are told (the phone says so while it records). */
  recordingChanged(): void;
  /** Whether the phone sends its microphone now (a part opened then gets an Opus track). */
  sendsAudio(): boolean;
  /** The recording stopped because its part could not be written (a full or gone disk). */
  recordingFailed(): void;
}

/** What a `LensSession` needs of its recorder. */
export interface LensFrameRecorder {
  /** A whole video frame of the phone (its codec and size). */
  frame(frame: MediaFrame): void;
  /** One Opus packet of the phone's microphone, at its arrival (ms, the frames' clock). */
  audio(data: Uint8Array, at: number): void;
  /** Whether the phone sends now (live): parts are written only then. */
  viewChanged(live: boolean): void;
  /** Frames are being written (or the first keyframe is awaited) now: the phone says so. */
  readonly recording: boolean;
  /** The group's policy records every Lens session (no Record / Stop for the technician). */
  readonly startedByPolicy: boolean;
  /** The session ended: the part is closed; resolves once it is on disk and in its row. */
  close(): Promise<void>;
}

/** The technician's Record / Stop, refused (a `Refusal`) where the policy says no. */
export type LensRecordAction = "start" | "stop";

/** The app's Lens recorders: what lens asks of modules/recording. */
export interface LensRecorderSource {
  /** Makes the recorder of a Lens session (called once, at its start). */
  create(lens: RecordedLens): LensFrameRecorder;
  /**
   * The technician's Record / Stop: checks the group's policy and `permitted`
   * (`recordSessions`) and the folder; throws a `Refusal` with the reason.
   */
  act(
    recorder: LensFrameRecorder,
    action: LensRecordAction,
    by: { id: string; name: string; permitted: boolean },
  ): Promise<void>;
  /** What the Lens page offers: Record / Stop, a group that records always, or nothing. */
  offer(groupId: string | null, permitted: boolean): Promise<"button" | "always" | null>;
}

const sources = new WeakMap<AppDeps, LensRecorderSource>();

/** Registers the app's Lens recorders: every Lens session started from now on gets one. */
export function lensRecordersFrom(deps: AppDeps, source: LensRecorderSource): void {
  sources.set(deps, source);
}

export function lensRecorderSource(deps: AppDeps): LensRecorderSource | undefined {
  return sources.get(deps);
}
