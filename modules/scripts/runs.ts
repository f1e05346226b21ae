/**
 * Deploying a script in a session (SPEC R10): the run is written down (row, audit entry with
 * the script's and resource's SHA-256, log line) before the agent is called; the agent asks
 * the customer about this very script, runs it and streams its output, which the technician's
 * open streams follow live; at the end the whole output (bounded) goes to the file store for
 * download and the exit code with the output's end into the session log. Runs live on the
 * instance that holds the agent (the routes are relayed there), in memory while they run and
 * for a minute after, so a stream opened late still sees the end.
 */
import { and, desc, eq } from "drizzle-orm";
import { recordAudit } from "../audit/mod.ts";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { callAgent, toolConsent } from "../remote/mod.ts";
import { logSessionEvent, type SupportSession } from "../support/mod.ts";
import type { ScriptOutput, ScriptRunResult } from "../../protocol/scripts.ts";
import { scriptRuns, type ScriptRunStatus } from "./schema.ts";
import { loadContent, type Script } from "./service.ts";

export type ScriptRun = typeof scriptRuns.$inferSelect;

/** The whole output kept for download; past it the file says it was cut. */
export const OUTPUT_KEEP_CHARS = 4 * 1024 * 1024;
/** The output's end written into the session log. */
export const LOG_OUTPUT_CHARS = 2000;
/** Output held for streams that open late (the newest part). */
const REPLAY_CHARS = 256 * 1024;
/** How long a finished run stays in memory for late streams. */
const LINGER_MS = 60_000;
/** The customer's time to answer, on top of the script's own limit. */
const ANSWER_MS = 5 * 60_000;

export interface RunEvent {
  seq: number;
  kind: "output" | "end";
  /** For `output`. */
  output?: ScriptOutput;
  /** For `end`. */
  end?: RunEnd;
}

export interface RunEnd {
  status: ScriptRunStatus;
  exitCode: number | null;
  reason: string | null;
  outputSize: number;
}

/** One run in progress (or just ended) on this instance. */
export class LiveRun {
  readonly events: RunEvent[] = [];
  readonly listeners = new Set<(event: RunEvent) => void>();
  readonly controller = new AbortController();
  #seq = 0;
  #held = 0;
  #output = "";
  #cut = false;
  ended: RunEnd | null = null;

  constructor(readonly id: string, readonly sessionId: string) {}

  output(piece: ScriptOutput) {
    if (this.#output.length < OUTPUT_KEEP_CHARS) {
      this.#output += piece.text.slice(0, OUTPUT_KEEP_CHARS - this.#output.length);
    } else this.#cut = true;
    this.#push({ seq: ++this.#seq, kind: "output", output: piece });
    this.#held += piece.text.length;
    while (this.#held > REPLAY_CHARS && this.events.length > 1) {
      this.#held -= this.events.shift()!.output?.text.length ?? 0;
    }
  }

  end(end: RunEnd) {
    this.ended = end;
    this.#push({ seq: ++this.#seq, kind: "end", end });
  }

  /** Everything the technician saw, and whether it was cut at OUTPUT_KEEP_CHARS. */
  get whole(): { text: string; cut: boolean } {
    return { text: this.#output, cut: this.#cut };
  }

  #push(event: RunEvent) {
    this.events.push(event);
    for (const listener of this.listeners) listener(event);
  }
}

const registries = new WeakMap<AppDeps, Map<string, LiveRun>>();

/** The runs of this app on this instance, by run id. */
export function liveRuns(deps: AppDeps): Map<string, LiveRun> {
  let runs = registries.get(deps);
  if (!runs) registries.set(deps, runs = new Map());
  return runs;
}

/**
 * Starts `script` on the session's agent; resolves once the run is recorded (not when it
 * ends). Refused clearly when the agent is not here, has not been allowed scripts, runs
 * another OS, or a start script already ran in this session.
 */
