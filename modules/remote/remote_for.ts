/**
 * `remoteFor(deps, session)`: the session's remote state, wired to the session log — every
 * request, answer, revoke and end of view or control becomes a log line both sides see and
 * an audit entry (`session.remote_*`, the capability in its details) — and
 * to the inactivity deadline, which remote view or control in use keeps pushing back.
 */
import type { AppDeps } from "../http/mod.ts";
import { logSessionEvent, sessionActivity, type SupportSession } from "../support/mod.ts";
import type { RemoteEvent, RemoteSession } from "./hub.ts";
import { remoteHub } from "./remote_hub.ts";
import { recorderSource } from "./recorder_slot.ts";

export function remoteFor(deps: AppDeps, session: SupportSession): RemoteSession {
  return remoteHub(deps).session(session.orgId, session.id, (remote) => {
    // One line after the other, in the order they happened: a pause and its end a moment later
    // (a UAC prompt answered at once) must not commit the other way round.
    let written = Promise.resolve();
    remote.onEvent = (event) => {
      written = written.then(() => logRemoteEvent(deps, session, event)).catch((error) =>
        deps.log.error("remote log failed", { error: String(error) })
      );
    };
    remote.recorder = recorderSource(deps)?.create(session, remote) ?? null;
    remote.onActivity = () => {
      sessionActivity(deps, session).catch((error) =>
        deps.log.error("remote activity failed", { error: String(error) })
      );
    };
  });
}

function logRemoteEvent(deps: AppDeps, session: SupportSession, event: RemoteEvent) {
  const customer = { author: "customer" as const, name: session.customerName };
  switch (event.kind) {
    case "requested":
      return logSessionEvent(
        deps,
        session,
        `log.remote.${event.capability}Requested`,
        {
          name: event.by.name,
        },
        { author: "technician", userId: event.by.userId, name: event.by.name },
        {
          action: "session.remote_requested",
          actor: { id: event.by.userId },
          details: { capability: event.capability },
        },
      );
    case "answered":
      return logSessionEvent(
        deps,
        session,
        `log.remote.${event.capability}${
          event.granted ? "Granted" : event.was === "granted" ? "Revoked" : "Denied"
        }`,
        {},
        customer,
        {
          action: event.granted
            ? "session.remote_granted"
            : event.was === "granted"
            ? "session.remote_revoked"
            : "session.remote_denied",
          details: { capability: event.capability, by: "customer" },
        },
      );
    case "revokedByCustomer":
      return logSessionEvent(deps, session, `log.remote.${event.capability}Revoked`, {}, customer, {
        action: "session.remote_revoked",
        details: { capability: event.capability, by: "customer" },
      });
    case "ended":
      return logSessionEvent(
        deps,
        session,
        `log.remote.${event.capability}Ended`,
        { name: event.by?.name ?? "" },
        event.by
          ? { author: "technician", userId: event.by.userId, name: event.by.name }
          : undefined,
        {
          action: "session.remote_ended",
          actor: event.by ? { id: event.by.userId } : undefined,
          details: { capability: event.capability },
        },
      );
    case "switchAsked":
      return logSessionEvent(deps, session, "log.remote.switchAsked", { name: event.by.name }, {
        author: "technician",
        userId: event.by.userId,
        name: event.by.name,
      });
    case "switchedToAgent":
      return logSessionEvent(deps, session, "log.remote.switchedToAgent", {}, customer);
    case "capture":
      // The agent's screen cannot be read (Windows' secure desktop, a refused grab), or can again.
      return logSessionEvent(
        deps,
        session,
        event.paused === null
          ? "log.remote.captureResumed"
          : event.paused === "secure_desktop"
          ? "log.remote.captureSecureDesktop"
          : "log.remote.captureFailed",
        event.paused === "failed" ? { detail: event.detail } : {},
      );
    case "whiteboard":
      // Turned on or off by a technician, or gone with the customer's removal or view's end.
      if (!event.by) return logSessionEvent(deps, session, "log.remote.whiteboardRemoved", {});
      return logSessionEvent(
        deps,
        session,
        event.on ? "log.remote.whiteboardOn" : "log.remote.whiteboardOff",
        { name: event.by.name },
        { author: "technician", userId: event.by.userId, name: event.by.name },
      );
  }
}
