/**
 * The place for a screen recorder in a `RemoteSession` (SPEC R5): modules/recording provides
 * it and the app registers it (`recordersFrom`), so the frames reach it here, on the agent's
 * home, where they pass on their way to the viewers — without remote knowing files or policy.
 */
import type { MediaFrame } from "../../protocol/mod.ts";
import type { AppDeps } from "../http/mod.ts";
import type { SupportSession } from "../support/mod.ts";

/** What `RemoteSession` needs of a recorder. */
export interface FrameRecorder {
  /** A frame of the picture, given only while the customer allows view. */
  frame(frame: MediaFrame): void;
  /** Whether the customer allows view now; said on every change of the session's state. */
  viewChanged(granted: boolean): void;
  /**
   * The agent cannot capture the screen (its reason) or can again (null): a recording marks
   * the stretch where the picture was frozen.
   */
  captureChanged?(reason: string | null): void;
  /** Frames are being written now: the customer's page and the viewers say so. */
  readonly recording: boolean;
  /** The session's remote state is dropped (the session ended): the part file is closed. */
  close(): void;
  /**
   * What the group's policy will do with the view if the customer allows it now: `always`
   * records it, `optional` lets the technician record it, null nothing — said in the agent's
   * question beforehand (hub.ts). Absent: the question says nothing of recording.
   */
  announcement?(): Promise<"always" | "optional" | null>;
}

/** What a recorder may use of its `RemoteSession` (hub.ts). */
export interface RecordedRemote {
  wantKeyframe(): void;
  recordingChanged(): void;
  readonly viewers: ReadonlySet<{ userId: string; monitor?: boolean }>;
}

/** The app's recorders: what remote asks of modules/recording. */
export interface RecorderSource {
  /** Makes the recorder of one session's remote state (called once, when it is created). */
  create(session: SupportSession, remote: RecordedRemote): FrameRecorder;
  /** Whether the toolbar offers Record / Stop to a technician (`permitted`: `recordSessions`). */
  offersButton(session: SupportSession, permitted: boolean): Promise<boolean>;
  /** Whether the session's group records every remote view (the view says so beforehand). */
  recordsAlways?(session: SupportSession): Promise<boolean>;
}

const sources = new WeakMap<AppDeps, RecorderSource>();

/** Registers the app's recorders: every remote session created from now on gets one. */
export function recordersFrom(deps: AppDeps, source: RecorderSource): void {
  sources.set(deps, source);
}

export function recorderSource(deps: AppDeps): RecorderSource | undefined {
  return sources.get(deps);
}
