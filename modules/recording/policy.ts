/**
 * Who may start and stop a session's recording, as data (like modules/sessions/transitions.ts):
 * the group's `recordingPolicy` × the technician's action → allowed, or refused with a reason.
 * `always` records every remote view of the group's sessions (nobody starts or stops it);
 * `optional` lets a technician with `recordSessions` start and stop it; `off` offers nothing.
 */
export const RECORDING_POLICIES = ["off", "optional", "always"] as const;
export type RecordingPolicy = typeof RECORDING_POLICIES[number];
export type RecordingAction = "start" | "stop";

/** Why a start or stop is refused: the locale key `recording.refused.<reason>` says it. */
export type RecordingRefusal = "off" | "always" | "permission";

const RULES: Record<RecordingPolicy, Record<RecordingAction, RecordingRefusal | "permission?">> = {
  off: { start: "off", stop: "off" },
  optional: { start: "permission?", stop: "permission?" },
  always: { start: "always", stop: "always" },
};

/** null: allowed; otherwise why not. */
export function decideRecording(
  policy: RecordingPolicy,
  action: RecordingAction,
  permitted: boolean,
): RecordingRefusal | null {
  const rule = RULES[policy][action];
  if (rule !== "permission?") return rule;
  return permitted ? null : "permission";
}

/** Whether the remote view's toolbar offers Record / Stop recording to this technician. */
export function offersRecordButton(policy: RecordingPolicy, permitted: boolean): boolean {
  return decideRecording(policy, "start", permitted) === null;
}

/** Whether every remote view is recorded from its start. */
export function recordsAlways(policy: RecordingPolicy): boolean {
  return policy === "always";
}
