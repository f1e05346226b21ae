// The test command (`deno task test`, the README's; `deno task test:db` with `--db`): every test
// file, in several `deno test` processes at once. Much of the suite waits (browsers, agents,
// timers, sockets), so one process at a time leaves the machine idle. Files are grouped into
// jobs by their last measured duration (tests/durations/<engine>.json; when it was never
// measured, a guess from what the file uses, scaled to the measured files' units): a slow file
// is a job of its own, quick ones share one (a twelfth of the files at most, for two workers),
// so a process start is paid per job, not per file. Workers take jobs longest first, so the
// slowest files start early and the short ones fill the gaps at the end. Each job's output is
// printed whole when it ends; the exit code is non-zero when any job failed.
//
// Each worker is its own process: nothing process-wide (`Deno.env.set`, the kept PGlite) is
// shared. With `DATABASE_URL` (PostgreSQL), tests empty their database before each test, so
// every worker gets a database of its own: the first uses `DATABASE_URL`, the others sibling
// databases made here (`<name>_w2`, …) and dropped at the end. Xvfb displays and ports are
// picked free by the tests themselves.
//
//   deno run -A tools/run_tests.ts [--db] [--jobs N] [--list] [--save-durations] [--root DIR]
//     [--split-engines] [deno test flags…] [files or folders…]
//
// `--db`: only the files that can reach a database (tools/db_tests.ts). `--jobs` (or TEST_JOBS):
// processes at once (default 3); with TEST_SLOTS_DIR, at once across every runner given that
// folder (see `takeSlot`). `--list`: the jobs, not run. `--save-durations` (or
// TEST_SAVE_DURATIONS=1): writes this run's per-file times into tests/durations/. `--root`:
// another checkout (default this one). `--split-engines` (CI's two passes, `engineOf`): the data
// layer's tests run on both engines; each story (Chromium, tests/e2e/, the real support app, an X
// display or Wine; `oneEngineStory`) that reaches a database on one, half on each
// (`storyEngines`); the other database tests on PostgreSQL only. A file the other engine runs is
// left out here. Without a `--no-check…` flag, the files are type-checked
// once (`deno check`) before the jobs run unchecked, instead of once per job. The pure parts
// (planning, timing, slots) are in run_tests_plan.ts.
import { join, relative, resolve } from "node:path";
import postgres from "postgres";
import { databaseTestFiles, testFiles } from "./db_tests.ts";
import {
  type Engine,
  engineOf,
  estimateSeconds,
  failureDigest,
  fileSeconds,
  guessSeconds,
  type Job,
  planJobs,
  storyEngines,
  takeSlot,
  workerDatabaseUrl,
} from "./run_tests_plan.ts";

const REPO = resolve(new URL("..", import.meta.url).pathname);
/**
 * A job (one file, or quick ones together) still running after this is stopped: it hangs. Not
 * less: at load 33 on 2 CPUs a job of four browser files took over 15 min (CI stops at 90).
 */
const JOB_TIMEOUT_MS = 45 * 60_000;

