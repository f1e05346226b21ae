/**
 * Scripts marked "run at session start" (SPEC R10): once the technician works the session
 * (its workspace's Scripts tab loads when the session is Active) the customer is asked to
 * allow scripts, and as soon as they do, each start script runs once per session — one after
 * another, each still confirmed by name in the agent's window. The unique index on
 * (session, script) for start runs keeps a second instance or a reload from running one twice.
 */
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { can } from "../permissions/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { toolConsent } from "../remote/mod.ts";
import { sessionForTechnician, type SupportSession } from "../support/mod.ts";
import { liveRuns, startRun } from "./runs.ts";
import { listScripts, type Script } from "./service.ts";

const watched = new WeakMap<AppDeps, Set<string>>();

/** Starts watching `session` for the moment its start scripts may run (once per session). */
export function watchStartScripts(deps: AppDeps, session: SupportSession, user: CurrentUser) {
  let sessions = watched.get(deps);
  if (!sessions) watched.set(deps, sessions = new Set());
  if (sessions.has(session.id)) return;
  sessions.add(session.id);
  _watch(deps, session, user).catch((error) =>
    deps.log.error("start scripts failed", { session: session.id, error: String(error) })
  );
}

async function _startScripts(deps: AppDeps, user: CurrentUser): Promise<Script[]> {
  const own = can(user, "scriptsDeploy")
    ? await listScripts(deps.db, { orgId: user.orgId, ownerId: user.id })
    : [];
  const nested = can(user, "scriptsNested")
    ? await listScripts(deps.db, { orgId: user.orgId, ownerId: null })
    : [];
  return [...own, ...nested].filter((s) => s.runAtStart);
}

async function _watch(deps: AppDeps, session: SupportSession, user: CurrentUser) {
  const scripts = await _startScripts(deps, user);
  if (scripts.length === 0) return;
  const consent = toolConsent(deps, session);
  const who = { userId: user.id, name: user.name };
  let busy = false;
  let done = false;
  const check = async () => {
    if (busy || done) return;
    const state = consent.state;
    if (!state.present) return;
    if (state.consent.scripts === "off") {
      consent.request("scripts", who);
      return;
    }
    if (!consent.allows("scripts")) return;
    busy = true;
    try {
      // Still working it (not held, transferred or ended since)?
      await sessionForTechnician(deps, user, session.id);
      for (const script of scripts) await _runOne(deps, session, user, script);
      done = true;
      consent.listeners.delete(listener);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
    } finally {
      busy = false;
    }
  };
  const listener = () => void check().catch(() => {});
  consent.listeners.add(listener);
  await check();
}

async function _runOne(deps: AppDeps, session: SupportSession, user: CurrentUser, script: Script) {
  let runId: string;
  try {
    runId = (await startRun(deps, { session, user, script, trigger: "start" })).id;
  } catch (error) {
    // Already ran in this session, or written for another OS: the next one.
    if (error instanceof Refusal && error.status === 409) return;
    throw error;
  }
  const live = liveRuns(deps).get(runId);
  if (!live || live.ended) return;
  await new Promise<void>((resolve) => {
    live.listeners.add((event) => event.kind === "end" && resolve());
  });
}
