/**
 * Lens recordings (SPEC M1 with R5): the app registers `lensRecorders(deps)` with lens
 * (`lensRecordersFrom`), so each Lens session gets a `SessionRecorder` writing the phone's
 * video — and its microphone's Opus packets beside it (matroska.ts's track 2) — as they pass
 * the session's home instance, untranscoded, into part files under its group's recording folder,
 * rows in `recordings` with `lens_id`. Same policy as the remote view (policy.ts), read from the
 * Lens session's group (the technician's when it started): `off` offers nothing, `optional`
 * gives Record / Stop to a technician with `recordSessions`, `always` records every Lens
 * session from the phone's first picture and nobody stops it. The phone sending is the
 * remote view's "view granted": parts are written only while it sends (the customer pressed
 * Start, and the phone's page says so in red), a part ends when its connection goes, and the
 * policy is read again when it comes back. Starts, stops and a failed disk are audited
 * (`lens.recording_started/stopped/failed`).
 */
import { recordAudit } from "../audit/mod.ts";
import type { AppDeps } from "../http/mod.ts";
import type { LensFrameRecorder, LensRecorderSource, RecordedLens } from "../lens/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { prepareFolder } from "../files/mod.ts";
import { decideRecording, offersRecordButton, recordsAlways } from "./policy.ts";
import { type RecorderEvent, SessionRecorder } from "./recorder.ts";
import { partStore, recordingSettings } from "./service.ts";

/** Each app's Lens recorders still able to write (a stopping server finishes them). */
const running = new WeakMap<AppDeps, Set<SessionRecorder>>();
const inner = new WeakMap<LensFrameRecorder, SessionRecorder>();

/** The Lens recorders of this app that may still write (shutdown.ts). */
export function lensRecordersHere(deps: AppDeps): SessionRecorder[] {
  return [...running.get(deps) ?? []];
}

export function lensRecorders(deps: AppDeps): LensRecorderSource {
  return {
    create: (lens) => _create(deps, lens),
    act: async (wrapper, action, by) => {
      const recorder = inner.get(wrapper);
      if (!recorder) throw new Refusal(409, "recording.refused.unavailable");
      const lens = _lensOf.get(recorder)!;
      const { policy, folder } = await recordingSettings(deps, lens.groupId);
      const refusal = decideRecording(policy, action, by.permitted);
      if (refusal) throw new Refusal(403, `recording.refusedLens.${refusal}`);
      if (action === "stop") return await recorder.stop({ id: by.id, name: by.name });
      const problem = await prepareFolder(folder);
      if (problem) throw new Refusal(409, `groupSettings.folder_${problem}`);
      recorder.start(folder, { id: by.id, name: by.name });
      lens.recordingChanged();
    },
    offer: async (groupId, permitted) => {
      const { policy } = await recordingSettings(deps, groupId);
      if (recordsAlways(policy)) return "always";
      return offersRecordButton(policy, permitted) ? "button" : null;
    },
  };
}

const _lensOf = new WeakMap<SessionRecorder, RecordedLens>();

function _create(deps: AppDeps, lens: RecordedLens): LensFrameRecorder {
  const follow = () =>
    _followPolicy(deps, lens, recorder).catch((error) =>
      deps.log.error("recording policy unreadable", { error: String(error) })
    );
  const recorder: SessionRecorder = new SessionRecorder({
    sessionId: lens.id,
    remote: { wantKeyframe: lens.wantKeyframe, recordingChanged: lens.recordingChanged },
    store: partStore(deps.db, "lens"),
    onEvent: (event) =>
      _audit(deps, lens, event).catch((error) =>
        deps.log.error("lens recording audit failed", { error: String(error) })
      ),
    watcher: () => lens.technician.id,
    viewGranted: follow,
    // WebRTC's Opus is "opus/48000/2" (RFC 7587) whatever the phone encodes: a decoder
    // told two channels plays a mono stream on both.
    audio: () => lens.sendsAudio() ? { channels: 2 } : null,
    now: () => deps.clock.now(),
  });
  _lensOf.set(recorder, lens);
  let set = running.get(deps);
  if (!set) running.set(deps, set = new Set());
  set.add(recorder);
  const wrapper: LensFrameRecorder = {
    frame: (frame) => recorder.frame(frame),
    audio: (data, at) => recorder.audio(data, at),
    viewChanged: (live) => recorder.viewChanged(live),
    get recording() {
      return recorder.recording;
    },
    get startedByPolicy() {
      return recorder.startedByPolicy;
    },
    close: async () => {
      await recorder.stop(null);
      set.delete(recorder);
    },
  };
  inner.set(wrapper, recorder);
  follow();
  return wrapper;
}

async function _followPolicy(deps: AppDeps, lens: RecordedLens, recorder: SessionRecorder) {
  const { policy, folder } = await recordingSettings(deps, lens.groupId);
  if (!recordsAlways(policy)) {
    if (recorder.startedByPolicy) await recorder.stop(null);
    lens.recordingChanged();
    return;
  }
  if (recorder.wanted) return;
  const problem = await prepareFolder(folder);
  if (problem) {
    await _audit(deps, lens, { kind: "failed", error: `${folder}: ${problem}` });
    return;
  }
  recorder.start(folder, null);
  // Started before the phone sends: the technician's page says the group records always.
  lens.recordingChanged();
}

function _audit(deps: AppDeps, lens: RecordedLens, event: RecorderEvent) {
  const by = event.kind === "failed" ? null : event.by;
  // The technician's page says it in words (the audit log keeps the error).
  if (event.kind === "failed") lens.recordingFailed();
  deps.log.info(`lens recording ${event.kind}`, { lens: lens.id, by: by?.id ?? null });
  return recordAudit(deps.db, {
    orgId: lens.orgId,
    actorId: by?.id ?? null,
    action: `lens.recording_${event.kind}`,
    target: lens.id,
    details: {
      technician: lens.technician.name,
      technicianId: lens.technician.id,
      ...(event.kind === "failed" ? { error: event.error } : {}),
    },
    at: deps.clock.now(),
  });
}
