// The pure parts of the test runner (tools/run_tests.ts): planning jobs from durations,
// timing files from a job's output, the worker databases' names, and the slots CI's passes
// share. Apart from the runner, which reads the database URL and creates databases, so that
// their test (run_tests_test.ts), which reaches no database, is not counted a database test
// by tools/db_tests.ts and run a second time in CI's PostgreSQL pass.
import { join } from "node:path";

/** One `deno test` process: its files and their estimated seconds in all. */
export interface Job {
  files: string[];
  seconds: number;
}

/**
 * Jobs over `files` (path → estimated seconds) for `workers` workers, longest first: a file of
 * at least a target share (a sixth of a worker's fair share, 10 s at least) is a job alone;
 * the rest are packed into jobs of about that target, and of at most a twelfth of the files
 * for two workers (`files / (workers × 6)`, 10 at least). Small jobs balance the workers'
 * ends; a job's start (a process, its module graph) costs seconds on a loaded machine. The
 * file count bounds what a wrong estimate costs: the quick files come last, so they were all
 * packed into one job, and when their estimates were low (never measured, guessed at idle
 * speed beside durations measured under load) that job was the longest of the run — 180
 * unit-test files, 16 min, the PGlite pass's last quarter of an hour in CI, on one CPU.
 */
export function planJobs(files: ReadonlyMap<string, number>, workers: number): Job[] {
  const total = [...files.values()].reduce((a, b) => a + b, 0);
  const shares = Math.max(1, workers) * 6;
  const target = Math.max(10, total / shares);
  const most = Math.max(10, Math.ceil(files.size / shares));
  const sorted = [...files].sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  const jobs: Job[] = [];
  let open: Job | undefined;
  for (const [file, seconds] of sorted) {
    if (seconds >= target) {
      jobs.push({ files: [file], seconds });
      continue;
    }
    open ??= { files: [], seconds: 0 };
    open.files.push(file);
    open.seconds += seconds;
    if (open.seconds >= target || open.files.length >= most) {
      jobs.push(open);
      open = undefined;
    }
  }
  if (open) jobs.push(open);
  return jobs.sort((a, b) => b.seconds - a.seconds);
}

/**
 * Estimated seconds per file: its measured duration (`measured`), else its guess (`guesses`,
 * `guessSeconds`) in the measured files' units — times the median of measured ÷ guessed over
 * the files that have both. The durations on record were taken on a loaded machine (several
 * times an idle one's), the guesses are idle figures: unscaled, a never-measured file counted
 * a fraction of a measured one of the same cost. 1 when nothing is measured.
 */
export function estimateSeconds(
  guesses: ReadonlyMap<string, number>,
  measured: Readonly<Record<string, number>>,
): Map<string, number> {
  const ratios = [...guesses].flatMap(([file, guess]) =>
    measured[file] !== undefined && guess > 0 ? [measured[file] / guess] : []
  ).sort((a, b) => a - b);
  const middle = Math.floor(ratios.length / 2);
  const scale = ratios.length === 0
    ? 1
    : ratios.length % 2
    ? ratios[middle]
    : (ratios[middle - 1] + ratios[middle]) / 2;
  return new Map(
    [...guesses].map(([file, guess]) => [file, measured[file] ?? guess * scale]),
  );
}

/**
 * A guess (seconds) for a file with no measured duration, from what it uses: a browser, an
 * X display, the agent or the server process cost tens of seconds; a test app a few.
 */
