/**
 * `/console/sessions/:id/system…` — the System tab (SPEC R7). Only for the technician
 * working the session — or an external technician invited into it, on the same routes under
 * `/x` (its own session only; no export) — with the `systemInfo` permission; what the agent reads needs the
 * customer's systemInfo consent (asked through `/console/sessions/:id/agent/request`), and
 * the agent refuses without it. In a cluster these run where the agent is.
 *
 * - `GET /` — the tab's frame (consent, views, Refresh, exports);
 * - `GET /view/:view` — one view read now (`events` takes `priority` and `q`);
 * - `POST /processes/end` (`pid`, `force`) — end a process (the customer confirms it too);
 * - `POST /services/action` (`unit`, `action`) — start/stop/restart a service (same);
 * - `POST /export` (`format` json|text) — everything, into the session's files.
 */
import { type Context, Hono } from "hono";
import { type AppEnv, clientAddress, readForm, requireCaller } from "../http/mod.ts";
import { can } from "../permissions/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { relayToAgentHome, toolConsent } from "../remote/mod.ts";
import { fileLimit, sessionForCaller, storeFile } from "../support/mod.ts";
import {
  EVENTS_MAX,
  isUnitName,
  isWindowsServiceName,
  PID_MAX,
  SERVICE_ACTIONS,
} from "../../protocol/system.ts";
import { failureRefusal, systemCall, SystemFailure } from "./agent_calls.ts";
import { windowsState } from "./format.ts";
import { changeService, endProcess, ServiceRefused } from "./actions.ts";
import { readEverything, snapshotText } from "./export.ts";
import { SystemPanel, type SystemView, ViewFailure, VIEWS } from "./views.tsx";
import { Dashboard } from "./dashboard.tsx";
import {
  ApplicationsView,
  DriversView,
  type EventFilter,
  EventsView,
  type Notice,
  ProcessesView,
  ServicesView,
  StartupView,
  UserView,
} from "./tabs.tsx";

type C = Context<AppEnv>;

/** A technician working the session, or (under `/x`) an external technician invited into it. */
async function _working(c: C) {
  const user = c.get("user");
  const guest = c.get("guest");
  // The permission first: without it the answer is the same whether the session exists.
  if (!can(guest ?? user, "systemInfo")) {
    throw new Refusal(403, "errors.permissionMissing", { params: { permission: "systemInfo" } });
  }
  const called = await sessionForCaller(c.get("deps"), { user, guest }, c.req.param("id") ?? "");
  // A collaborator's or a guest's session permission set narrows its group's.
  if (!can(called.granted, "systemInfo")) {
    throw new Refusal(403, "errors.permissionMissing", { params: { permission: "systemInfo" } });
  }
  return called;
}

/** A view's HTML, read from the agent now; a failure is said in the view's place. */
async function _view(c: C, sessionId: string, view: SystemView, notice?: Notice) {
  const deps = c.get("deps");
  const t = c.get("t");
  // The customer's system (its agent's hello) decides the words: Windows's or Linux's.
  const windows = toolConsent(deps, { id: sessionId }).state.os === "windows";
  try {
    switch (view) {
      case "dashboard": {
        const snapshot = await systemCall(deps, sessionId, { kind: "system.snapshot" });
        return <Dashboard t={t} snapshot={snapshot} windows={windows} />;
      }
      case "processes": {
        const section = await systemCall(deps, sessionId, { kind: "system.processes" });
        return (
          <ProcessesView
            c={c}
            sessionId={sessionId}
            section={section}
            notice={notice?.text}
            windows={windows}
          />
        );
      }
      case "services": {
        const section = await systemCall(deps, sessionId, { kind: "system.services" });
        return (
          <ServicesView
            c={c}
            sessionId={sessionId}
            section={section}
            notice={notice}
            windows={windows}
          />
        );
      }
      case "applications": {
        const apps = await systemCall(deps, sessionId, { kind: "system.applications" });
        return <ApplicationsView t={t} apps={apps} windows={windows} />;
      }
      case "user":
        return (
          <UserView
            t={t}
            section={await systemCall(deps, sessionId, { kind: "system.user" })}
            windows={windows}
          />
        );
      case "drivers": {
        const section = await systemCall(deps, sessionId, { kind: "system.drivers" });
        return <DriversView t={t} section={section} windows={windows} />;
      }
      case "startup": {
        const startup = await systemCall(deps, sessionId, { kind: "system.startup" });
        return <StartupView t={t} startup={startup} windows={windows} />;
      }
      case "events": {
        const filter = _eventFilter(c);
        const events = await systemCall(deps, sessionId, {
          kind: "system.events",
          maxPriority: filter.maxPriority,
          text: filter.text,
          limit: EVENTS_MAX,
        });
        return (
          <EventsView
            c={c}
            sessionId={sessionId}
            events={events}
            filter={filter}
            windows={windows}
          />
        );
      }
    }
  } catch (error) {
    if (!(error instanceof SystemFailure)) throw error;
    return <ViewFailure t={t} code={error.code} reason={error.reason} />;
  }
}

function _eventFilter(c: C): EventFilter {
  const priority = c.req.query("priority") ?? "4";
  if (!/^[0-7]$/.test(priority)) throw new Refusal(422, "sysinfo.badPriority");
  return { maxPriority: Number(priority), text: (c.req.query("q") ?? "").trim().slice(0, 200) };
}

