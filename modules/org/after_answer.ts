/**
 * Work a request starts but does not wait for: "Forgot your password?" answers before it looks
 * the address up, so an address with an account (a link made, audited, mailed) and one without
 * take the same time to answer — the difference was a few milliseconds anyone could measure.
 * Each app (its `AppDeps`) keeps its jobs, so a test can wait for them (`afterAnswerSettled`)
 * or hold them to see what the answer itself did (`holdAfterAnswer`). A job that fails is
 * logged; one lost with its process is a link the asker asks for again.
 */
import type { AppDeps } from "../http/mod.ts";

interface Jobs {
  running: Set<Promise<void>>;
  /** While held: the starts of the jobs waiting. */
  held: (() => void)[] | null;
}

const _jobs = new WeakMap<AppDeps, Jobs>();

function _jobsOf(deps: AppDeps): Jobs {
  let jobs = _jobs.get(deps);
  if (!jobs) _jobs.set(deps, jobs = { running: new Set(), held: null });
  return jobs;
}

/** Runs `job` on a later turn than the request that asks for it (a timer), logged if it fails. */
export function afterAnswer(deps: AppDeps, name: string, job: () => Promise<void>): void {
  const jobs = _jobsOf(deps);
  const started = new Promise<void>((start) => {
    if (jobs.held) jobs.held.push(start);
    else setTimeout(start, 0);
  });
  const done: Promise<void> = started.then(job)
    .catch((error) =>
      deps.log.error("work after the answer failed", { job: name, error: String(error) })
    )
    .finally(() => jobs.running.delete(done));
  jobs.running.add(done);
}

/** Resolves once every job started so far (and any they start) has ended. */
export async function afterAnswerSettled(deps: AppDeps): Promise<void> {
  const jobs = _jobsOf(deps);
  while (jobs.running.size > 0) await Promise.all([...jobs.running]);
}

/** Holds new jobs until the returned function is called; `waiting()` counts them. */
export function holdAfterAnswer(deps: AppDeps): { release(): void; waiting(): number } {
  const jobs = _jobsOf(deps);
  const held: (() => void)[] = [];
  jobs.held = held;
  return {
    waiting: () => held.length,
    release() {
      jobs.held = null;
      for (const start of held) start();
    },
  };
}
