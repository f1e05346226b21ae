/**
 * The app's recorders (registered with remote by modules/app, `recordersFrom`): each remote
 * session gets a `SessionRecorder` writing to the group's folder, whose starts, stops and
 * failures become log lines both sides see and audit entries; a group that records always
 * starts it at once (it writes only while the customer allows view).
 */
import type { AppDeps } from "../http/mod.ts";
import type { RecordedRemote, RecorderSource, RemoteSession } from "../remote/mod.ts";
import { logSessionEvent, type SupportSession } from "../support/mod.ts";
import { offersRecordButton, recordsAlways } from "./policy.ts";
import { type RecorderEvent, SessionRecorder } from "./recorder.ts";
import { prepareFolder } from "../files/mod.ts";
import { partStore, recordingSettings } from "./service.ts";

export function sessionRecorders(deps: AppDeps): RecorderSource {
  return {
    create: (session, remote) => _create(deps, session, remote),
    offersButton: async (session, permitted) => {
      const { policy } = await recordingSettings(deps, session.groupId);
      return offersRecordButton(policy, permitted);
    },
  };
}

function _create(deps: AppDeps, session: SupportSession, remote: RecordedRemote) {
  const recorder = new SessionRecorder({
    sessionId: session.id,
    remote,
    store: partStore(deps.db),
    onEvent: (event) =>
      _log(deps, session, event).catch((error) =>
        deps.log.error("recording log failed", { error: String(error) })
      ),
    watcher: () => [...remote.viewers].find((v) => !v.monitor)?.userId ?? null,
  });
  _startIfAlways(deps, session, recorder).catch((error) =>
    deps.log.error("recording policy unreadable", { error: String(error) })
  );
  return recorder;
}

/** The recorder of a session's remote state (null: none registered, as in some tests). */
export function recorderOf(remote: RemoteSession): SessionRecorder | null {
  return remote.recorder instanceof SessionRecorder ? remote.recorder : null;
}

async function _startIfAlways(deps: AppDeps, session: SupportSession, recorder: SessionRecorder) {
  const { policy, folder } = await recordingSettings(deps, session.groupId);
  if (!recordsAlways(policy)) return;
  const problem = await prepareFolder(folder);
  if (problem) {
    await _log(deps, session, { kind: "failed", error: `${folder}: ${problem}` });
    return;
  }
  recorder.start(folder, null);
}

function _log(deps: AppDeps, session: SupportSession, event: RecorderEvent) {
  const by = event.kind === "failed" ? null : event.by;
  const key = event.kind === "failed"
    ? "log.recording.failed"
    : `log.recording.${event.kind}${by ? "By" : ""}`;
  return logSessionEvent(
    deps,
    session,
    key,
    { name: by?.name ?? "" },
    by ? { author: "technician", userId: by.id, name: by.name } : { author: "system" },
    {
      action: `session.recording_${event.kind}`,
      actor: by ? { id: by.id } : undefined,
      details: event.kind === "failed" ? { error: event.error } : {},
    },
  );
}
