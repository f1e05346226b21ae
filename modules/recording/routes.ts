/**
 * `POST /console/sessions/:id/recording/start|stop` — a technician working the session starts
 * or stops its screen recording, where the group's policy is `optional` and the technician's
 * set holds `recordSessions` (policy.ts); anyone else gets 403. In a cluster it runs where the
 * agent is (`relayToAgentHome`), since the recorder lives beside the frames.
 */
import { Hono } from "hono";
import { type AppEnv, requireUser } from "../http/mod.ts";
import { can } from "../permissions/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { relayToAgentHome, remoteFor } from "../remote/mod.ts";
import { sessionForTechnician } from "../support/mod.ts";
import { decideRecording } from "./policy.ts";
import { prepareFolder } from "../files/mod.ts";
import { recordingSettings } from "./service.ts";
import { recorderOf } from "./session_recorders.ts";

export const recordingRoutes = new Hono<AppEnv>()
  .use("/console/sessions/:id/recording/*", requireUser())
  .post("/console/sessions/:id/recording/:action{start|stop}", relayToAgentHome, async (c) => {
    const deps = c.get("deps");
    const user = c.get("user")!;
    const action = c.req.param("action") === "start" ? "start" : "stop";
    const { session, granted } = await sessionForTechnician(deps, user, c.req.param("id"), "work");
    const { policy, folder } = await recordingSettings(deps, session.groupId);
    const refusal = decideRecording(policy, action, can(granted, "recordSessions"));
    if (refusal) throw new Refusal(403, `recording.refused.${refusal}`);
    const recorder = recorderOf(remoteFor(deps, session));
    if (!recorder) throw new Refusal(409, "recording.refused.unavailable");
    const by = { id: user.id, name: user.name };
    if (action === "start") {
      const problem = await prepareFolder(folder);
      if (problem) throw new Refusal(409, `groupSettings.folder_${problem}`);
      recorder.start(folder, by);
    } else {
      await recorder.stop(by);
    }
    return c.json({ wanted: recorder.wanted, recording: recorder.recording });
  });