export async function startRun(
  deps: AppDeps,
  input: {
    session: SupportSession;
    user: CurrentUser;
    script: Script;
    trigger: "manual" | "start";
  },
): Promise<ScriptRun> {
  const { session, user, script } = input;
  const consent = toolConsent(deps, session);
  const state = consent.state;
  if (!state.present) throw new Refusal(409, "scripts.agentAbsent");
  if (!consent.allows("scripts")) throw new Refusal(409, "scripts.notAllowed");
  if (script.targetOs !== "any" && state.os !== script.targetOs) {
    throw new Refusal(409, "scripts.wrongOs", {
      params: { os: script.targetOs, agentOs: state.os ?? "?" },
    });
  }
  const content = await loadContent(deps, script);
  const now = deps.clock.now();
  const run = await deps.db.transaction(async (tx) => {
    const [row] = await tx.insert(scriptRuns).values({
      sessionId: session.id,
      scriptId: script.id,
      trigger: input.trigger,
      name: script.name,
      scriptSha256: script.scriptSha256,
      resourceSha256: script.resourceSha256,
      startedBy: user.id,
      startedAt: now,
      status: "running",
    }).onConflictDoNothing().returning();
    if (!row) return undefined;
    await recordAudit(tx, {
      orgId: session.orgId,
      actorId: user.id,
      actorEmail: user.email,
      action: "session.script_run",
      target: session.id,
      details: {
        runId: row.id,
        script: script.name,
        nested: script.ownerId === null,
        trigger: input.trigger,
        fileName: script.fileName,
        scriptSha256: script.scriptSha256,
        resourceName: script.resourceName,
        resourceSha256: script.resourceSha256,
        timeoutSeconds: script.timeoutSeconds,
      },
      at: now,
    });
    return row;
  });
  if (!run) throw new Refusal(409, "scripts.alreadyRan");
  const live = new LiveRun(run.id, session.id);
  liveRuns(deps).set(run.id, live);
  await logSessionEvent(deps, session, "log.scripts.started", { script: script.name }, {
    author: "technician",
    userId: user.id,
    name: user.name,
  });
  const request = {
    kind: "scripts.run" as const,
    name: script.name,
    fileName: script.fileName,
    targetOs: script.targetOs,
    script: content.script,
    resource: content.resource && script.resourceName
      ? { fileName: script.resourceName, base64: content.resource.toBase64() }
      : null,
    timeoutSeconds: script.timeoutSeconds,
  };
  callAgent(deps, session.id, request, {
    onEvent: (event) => live.output(event as ScriptOutput),
    signal: live.controller.signal,
    timeoutMs: script.timeoutSeconds * 1000 + ANSWER_MS,
  }).then(
    (outcome) =>
      _finish(
        deps,
        session,
        live,
        outcome.ok ? { result: outcome.result as ScriptRunResult } : {
          failure: { code: outcome.code, reason: outcome.reason },
        },
      ),
    (error) => _finish(deps, session, live, { failure: { code: "failed", reason: String(error) } }),
  ).catch((error) => deps.log.error("script run end failed", { error: String(error) }));
  return run;
}

/** The technician's Stop: the agent kills the script's process group. */
export function stopRun(deps: AppDeps, runId: string): boolean {
  const live = liveRuns(deps).get(runId);
  if (!live || live.ended) return false;
  live.controller.abort();
  return true;
}

type Outcome =
  | { result: ScriptRunResult }
  | { failure: { code: string; reason: string } };

function _status(live: LiveRun, outcome: Outcome): ScriptRunStatus {
  if ("result" in outcome) {
    if (outcome.result.timedOut) return "timedOut";
    if (outcome.result.stopped) return "stopped";
    return "finished";
  }
  if (live.controller.signal.aborted) return "stopped";
  if (outcome.failure.code === "declined") return "declined";
  return "failed";
}

async function _finish(deps: AppDeps, session: SupportSession, live: LiveRun, outcome: Outcome) {
  const status = _status(live, outcome);
  const result = "result" in outcome ? outcome.result : null;
  const whole = live.whole;
  // What streamed live is the full output, unless the agent's own streaming cap cut it.
  const cut = whole.cut || (result !== null && result.outputChars > whole.text.length);
  const text = whole.text + (cut ? "\n[…]\n" : "");
  const bytes = new TextEncoder().encode(text);
  const stored = bytes.length > 0
    ? await deps.files.put(new Blob([bytes]).stream(), { maxBytes: bytes.length })
    : null;
  const exitCode = result?.exitCode ?? null;
  const reason = "failure" in outcome ? outcome.failure.reason.slice(0, 500) : null;
  await deps.db.update(scriptRuns).set({
    status,
    exitCode,
    reason,
    endedAt: deps.clock.now(),
    outputSha256: stored?.sha256 ?? null,
    outputSize: stored?.size ?? 0,
    outputTruncated: cut,
  }).where(eq(scriptRuns.id, live.id));
  const tail = (result ? result.stdout + result.stderr : whole.text).slice(-LOG_OUTPUT_CHARS);
  await logSessionEvent(deps, session, `log.scripts.${status}`, {
    script: (await _name(deps, live.id)) ?? "",
    exitCode: exitCode ?? "–",
    reason: reason ?? "",
    runId: live.id,
    output: tail,
  });
  live.end({ status, exitCode, reason, outputSize: stored?.size ?? 0 });
  setTimeout(() => liveRuns(deps).delete(live.id), LINGER_MS);
}

async function _name(deps: AppDeps, runId: string) {
  const [row] = await deps.db.select({ name: scriptRuns.name }).from(scriptRuns)
    .where(eq(scriptRuns.id, runId));
  return row?.name;
}

/** A session's runs, newest first. */
export async function listRuns(deps: AppDeps, sessionId: string, limit = 20) {
  return await deps.db.select().from(scriptRuns).where(eq(scriptRuns.sessionId, sessionId))
    .orderBy(desc(scriptRuns.startedAt)).limit(limit);
}

export async function getRun(deps: AppDeps, sessionId: string, runId: string) {
  if (!/^[0-9a-f-]{36}$/.test(runId)) return undefined;
  const [row] = await deps.db.select().from(scriptRuns)
    .where(and(eq(scriptRuns.sessionId, sessionId), eq(scriptRuns.id, runId)));
  return row;
}