function _pid(value: string | undefined): number {
  if (!value || !/^\d{1,7}$/.test(value)) throw new Refusal(422, "sysinfo.badPid");
  const pid = Number(value);
  if (pid < 2 || pid > PID_MAX) throw new Refusal(422, "sysinfo.badPid");
  return pid;
}

/** An action's failure as the refusal the technician reads; anything else is thrown on. */
function _refusal(error: unknown): Refusal {
  if (error instanceof SystemFailure) return failureRefusal(error);
  if (error instanceof ServiceRefused) {
    return new Refusal(409, `sysinfo.service.why.${error.refusal}`, {
      params: { unit: error.unit },
    });
  }
  throw error;
}

async function _action<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw _refusal(error);
  }
}

export const systemRoutes = new Hono<AppEnv>()
  .use("/console/sessions/:id/system", requireCaller(), relayToAgentHome)
  .use("/console/sessions/:id/system/*", requireCaller(), relayToAgentHome)
  .get("/console/sessions/:id/system", async (c) => {
    const { session } = await _working(c);
    const state = toolConsent(c.get("deps"), session).state;
    return c.html(<SystemPanel c={c} sessionId={session.id} state={state} />);
  })
  .get("/console/sessions/:id/system/view/:view", async (c) => {
    const { session } = await _working(c);
    const view = c.req.param("view") as SystemView;
    if (!VIEWS.includes(view)) throw new Refusal(404, "errors.notFound");
    return c.html(<>{await _view(c, session.id, view)}</>);
  })
  .post("/console/sessions/:id/system/processes/end", async (c) => {
    const { session, actor } = await _working(c);
    const form = await readForm(c);
    const pid = _pid(form.pid);
    if (form.force !== "0" && form.force !== "1") throw new Refusal(400, "errors.badForm");
    const deps = c.get("deps");
    const result = await _action(() =>
      endProcess(deps, session, actor, { pid, force: form.force === "1", ip: clientAddress(c) })
    );
    const t = c.get("t");
    const notice = t(result.ended ? "sysinfo.processEnded" : "sysinfo.processNotEnded", {
      pid: result.pid,
      name: result.name,
    });
    return c.html(<>{await _view(c, session.id, "processes", { text: notice })}</>);
  })
  .post("/console/sessions/:id/system/services/action", async (c) => {
    const { session, actor } = await _working(c);
    const form = await readForm(c);
    const unit = form.unit ?? "";
    // A name with shell metacharacters (or any other odd one) is refused here: nothing is sent.
    // The rule is the agent's system's: a systemd unit, or a Windows service's key name.
    const windows = toolConsent(c.get("deps"), session).state.os === "windows";
    if (!(windows ? isWindowsServiceName(unit) : isUnitName(unit))) {
      throw new Refusal(422, windows ? "sysinfo.win.badService" : "sysinfo.badUnit");
    }
    const action = SERVICE_ACTIONS.find((a) => a === form.action);
    if (!action) throw new Refusal(422, "sysinfo.badAction");
    const deps = c.get("deps");
    const t = c.get("t");
    try {
      const result = await changeService(deps, session, actor, {
        unit,
        action,
        ip: clientAddress(c),
      });
      const notice = t("sysinfo.service.done", {
        unit: result.unit,
        // Windows's Services says Running / Stopped, not systemd's active / inactive.
        state: windows ? windowsState(t, result.active) : result.active,
      });
      return c.html(<>{await _view(c, session.id, "services", { text: notice })}</>);
    } catch (error) {
      // Not done (the state does not allow it, the customer declined, Windows refused): the
      // reason above the list as it is now, so the row shows what is true.
      const refusal = _refusal(error);
      if (refusal.status === 422) throw refusal;
      const notice = { text: t(refusal.key, refusal.params), failed: true };
      return c.html(<>{await _view(c, session.id, "services", notice)}</>, refusal.status);
    }
  })
  .post("/console/sessions/:id/system/export", async (c) => {
    const { session, user } = await _working(c);
    // The session's files are the organisation's: an external technician saves nothing there.
    if (!user) throw new Refusal(403, "sysinfo.exportTechniciansOnly");
    const form = await readForm(c);
    if (form.format !== "json" && form.format !== "text") throw new Refusal(400, "errors.badForm");
    const deps = c.get("deps");
    const all = await _action(() => readEverything(deps, session.id));
    const stamp = all.snapshot.takenAt.replace(/[:.]/g, "-").slice(0, 19);
    const name = `system-${session.number}-${stamp}.${form.format === "json" ? "json" : "txt"}`;
    const body = form.format === "json"
      ? JSON.stringify({ session: session.number, ...all }, null, 2)
      : snapshotText(c.get("t"), all, toolConsent(deps, session).state.os === "windows");
    const stored = await storeFile(
      deps,
      session,
      {
        name,
        type: form.format === "json" ? "application/json" : "text/plain",
        bytes: new TextEncoder().encode(body),
      },
      { direction: "to_technician", user },
      fileLimit(deps),
    );
    return c.html(
      <span data-exported={stored.id}>
        {c.get("t")("sysinfo.exported", { name: stored.name })}
      </span>,
    );
  });
