/**
 * The app's recorders (registered with remote by modules/app, `recordersFrom`): each remote
 * session gets a `SessionRecorder` writing to the group's folder, whose starts, stops and
 * failures become log lines both sides see and audit entries. The policy is read when the
 * remote session is made and again each time the customer allows view — from the session's
 * group then (a transfer may have moved it): `always` starts the recorder (it writes only while
 * view is allowed), and a recorder the policy started stops once the group no longer records.
 * Before that, the agent's question for view says what the policy will do (`announcement`).
 * Where the agent could not capture the screen, a part gets chapters saying so (recorder.ts).
 */
import { eq } from "drizzle-orm";
import { users } from "../auth/mod.ts";
import type { AppDeps } from "../http/mod.ts";
import { isStaffLanguage, translator } from "../i18n/mod.ts";
import type { RecordedRemote, RecorderSource, RemoteSession } from "../remote/mod.ts";
import { loadSession, logSessionEvent, type SupportSession } from "../support/mod.ts";
import { chapterKey } from "./chapter_words.ts";
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
    recordsAlways: async (session) =>
      recordsAlways((await recordingSettings(deps, session.groupId)).policy),
  };
}

function _create(deps: AppDeps, session: SupportSession, remote: RecordedRemote) {
  // The part files' chapters (where the picture was not live) are titled in the language of
  // the session's technician, read once; English until it is read.
  let t = translator("en");
  const technician = session.leadUserId ?? session.createdBy;
  if (technician) {
    deps.db.select({ language: users.language }).from(users).where(eq(users.id, technician))
      .then(([row]) => {
        if (row?.language && isStaffLanguage(row.language)) t = translator(row.language);
      })
      .catch(() => {});
  }
  const follow = () =>
    _followPolicy(deps, session, recorder).catch((error) =>
      deps.log.error("recording policy unreadable", { error: String(error) })
    );
  const recorder: SessionRecorder = new SessionRecorder({
    sessionId: session.id,
    remote,
    store: partStore(deps.db),
    onEvent: (event) =>
      _log(deps, session, event).catch((error) =>
        deps.log.error("recording log failed", { error: String(error) })
      ),
    watcher: () => [...remote.viewers].find((v) => !v.monitor)?.userId ?? null,
    chapterTitle: (reason) => t(chapterKey(reason)),
    viewGranted: follow,
    now: () => deps.clock.now(),
  });
  follow();
  // Read as `_followPolicy` reads it at the grant: the session's group now.
  const announcement = async () => {
    const { groupId } = await loadSession(deps.db, session.id);
    const { policy } = await recordingSettings(deps, groupId);
    return policy === "off" ? null : policy;
  };
  return Object.assign(recorder, { announcement });
}

/** The recorder of a session's remote state (null: none registered, as in some tests). */
export function recorderOf(remote: RemoteSession): SessionRecorder | null {
  return remote.recorder instanceof SessionRecorder ? remote.recorder : null;
}

async function _followPolicy(deps: AppDeps, session: SupportSession, recorder: SessionRecorder) {
  const { groupId } = await loadSession(deps.db, session.id);
  const { policy, folder } = await recordingSettings(deps, groupId);
  if (!recordsAlways(policy)) {
    if (recorder.startedByPolicy) await recorder.stop(null);
    return;
  }
  if (recorder.wanted) return;
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