interface Options {
  root: string;
  db: boolean;
  jobs: number;
  list: boolean;
  save: boolean;
  split: boolean;
  denoArgs: string[];
  paths: string[];
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function parseArgs(args: string[]): Promise<Options> {
  const options: Options = {
    root: REPO,
    db: false,
    jobs: Number(Deno.env.get("TEST_JOBS") ?? 3),
    list: false,
    save: Deno.env.get("TEST_SAVE_DURATIONS") === "1",
    split: false,
    denoArgs: [],
    paths: [],
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--db") options.db = true;
    else if (arg === "--list") options.list = true;
    else if (arg === "--save-durations") options.save = true;
    else if (arg === "--split-engines") options.split = true;
    else if (arg === "--root") options.root = resolve(args[++i]);
    else if (arg === "--jobs") options.jobs = Number(args[++i]);
    else if (arg.startsWith("--jobs=")) options.jobs = Number(arg.slice("--jobs=".length));
    else if (!arg.startsWith("-") && await exists(resolve(arg))) options.paths.push(arg);
    else options.denoArgs.push(arg);
  }
  if (!Number.isInteger(options.jobs) || options.jobs < 1) {
    throw new Error(`--jobs (or TEST_JOBS) must be a whole number of at least 1`);
  }
  return options;
}

/**
 * The test files to run: all (or the database ones), without those the other engine runs when
 * the engines are split, narrowed to `paths` when given.
 */
async function selectFiles(options: Options, engine: Engine): Promise<string[]> {
  let all = options.db ? await databaseTestFiles(options.root) : await testFiles(options.root);
  if (options.split) {
    const elsewhere = await filesOfOtherEngine(options.root, engine);
    all = all.filter((file) => !elsewhere.has(file));
  }
  if (options.paths.length === 0) return all;
  const wanted = options.paths.map((p) => relative(options.root, resolve(p)));
  return all.filter((file) =>
    wanted.some((w) => w === "" || file === w || file.startsWith(`${w}/`))
  );
}

/**
 * The database test files that only the other engine's pass runs when the engines are split
 * (`engineOf`): the stories `storyEngines` gives it, and on PGlite those PostgreSQL alone runs.
 */
async function filesOfOtherEngine(root: string, engine: Engine): Promise<Set<string>> {
  const stories: string[] = [];
  const elsewhere = new Set<string>();
  for (const file of await databaseTestFiles(root)) {
    const where = engineOf(file, await Deno.readTextFile(join(root, file)));
    if (where === "split") stories.push(file);
    else if (where === "postgres" && engine === "pglite") elsewhere.add(file);
  }
  for (const [file, on] of storyEngines(stories)) if (on !== engine) elsewhere.add(file);
  return elsewhere;
}

const durationsFile = (root: string, engine: string) =>
  join(root, "tests", "durations", `${engine}.json`);

async function readDurations(root: string, engine: string): Promise<Record<string, number>> {
  try {
    return JSON.parse(await Deno.readTextFile(durationsFile(root, engine)));
  } catch {
    return {};
  }
}

async function estimates(root: string, files: string[], engine: string) {
  const mine = await readDurations(root, engine);
  const other = await readDurations(root, engine === "pglite" ? "postgres" : "pglite");
  const guesses = new Map<string, number>();
  for (const file of files) {
    guesses.set(file, guessSeconds(await Deno.readTextFile(join(root, file))));
  }
  return estimateSeconds(guesses, { ...other, ...mine });
}

/** Makes the sibling databases of workers 2…`jobs`; returns a function that drops them. */
async function workerDatabases(url: string, jobs: number): Promise<() => Promise<void>> {
  const names = Array.from(
    { length: jobs - 1 },
    (_, i) => decodeURIComponent(new URL(workerDatabaseUrl(url, i + 2)).pathname.slice(1)),
  );
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    for (const name of names) {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.unsafe(`create database "${name}"`);
    }
  } finally {
    await admin.end();
  }
  return async () => {
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    try {
      for (const name of names) {
        await admin.unsafe(`drop database if exists "${name}" with (force)`);
      }
    } finally {
      await admin.end();
    }
  };
}

interface Result {
  job: Job;
  worker: number;
  code: number;
  seconds: number;
  output: string;
  times: Map<string, number>;
}

const running = new Set<Deno.ChildProcess>();

async function runJob(
  job: Job,
  worker: number,
  command: { root: string; args: string[]; env: Record<string, string> },
): Promise<Result> {
  const began = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", ...command.args, ...job.files],
    cwd: command.root,
    env: command.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  running.add(child);
  const lines: { at: number; text: string }[] = [];
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    let rest = "";
    for await (
      const chunk of stream.pipeThrough(
        new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>,
      )
    ) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const text of parts) lines.push({ at: performance.now(), text });
    }
    if (rest) lines.push({ at: performance.now(), text: rest });
  };
  // A hung file would hold CI until its own limit; the job is stopped and fails instead.
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    child.kill("SIGTERM");
  }, JOB_TIMEOUT_MS);
  const [status] = await Promise.all([child.status, collect(child.stdout), collect(child.stderr)]);
  clearTimeout(timer);
  running.delete(child);
  const end = performance.now();
  if (hung) {
    lines.push({ at: end, text: `stopped: still running after ${JOB_TIMEOUT_MS / 60_000} min` });
  }
  return {
    job,
    worker,
    code: hung ? status.code || 1 : status.code,
    seconds: (end - began) / 1000,
    output: lines.map((l) => l.text).join("\n"),
    times: fileSeconds(lines, began, end),
  };
}

/**
 * Writes this run's `times` over the engine's durations on record. A file this engine's pass no
 * longer runs at all (`runnable`: gone, or no longer a database test) loses its figure: the
 * PostgreSQL record kept the accessibility audit's 146 s and the CSP check's 130 s long after
 * they became engine-neutral, and read as the pass's slowest files. A story split to the other
 * engine keeps its figure for the day the split moves it back.
 */