export function guessSeconds(source: string): number {
  const tests = source.match(/Deno\.test\(/g)?.length ?? 1;
  if (
    /chromium|withBrowser|browserTest|startXvfb|startXorgDummy|runAgent|startCluster/.test(source)
  ) {
    return 40 + 5 * tests;
  }
  if (/startTestApp|withTestApp|openTestDatabase|startClusterApps|"main\.ts"/.test(source)) {
    return 3 + tests;
  }
  return 0.5 + 0.1 * tests;
}

/** The engines CI runs the suite on: embedded PGlite (every file) and PostgreSQL. */
export type Engine = "pglite" | "postgres";

/**
 * Whether a test file is a browser story: it drives Chromium (`browserTest`, `withBrowser`,
 * `chromium.launch`). What a story checks is pages and media, which the database engine does not
 * change; the engines' differences are the data layer's, whose tests run on both.
 */
export function browserStory(source: string): boolean {
  return /\b(?:browserTest|withBrowser)\s*\(|\bchromium\.launch(?:PersistentContext)?\s*\(/.test(
    source,
  );
}

/**
 * Whether a story needs both engines: it says so in a comment line "engine-both: <why>" near
 * its top, or reads the database URL's variable itself — it chooses by engine (the cluster test
 * runs only on PostgreSQL), so only running it on both keeps it running at all. (Worded so that
 * this file names no database itself: tools/db_tests.ts would count its test in.)
 */
export function needsBothEngines(source: string): boolean {
  return marked(source, "engine-both") || /["'`.]DATABASE_URL\b/.test(source);
}

/** What starts the real support app, an X display or Wine (tests/support/agent_e2e.ts, agent/platform/). */
const REAL_PARTS = /\b(?:runAgent|startLauncher|startXvfb|startXorgDummy|startWine)\s*\(/;

/** Whether `source` says `<word>: <why>` in a comment line among its first 40 lines. */
function marked(source: string, word: string): boolean {
  const head = source.split("\n", 40).join("\n");
  return new RegExp(`^\\s*(?:\\/\\/|\\*)\\s*${word}:[ \\t]*\\S`, "m").test(head);
}

/**
 * The modules that run SQL of their own (`execute`), whose results the two drivers shape
 * differently (an array or `{ rows }`, numbers or strings): their tests are the data layer's too.
 */
const RAW_SQL_MODULES = ["modules/reports/", "modules/health/"];

/**
 * Whether a test file is the data layer's own, or asks for both engines, and so runs on both
 * whatever else it does: under modules/db/ (opening, migrations, LISTEN/NOTIFY, paging), under
 * tests/cluster/ or with "cluster" in its name (several instances on one PostgreSQL: locks, shared
 * work, the relay), under a module of raw SQL (`RAW_SQL_MODULES`), or `needsBothEngines` (it
 * reads the database URL's variable itself, or says "engine-both: <why>").
 */
export function dataLayerTest(file: string, source: string): boolean {
  return file.startsWith("modules/db/") || file.startsWith("tests/cluster/") ||
    /cluster[^/]*$/.test(file) || RAW_SQL_MODULES.some((dir) => file.startsWith(dir)) ||
    needsBothEngines(source);
}

/**
 * Whether a database test file is a story that CI runs on one engine only (`--split-engines`): it
 * checks what the real parts do end to end — pages, islands, media, the support app on a display —
 * which the database engine does not change, and each of its queries is a data-layer test's too:
 * - a browser story (`browserStory`);
 * - a file under tests/e2e/ (the server with the real support app, its package, its launcher);
 * - a file that starts the real support app, an X display or Wine (`runAgent`, `startLauncher`,
 *   `startXvfb`, `startXorgDummy`, `startWine`);
 * - a file that says "engine-one: <why>" in a comment line near its top: an in-memory walk over
 *   what pages say or whom they let in, with nothing stored that an engine could read back
 *   differently.
 * Never a data-layer test (`dataLayerTest`), whatever it also is. Every other database test (the
 * routes, services, queries, concurrent writers) is `engineOf`'s "postgres".
 */
export function oneEngineStory(file: string, source: string): boolean {
  if (dataLayerTest(file, source)) return false;
  return browserStory(source) || file.startsWith("tests/e2e/") || REAL_PARTS.test(source) ||
    marked(source, "engine-one");
}

/**
 * Where CI (`--split-engines`) runs a database test file: on "both" engines (the data layer's
 * own, `dataLayerTest`), "split" (a story, `oneEngineStory`: on one engine, `storyEngines`), or
 * on "postgres" only — the routes, services and queries, which PostgreSQL runs as the
 * production server does, with real concurrency (PGlite serializes every query on one
 * connection), in two thirds of PGlite's time: ≈ 550 s against ≈ 780 s of CI's slot time for
 * the 170-odd files (tests/durations/, 2026-12-07). PGlite keeps what could differ by engine:
 * the data layer (its driver, migrations, result shapes), the raw SQL's modules, and half of the
 * stories, which drive the same routes end to end; `deno task test` without the flag runs
 * everything on PGlite.
 */
export function engineOf(file: string, source: string): "both" | "split" | "postgres" {
  if (dataLayerTest(file, source)) return "both";
  return oneEngineStory(file, source) ? "split" : "postgres";
}

/**
 * CI's split of the stories (`--split-engines`): `stories` — the database test files
 * (tools/db_tests.ts) that are stories (`oneEngineStory`) — in path order,
 * alternately on PGlite and PostgreSQL. Each runs on exactly one engine, and each engine gets half
 * of them (within one); both passes compute the same split from the same list. A story costs
 * 10–60 s of CI a pass, and ran twice for nothing an engine could change: 42 of them, ≈ 2,300 s
 * of the 4,500 s of slot time in the CI of 2026-12-05 (planned: 2,755 + 1,757 s of work → 2,138
 * + 1,249 s). Path order, not a hash: 21 and 21 stories, 631 and 522 s; a hash gave 24 and 18,
 * 759 and 421 s. A file added moves the files after it to the other engine.
 */
export function storyEngines(stories: readonly string[]): Map<string, Engine> {
  const sorted = [...new Set(stories)].sort((a, b) => a < b ? -1 : a > b ? 1 : 0);
  return new Map(sorted.map((file, i) => [file, i % 2 === 0 ? "pglite" : "postgres"]));
}

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/**
 * Per-file wall time (seconds) from a job's timed output lines: from the line `deno test`
 * prints as it starts a file ("running N tests from ./x_test.ts") to the next such line, or to
 * `end` for the last file; the first file's from `start` (the process's start-up is its cost).
 */
export function fileSeconds(
  lines: { at: number; text: string }[],
  start: number,
  end: number,
): Map<string, number> {
  const starts: { file: string; at: number }[] = [];
  for (const line of lines) {
    const match = /^running \d+ tests? from \.\/(\S+)/.exec(line.text.replace(ANSI, ""));
    if (match) starts.push({ file: match[1], at: line.at });
  }
  const times = new Map<string, number>();
  starts.forEach((file, i) => {
    const from = i === 0 ? start : file.at;
    const until = starts[i + 1]?.at ?? end;
    times.set(file.file, Math.round((until - from) / 100) / 10);
  });
  return times;
}

/**
 * What a failed job's reader needs first, from its whole output: the `ERRORS` section of
 * `deno test` — each failed test's name and place, its error's first lines, the stack frames
 * of Deno's own internals left out — at most `maxLines` lines in all. A job that printed no
 * such section (it crashed, or was stopped as hung) gives its last lines instead. CI's log
 * is shown to a reader cut in the middle; this digest is what it prints last.
 */
export function failureDigest(output: string, maxLines = 60): string[] {
  const lines = output.replace(ANSI, "").split("\n");
  const from = lines.findIndex((l) => l.trim() === "ERRORS");
  if (from < 0) return lines.filter((l) => l.trim() !== "").slice(-Math.min(20, maxLines));
  const until = lines.findIndex((l, i) => i > from && l.trim() === "FAILURES");
  const section = lines.slice(from + 1, until < 0 ? undefined : until);
  const digest: string[] = [];
  let inBlock = 0;
  for (const line of section) {
    if (line.trim() === "") {
      inBlock = 0;
      continue;
    }
    if (/^\s+at .*\bext:/.test(line)) continue;
    inBlock += 1;
    if (inBlock === 1 && digest.length > 0) digest.push("");
    if (inBlock <= 12) digest.push(line.length > 300 ? `${line.slice(0, 300)}…` : line);
    else if (inBlock === 13) digest.push("  …");
  }
  if (digest.length <= maxLines) return digest;
  return [...digest.slice(0, maxLines - 1), `… ${digest.length - maxLines + 1} more lines`];
}

/** The database URL of worker `n` (1-based): the first is `url` itself, the others siblings. */
export function workerDatabaseUrl(url: string, n: number): string {
  if (n === 1) return url;
  const u = new URL(url);
  u.pathname = `/${decodeURIComponent(u.pathname.slice(1))}_w${n}`;
  return u.toString();
}

/**
 * One of `count` slots in `dir`, shared with every runner given the same folder (CI's two
 * passes, TEST_SLOTS_DIR): a job runs only while it holds one, so the passes together run at
 * most `count` jobs at once, and a pass that ends early leaves its share to the other. A slot
 * is a directory (mkdir is atomic); the returned function frees it. Slots go first come, first
 * served: each wait leaves a ticket (`wait-<ms>-<pid>-<n>`) and only the oldest ticket may take a
 * free slot. Without the queue a worker that freed a slot took it again at once, while the other
 * pass polled every 200 ms: in CI the PostgreSQL pass waited 23 min for its first job. A ticket
 * whose process is gone (a runner killed) is removed by the next waiter.
 */
export async function takeSlot(dir: string, count: number): Promise<() => Promise<void>> {
  const ticket = `wait-${String(Date.now()).padStart(15, "0")}-${Deno.pid}-${++tickets}`;
  await Deno.writeTextFile(join(dir, ticket), "");
  try {
    for (;;) {
      if (await oldestTicket(dir) === ticket) {
        for (let i = 0; i < count; i++) {
          const path = join(dir, `slot-${i}`);
          try {
            await Deno.mkdir(path);
            return () => Deno.remove(path);
          } catch (error) {
            if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
          }
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await Deno.remove(join(dir, ticket)).catch(() => {});
  }
}

let tickets = 0;

/** The oldest waiting ticket of a live process; tickets of dead processes are removed. */
async function oldestTicket(dir: string): Promise<string | undefined> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name.startsWith("wait-")) names.push(entry.name);
  }
  names.sort();
  for (const name of names) {
    const pid = Number(name.split("-")[2]);
    if (pid === Deno.pid || processAlive(pid)) return name;
    await Deno.remove(join(dir, name)).catch(() => {});
  }
  return undefined;
}

function processAlive(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return Deno.build.os !== "linux"; // no /proc to ask: assume alive
  }
}