async function saveDurations(
  root: string,
  engine: string,
  times: Map<string, number>,
  runnable: ReadonlySet<string>,
) {
  const merged = { ...await readDurations(root, engine), ...Object.fromEntries(times) };
  const sorted = Object.fromEntries(
    Object.entries(merged).filter(([file]) => runnable.has(file))
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  const file = durationsFile(root, engine);
  await Deno.mkdir(join(file, ".."), { recursive: true });
  await Deno.writeTextFile(file, JSON.stringify(sorted, null, 2) + "\n");
}

async function main(): Promise<number> {
  const options = await parseArgs(Deno.args);
  const url = Deno.env.get("DATABASE_URL") || undefined;
  const engine: Engine = url ? "postgres" : "pglite";
  const files = await selectFiles(options, engine);
  if (files.length === 0) {
    const split = options.split ? ` (--split-engines: the other engine's files left out)` : "";
    console.error(`no test files match ${options.paths.join(" ")}${split}`);
    return 1;
  }
  const jobs = planJobs(await estimates(options.root, files, engine), options.jobs);
  const workers = Math.min(options.jobs, jobs.length);
  if (options.list) {
    for (const job of jobs) console.log(`${job.seconds.toFixed(1)} s\t${job.files.join(" ")}`);
    // On stderr, so that stdout stays one job a line. Alone on its slots, a pass takes about
    // its work over the workers, and no less than its longest job; CI's two passes share
    // their slots, so together about both passes' work over the slots.
    const work = jobs.reduce((a, j) => a + j.seconds, 0);
    const wall = Math.max(work / workers, jobs[0]?.seconds ?? 0);
    console.error(
      `${files.length} test files (${engine}) in ${jobs.length} jobs: estimated ` +
        `${Math.round(work)} s of work, ≈ ${Math.round(wall)} s wall on ${workers} slots`,
    );
    return 0;
  }
  const began = performance.now();
  const noCheck = options.denoArgs.some((a) =>
    a.startsWith("--no-check") || a.startsWith("--check")
  );
  if (!noCheck) {
    // One type check of every file, then unchecked jobs: each job checking its own files would
    // check the shared modules once per job.
    const { code } = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--quiet", ...files],
      cwd: options.root,
    }).output();
    if (code !== 0) return code;
  }
  const args = noCheck ? options.denoArgs : ["--no-check", ...options.denoArgs];
  const dropDatabases = url && workers > 1
    ? await workerDatabases(url, workers)
    : () => Promise.resolve();
  const queue = [...jobs];
  let stopped = false;
  const stop = () => {
    stopped = true;
    queue.length = 0;
    for (const child of running) child.kill("SIGTERM");
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  console.log(
    `${files.length} test files (${engine}) in ${jobs.length} jobs, ${workers} at once` +
      ` (estimated ${Math.round(jobs.reduce((a, j) => a + j.seconds, 0))} s of work)`,
  );
  const results: Result[] = [];
  const slots = Deno.env.get("TEST_SLOTS_DIR") || undefined;
  if (slots) await Deno.mkdir(slots, { recursive: true });
  try {
    await Promise.all(Array.from({ length: workers }, async (_, i) => {
      const env: Record<string, string> = url
        ? { DATABASE_URL: workerDatabaseUrl(url, i + 1) }
        : {};
      for (let job = queue.shift(); job; job = queue.shift()) {
        const free = slots ? await takeSlot(slots, options.jobs) : () => Promise.resolve();
        if (stopped) {
          await free();
          break;
        }
        const result = await runJob(job, i + 1, { root: options.root, args, env }).finally(free);
        results.push(result);
        const verdict = result.code === 0 ? "ok" : `FAILED (exit ${result.code})`;
        console.log(
          `\n──── job ${results.length}/${jobs.length} (worker ${i + 1}): ${verdict} in ` +
            `${result.seconds.toFixed(1)} s — ${job.files.join(" ")}\n${result.output}`,
        );
      }
    }));
  } finally {
    Deno.removeSignalListener("SIGINT", stop);
    Deno.removeSignalListener("SIGTERM", stop);
    await dropDatabases();
  }
  const times = new Map(results.flatMap((r) => [...r.times]));
  const slowest = [...times].sort(([, a], [, b]) => b - a).slice(0, 15);
  console.log(`\n──── slowest files (${engine}):`);
  for (const [file, seconds] of slowest) {
    console.log(`${seconds.toFixed(1).padStart(7)} s  ${file}`);
  }
  if (options.save) {
    const runnable = options.db
      ? await databaseTestFiles(options.root)
      : await testFiles(options.root);
    await saveDurations(options.root, engine, times, new Set(runnable));
  }
  const failed = results.filter((r) => r.code !== 0);
  const wall = ((performance.now() - began) / 1000).toFixed(0);
  const work = results.reduce((a, r) => a + r.seconds, 0).toFixed(0);
  console.log(
    `\n──── ${files.length} files, ${jobs.length} jobs: ${wall} s wall, ${work} s in jobs`,
  );
  if (failed.length === 0 && results.length === jobs.length) return 0;
  if (results.length < jobs.length) {
    console.log(`stopped: ${jobs.length - results.length} jobs not run`);
  }
  if (failed.length > 0) {
    console.log(`FAILED jobs:\n${failed.map((r) => `  ${r.job.files.join(" ")}`).join("\n")}`);
    // Last, so that a log cut in the middle still names what failed and why (.ci/run prints
    // this part of both passes again at its end).
    console.log(`\n──── what failed (${engine})`);
    for (const r of failed) {
      console.log(
        `\n· job of ${r.job.files.length} files, exit ${r.code} after ${r.seconds.toFixed(0)} s:` +
          `\n${failureDigest(r.output).join("\n")}`,
      );
    }
  }
  return 1;
}

if (import.meta.main) Deno.exit(await main());
