// Over 400 lines: the runner's plan (jobs, slots, the engine split rule) is checked on fixture trees and on this repository in one place, so the rule and its cases read together.
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  browserStory,
  dataLayerTest,
  engineOf,
  estimateSeconds,
  failureDigest,
  fileSeconds,
  guessSeconds,
  needsBothEngines,
  oneEngineStory,
  planJobs,
  storyEngines,
  takeSlot,
  workerDatabaseUrl,
} from "./run_tests_plan.ts";

/**
 * Runs tools/run_tests.ts with `args` in a cleared environment plus `env`; its exit code, its
 * output (stdout, then stderr) and its stdout alone.
 */
async function runWith(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ code: number; text: string; stdout: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./run_tests.ts", import.meta.url).pathname, ...args],
    clearEnv: true, // no database URL unless `env` gives one: these files are not database tests
    env: {
      ...Object.fromEntries(
        ["PATH", "HOME", "DENO_DIR"].flatMap((k) => Deno.env.has(k) ? [[k, Deno.env.get(k)!]] : []),
      ),
      ...env,
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  return { code: out.code, text: stdout + new TextDecoder().decode(out.stderr), stdout };
}

const run = (...args: string[]) => runWith({}, ...args);

/** The files of `--list`'s jobs (stdout: one job a line, seconds and files). */
const listedFiles = (stdout: string) =>
  stdout.trim().split("\n").flatMap((line) => line.split("\t")[1]?.split(" ") ?? []);

Deno.test("planJobs() runs a slow file alone, packs quick ones, longest first, each file once", () => {
  const files = new Map<string, number>([
    ["e2e/a_test.ts", 90],
    ["e2e/b_test.ts", 60],
    ...Array.from({ length: 40 }, (_, i) => [`unit/${i}_test.ts`, 1] as [string, number]),
  ]);
  const jobs = planJobs(files, 2); // 190 s over 2 workers: target 15.8 s
  assert.deepEqual(jobs.slice(0, 2).map((j) => j.files), [["e2e/a_test.ts"], ["e2e/b_test.ts"]]);
  const packed = jobs.slice(2);
  assert.ok(packed.every((j) => j.files.length > 1 && j.seconds <= 16), "quick files share jobs");
  assert.deepEqual(
    jobs.map((j) => j.seconds),
    [...jobs.map((j) => j.seconds)].sort((a, b) => b - a),
    "longest first",
  );
  assert.deepEqual(jobs.flatMap((j) => j.files).sort(), [...files.keys()].sort());
  assert.equal(planJobs(new Map([["x_test.ts", 0.5]]), 4).length, 1);
});

Deno.test("planJobs() packs no more than a twelfth of the files (two workers) in one job", () => {
  const files = new Map<string, number>([
    ["e2e/a_test.ts", 3000],
    ...Array.from({ length: 240 }, (_, i) => [`unit/${i}_test.ts`, 1] as [string, number]),
  ]);
  const jobs = planJobs(files, 2); // target 270 s: the seconds alone would make one job of 240
  assert.deepEqual(jobs[0].files, ["e2e/a_test.ts"]);
  assert.ok(jobs.every((j) => j.files.length <= 21), jobs.map((j) => j.files.length).join(" "));
  assert.deepEqual(jobs.flatMap((j) => j.files).sort(), [...files.keys()].sort());
  // Few files: quick ones still share a job (10 at least).
  const few = new Map(Array.from({ length: 10 }, (_, i) => [`u${i}_test.ts`, 0.5]));
  assert.equal(planJobs(few, 2).length, 1);
});

Deno.test("estimateSeconds() takes the measured figure, and scales a guess to the measured units", () => {
  const guesses = new Map([["a_test.ts", 10], ["b_test.ts", 10], ["c_test.ts", 20], [
    "u_test.ts",
    2,
  ]]);
  // Measured three, four and five times their guess: the median, 4×, scales the rest.
  const measured = { "a_test.ts": 30, "b_test.ts": 40, "c_test.ts": 100, "gone_test.ts": 7 };
  assert.deepEqual(
    estimateSeconds(guesses, measured),
    new Map([["a_test.ts", 30], ["b_test.ts", 40], ["c_test.ts", 100], ["u_test.ts", 8]]),
  );
  assert.deepEqual(estimateSeconds(guesses, {}), guesses, "nothing measured: the guesses");
});

Deno.test("guessSeconds() rates a browser or agent test above an app test above a pure one", () => {
  const browser = guessSeconds('import { chromium } from "playwright-core";\nDeno.test(');
  const app = guessSeconds("const t = await startTestApp();\nDeno.test(");
  const pure = guessSeconds("Deno.test(");
  assert.ok(browser > app && app > pure, `${browser} > ${app} > ${pure}`);
});

Deno.test("fileSeconds() times each file from its 'running' line to the next, the first from the start", () => {
  const lines = [
    { at: 1_000, text: "Check file:///x" },
    { at: 2_000, text: "\x1b[0m\x1b[38;5;245mrunning 2 tests from ./a_test.ts\x1b[0m" },
    { at: 2_500, text: "one ... ok (400ms)" },
    { at: 5_000, text: "running 1 test from ./dir/b_test.tsx" },
    { at: 9_000, text: "ok | 3 passed | 0 failed (8s)" },
  ];
  assert.deepEqual(
    fileSeconds(lines, 0, 9_500),
    new Map([["a_test.ts", 5], ["dir/b_test.tsx", 4.5]]),
  );
  assert.equal(fileSeconds([], 0, 1).size, 0);
});

Deno.test("workerDatabaseUrl() keeps the first worker on the URL and gives the others siblings", () => {
  const url = "postgres://postgres@127.0.0.1:5432/rescue_ci_1?sslmode=disable";
  assert.equal(workerDatabaseUrl(url, 1), url);
  assert.equal(
    workerDatabaseUrl(url, 3),
    "postgres://postgres@127.0.0.1:5432/rescue_ci_1_w3?sslmode=disable",
  );
});

Deno.test("takeSlot() lets no more than `count` holders in until one frees its slot", async () => {
  const dir = await Deno.makeTempDir({ prefix: "run-tests-slots-" });
  try {
    const first = await takeSlot(dir, 1);
    const second: { free?: () => Promise<void> } = {};
    const waiting = takeSlot(dir, 1).then((free) => second.free = free);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(Object.keys(second).length, 0, "the only slot is held");
    await first();
    await waiting;
    assert.ok(second.free, "taken once freed");
    await second.free();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("takeSlot() serves waiters in order: a holder that frees its slot and asks again queues behind the one already waiting", async () => {
  const dir = await Deno.makeTempDir({ prefix: "run-tests-fair-" });
  try {
    const held = await takeSlot(dir, 1);
    const order: string[] = [];
    const other = takeSlot(dir, 1).then(async (free) => {
      order.push("other");
      await new Promise((resolve) => setTimeout(resolve, 200)); // runs its job
      await free();
    });
    await new Promise((resolve) => setTimeout(resolve, 300)); // the other pass is waiting
    await held();
    const again = await takeSlot(dir, 1); // the same worker at once, as the runner does
    order.push("again");
    await again();
    await other;
    assert.deepEqual(order, ["other", "again"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("takeSlot() skips a ticket left by a runner that was killed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "run-tests-stale-" });
  try {
    // pid 2^22 + 1 is above Linux's pid_max: no such process.
    await Deno.writeTextFile(join(dir, `wait-${"0".repeat(15)}-4194305-1`), "");
    const free = await takeSlot(dir, 1);
    await free();
    const left = [...Deno.readDirSync(dir)].map((e) => e.name);
    assert.deepEqual(left, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("failureDigest() keeps each failed test's name and error, drops Deno's own frames, caps the length", () => {
  const output = [
    "running 2 tests from ./x_test.ts",
    "bad ... \x1b[31mFAILED\x1b[0m (1ms)",
    "",
    "\x1b[41m ERRORS \x1b[0m",
    "",
    "bad => ./x_test.ts:2:6",
    "error: Error: boom",
    "    at file:///r/x_test.ts:2:36",
    "    at innerWrapped (ext:cli/40_test.js:180:11)",
    "",
    "./z_test.ts (uncaught error)",
    "error: (in promise) Error: module level",
    ...Array.from({ length: 20 }, (_, i) => `detail ${i}`),
    "",
    "\x1b[41m FAILURES \x1b[0m",
    "",
    "bad => ./x_test.ts:2:6",
    "FAILED | 1 passed | 2 failed",
  ].join("\n");
  const digest = failureDigest(output);
  assert.deepEqual(digest.slice(0, 5), [
    "bad => ./x_test.ts:2:6",
    "error: Error: boom",
    "    at file:///r/x_test.ts:2:36",
    "",
    "./z_test.ts (uncaught error)",
  ]);
  assert.equal(digest.length, 4 + 12 + 1, digest.join("\n"));
  assert.equal(digest.at(-1), "  …");
  assert.ok(!digest.some((l) => l.includes("FAILED |")));
  const capped = failureDigest(output, 6);
  assert.equal(capped.length, 6);
  assert.match(capped.at(-1)!, /^… 12 more lines$/);
  // No ERRORS section (a crash, a job stopped as hung): its last lines.
  const crash = failureDigest("running 1 test from ./a_test.ts\nthread panicked\n\nstopped: x");
  assert.deepEqual(crash, ["running 1 test from ./a_test.ts", "thread panicked", "stopped: x"]);
});

Deno.test("run_tests.ts runs every file in parallel jobs, prints each whole, fails on any failure", async () => {
  const root = await Deno.makeTempDir({ prefix: "run-tests-root-" });
  try {
    const write = (path: string, text: string) => Deno.writeTextFile(join(root, path), text);
    await Deno.mkdir(join(root, "sub"));
    await write("a_test.ts", 'Deno.test("a", () => console.log("marker-a"));\n');
    await write("sub/b_test.ts", 'Deno.test("b", () => { throw new Error("marker-b"); });\n');
    await write("c.test.ts", 'Deno.test("c", () => console.log("marker-c"));\n');
    await write(
      "helper.ts",
      'Deno.test("never run", () => { throw new Error("not a test file"); });\n',
    );
    // A file deleted since it was measured: its figure goes when the durations are written.
    await Deno.mkdir(join(root, "tests/durations"), { recursive: true });
    await write("tests/durations/pglite.json", '{"a_test.ts":3,"gone_test.ts":7}');
    const all = await run("--root", root, "--jobs", "2", "--no-check", "--save-durations");
    assert.equal(all.code, 1, all.text);
    assert.match(all.text, /3 test files \(pglite\) in 1 jobs/);
    assert.match(all.text, /marker-a/);
    assert.match(all.text, /marker-b/);
    assert.match(all.text, /marker-c/);
    assert.doesNotMatch(all.text, /not a test file/);
    assert.match(all.text, /FAILED jobs:\n {2}.*sub\/b_test\.ts/);
    // The digest comes last: the failed test's name, place and error.
    const digest = all.text.slice(all.text.lastIndexOf("──── what failed (pglite)"));
    assert.match(
      digest,
      /job of 3 files, exit 1 after \d+ s:\nb => \.\/sub\/b_test\.ts:1:6\nerror: Error: marker-b/,
    );
    const saved = JSON.parse(await Deno.readTextFile(join(root, "tests/durations/pglite.json")));
    assert.deepEqual(Object.keys(saved).sort(), ["a_test.ts", "c.test.ts", "sub/b_test.ts"]);

    // Now measured (b the slowest on record), each its own job when the target allows it.
    await write(
      "tests/durations/pglite.json",
      '{"a_test.ts":30,"c.test.ts":30,"sub/b_test.ts":31}',
    );
    const split = await run("--root", root, "--jobs", "2", "--no-check", "--list");
    assert.equal(split.code, 0, split.text);
    assert.deepEqual(split.stdout.trim().split("\n").map((l) => l.split("\t")[1]), [
      "sub/b_test.ts",
      "a_test.ts",
      "c.test.ts",
    ]);
    const passing = await run("--root", root, "--jobs", "2", "--no-check", join(root, "a_test.ts"));
    assert.equal(passing.code, 0, passing.text);
    assert.match(passing.text, /1 test files \(pglite\) in 1 jobs/);
    assert.doesNotMatch(passing.text, /marker-b|marker-c/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("run_tests.ts --list spreads never-measured quick files beside measured slow ones over several jobs", async () => {
  // CI's PGlite pass: ~180 unit-test files without a measured duration were guessed at idle
  // speed (about a second) beside browser files measured under load (minutes), all packed
  // into its last job — 16 min on one CPU, long after the other jobs had ended.
  const root = await Deno.makeTempDir({ prefix: "run-tests-root-" });
  try {
    const browser = 'import { chromium } from "playwright-core";\nDeno.test("b", () => {});\n';
    const unit = 'Deno.test("u", () => {});\n';
    await Deno.mkdir(join(root, "tests/durations"), { recursive: true });
    await Deno.mkdir(join(root, "unit"));
    await Deno.writeTextFile(join(root, "a_browser_test.ts"), browser);
    await Deno.writeTextFile(join(root, "b_browser_test.ts"), browser);
    const units = Array.from(
      { length: 60 },
      (_, i) => `unit/${String(i).padStart(2, "0")}_test.ts`,
    );
    for (const file of units) await Deno.writeTextFile(join(root, file), unit);
    const measured = { "a_browser_test.ts": 300, "b_browser_test.ts": 240 };
    await Deno.writeTextFile(join(root, "tests/durations/pglite.json"), JSON.stringify(measured));

    const listed = await run("--root", root, "--jobs", "2", "--no-check", "--list");
    assert.equal(listed.code, 0, listed.text);
    assert.match(listed.text, /62 test files \(pglite\) in \d+ jobs: estimated \d+ s of work/);
    const jobs = listed.stdout.trim().split("\n").map((line) => {
      const [seconds, files] = line.split("\t");
      return { seconds: parseFloat(seconds), files: files.split(" ") };
    });
    assert.deepEqual(jobs.slice(0, 2).map((j) => j.files), [["a_browser_test.ts"], [
      "b_browser_test.ts",
    ]]);
    const quick = jobs.slice(2);
    assert.deepEqual(quick.flatMap((j) => j.files).sort(), units);
    assert.ok(quick.length > 1, `the unit files in ${quick.length} job`);
    const most = Math.max(10, Math.ceil(62 / 12)); // a twelfth of the files, 10 at least
    assert.ok(quick.every((j) => j.files.length <= most), quick.map((j) => j.files.length).join());
    // Counted in the measured files' units: each guess times the median measured ÷ guessed.
    const scale = (300 / guessSeconds(browser) + 240 / guessSeconds(browser)) / 2;
    for (const job of quick) {
      const expected = job.files.length * guessSeconds(unit) * scale;
      assert.ok(Math.abs(job.seconds - expected) < 0.1, `${job.seconds} s for ${expected} s`);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("browserStory() and needsBothEngines() read what drives Chromium and what asks for both engines", () => {
  assert.ok(browserStory('browserTest("a story", async (t) => {'));
  assert.ok(browserStory("await withBrowser(t, async ({ page }) => {"));
  assert.ok(browserStory("const browser = await chromium.launch({ args });"));
  assert.ok(browserStory("context = await chromium.launchPersistentContext(dir, {"));
  assert.ok(!browserStory("// Chromium shows it too; withBrowser is not used here\nDeno.test("));
  assert.ok(!browserStory("const t = await startTestApp();"));
  // Names split so that this file reads no database URL (tools/db_tests.ts would count it in).
  const url = ["DATABASE", "URL"].join("_");
  assert.ok(needsBothEngines("// A story.\n// engine-both: the chart's SQL differs\nbrowserTest("));
  assert.ok(needsBothEngines(` * engine-both: reads the engine's own rows\n`));
  assert.ok(needsBothEngines(`const URL = Deno.env.get("${url}");\nbrowserTest(`));
  assert.ok(needsBothEngines(`if (!Deno.env.toObject().${url}) return;`));
  assert.ok(!needsBothEngines("// engine-both:\nbrowserTest("), "a reason is required");
  assert.ok(!needsBothEngines(`${"// filler\n".repeat(40)}// engine-both: too far down\n`));
  assert.ok(!needsBothEngines("browserTest("));
});

Deno.test("oneEngineStory() splits what drives the real parts end to end, never the data layer's tests", () => {
  const app = "const t = await startTestApp();\nDeno.test(";
  // The kinds of story: Chromium, a file under tests/e2e/, the real app / an X display / Wine.
  assert.ok(oneEngineStory("modules/x/x_browser_test.ts", 'browserTest("s", async (t) => {'));
  assert.ok(oneEngineStory("tests/e2e/agent_package_test.ts", app));
  assert.ok(oneEngineStory("tests/unattended_test.ts", `${app}const x = await startXvfb();`));
  assert.ok(oneEngineStory("tests/a_test.ts", `${app}const agent = runAgent(base, pin, env);`));
  assert.ok(oneEngineStory("tests/a_test.ts", `${app}await startLauncher(dir, env, out);`));
  assert.ok(oneEngineStory("agent/a_test.ts", `${app}await startXorgDummy([screen]);`));
  assert.ok(oneEngineStory("tests/a_test.ts", `${app}const wine = await startWine(display);`));
  assert.ok(oneEngineStory("tests/a_test.ts", `// engine-one: it checks words\n${app}`));
  // Everything else runs on both: an in-memory test, a word in passing, a marker without reason.
  assert.ok(!oneEngineStory("modules/x/routes_test.ts", app));
  assert.ok(
    !oneEngineStory("tests/a_test.ts", `// unlike startXvfb, this needs no display\n${app}`),
  );
  assert.ok(!oneEngineStory("tests/a_test.ts", `// engine-one:\n${app}`));
  assert.ok(!oneEngineStory("tests/a_test.ts", `${"// filler\n".repeat(40)}// engine-one: late\n`));
  // The data layer's own tests stay on both, whatever else they are or say.
  const story = `// engine-one: words\nbrowserTest("s", async () => { await startXvfb(); });\n`;
  const url = ["DATABASE", "URL"].join("_");
  for (
    const [file, source] of [
      ["modules/db/listener_test.ts", story],
      ["tests/cluster/shared_work_test.ts", story],
      ["tests/e2e/cluster_test.ts", story],
      ["modules/lens/lens_cluster_test.ts", story],
      ["tests/e2e/x_test.ts", `// engine-both: the chart's SQL\n${story}`],
      ["tests/e2e/x_test.ts", `const u = Deno.env.get("${url}");\n${story}`],
    ]
  ) {
    assert.ok(dataLayerTest(file, source), file);
    assert.ok(!oneEngineStory(file, source), `${file} is split`);
  }
  assert.ok(!dataLayerTest("tests/e2e/agent_package_test.ts", story));
});

Deno.test("engineOf(): the data layer on both, a story split, any other database test on PostgreSQL", () => {
  const app = "const t = await startTestApp();\nDeno.test(";
  assert.equal(engineOf("modules/db/open_test.ts", app), "both");
  assert.equal(engineOf("modules/reports/facts_test.ts", app), "both");
  assert.equal(engineOf("modules/health/routes_test.ts", app), "both");
  assert.equal(engineOf("tests/reports_test.ts", `// engine-both: raw SQL\n${app}`), "both");
  assert.equal(engineOf("tests/e2e/x_test.ts", app), "split");
  assert.equal(engineOf("modules/x/x_browser_test.ts", 'browserTest("s", () => {});'), "split");
  assert.equal(engineOf("modules/support/customer_routes_test.ts", app), "postgres");
  assert.equal(engineOf("tests/reports_access_test.ts", app), "postgres", "unmarked");
  assert.equal(engineOf("modules/reportsx/a_test.ts", app), "postgres", "a prefix, not a module");
});

Deno.test("storyEngines() gives each story one engine, alternately in path order, half each", () => {
  const stories = ["tests/e2e/c_test.ts", "modules/x/a_browser_test.ts", "tests/e2e/b_test.ts"];
  const split = storyEngines(stories);
  assert.deepEqual(
    split,
    new Map([
      ["modules/x/a_browser_test.ts", "pglite"],
      ["tests/e2e/b_test.ts", "postgres"],
      ["tests/e2e/c_test.ts", "pglite"],
    ]),
  );
  assert.deepEqual(storyEngines([...stories].reverse()), split, "the input's order does not count");
  const many = Array.from({ length: 43 }, (_, i) => `tests/e2e/s${i}_test.ts`);
  const engines = [...storyEngines(many).values()];
  assert.equal(engines.length, 43, "each story once");
  const lite = engines.filter((e) => e === "pglite").length;
  assert.ok(Math.abs(lite - (43 - lite)) <= 1, `${lite} on PGlite of 43`);
});

Deno.test("run_tests.ts --split-engines: each database story on one engine, the data layer's tests on both, other database tests on PostgreSQL", async () => {
  const root = await Deno.makeTempDir({ prefix: "run-tests-split-" });
  try {
    const write = async (path: string, text: string) => {
      await Deno.mkdir(join(root, path, ".."), { recursive: true });
      await Deno.writeTextFile(join(root, path), text);
    };
    // Built so that this file's own source neither imports a database nor names its URL.
    const importDb = (from: string) => `${"import"} { db } from "${from}modules/db/mod.ts";\n`;
    const url = ["DATABASE", "URL"].join("_");
    await write("modules/db/mod.ts", "export const db = 1;\n");
    const story = 'browserTest("s", async (t) => { await withBrowser(t, async () => {}); });\n';
    for (const name of ["a", "b", "c", "d"]) {
      await write(`tests/e2e/${name}_test.ts`, importDb("../../") + story);
    }
    await write("tests/e2e/both_test.ts", `// engine-both: why\n${importDb("../../")}${story}`);
    await write(
      "tests/e2e/pg_only_test.ts",
      `Deno.env.get("${url}");\n${importDb("../../")}${story}`,
    );
    await write(
      "tests/e2e/neutral_test.ts",
      `// engine-neutral: pages\n${importDb("../../")}${story}`,
    );
    await write("tests/e2e/no_db_story_test.ts", story);
    // Stories of the other kinds: the real app on a display, an in-memory walk that says so.
    const app = 'Deno.test("x", async () => { await startTestApp(); });\n';
    await write("tests/x_agent_test.ts", `${importDb("../")}${app}await startXvfb();\n`);
    await write("tests/y_words_test.ts", `// engine-one: words\n${importDb("../")}${app}`);
    // The data layer's own: on both engines, though it also starts a display.
    await write("modules/db/z_test.ts", `${importDb("../../")}${app}await startXvfb();\n`);
    // A module of raw SQL's own test: on both. Another database test: PostgreSQL only.
    await write("modules/reports/r_test.ts", `${importDb("../../")}Deno.test("r", () => {});\n`);
    await write("tests/data_test.ts", `${importDb("../")}Deno.test("d", () => {});\n`);
    await write("unit_test.ts", 'Deno.test("u", () => {});\n');

    const pg = { [url]: "postgres://nobody@127.0.0.1:1/none" }; // --list reaches no database
    const lite = await run("--root", root, "--no-check", "--list", "--split-engines");
    const post = await runWith(
      pg,
      "--root",
      root,
      "--db",
      "--no-check",
      "--list",
      "--split-engines",
    );
    assert.equal(lite.code, 0, lite.text);
    assert.equal(post.code, 0, post.text);
    // Split in path order: a b c d (tests/e2e/), then x_agent, y_words.
    assert.deepEqual(listedFiles(lite.stdout).sort(), [
      "modules/db/z_test.ts",
      "modules/reports/r_test.ts",
      "tests/e2e/a_test.ts",
      "tests/e2e/both_test.ts",
      "tests/e2e/c_test.ts",
      "tests/e2e/neutral_test.ts",
      "tests/e2e/no_db_story_test.ts",
      "tests/e2e/pg_only_test.ts",
      "tests/x_agent_test.ts",
      "unit_test.ts",
    ]);
    assert.deepEqual(listedFiles(post.stdout).sort(), [
      "modules/db/z_test.ts",
      "modules/reports/r_test.ts",
      "tests/data_test.ts",
      "tests/e2e/b_test.ts",
      "tests/e2e/both_test.ts",
      "tests/e2e/d_test.ts",
      "tests/e2e/pg_only_test.ts",
      "tests/y_words_test.ts",
    ]);
    // Without the flag, as before: every file on PGlite, every database file on PostgreSQL.
    const whole = await run("--root", root, "--no-check", "--list");
    assert.equal(listedFiles(whole.stdout).length, 14, whole.text);
    const wholeDb = await runWith(pg, "--root", root, "--db", "--no-check", "--list");
    assert.equal(listedFiles(wholeDb.stdout).length, 11, wholeDb.text);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("run_tests.ts --split-engines on this repository: no file left out, each story in one pass, PGlite keeps the data layer", async () => {
  const pg = { [["DATABASE", "URL"].join("_")]: "postgres://nobody@127.0.0.1:1/none" };
  const [all, allDb, lite, post] = await Promise.all([
    run("--no-check", "--list"),
    runWith(pg, "--db", "--no-check", "--list"),
    run("--no-check", "--list", "--split-engines"),
    runWith(pg, "--db", "--no-check", "--list", "--split-engines"),
  ]);
  const files = [all, allDb, lite, post].map((r) => new Set(listedFiles(r.stdout)));
  const [every, everyDb, onLite, onPost] = files;
  assert.ok(every.size > 100 && everyDb.size > 50, `${every.size} and ${everyDb.size} files`);
  for (const file of every) assert.ok(onLite.has(file) || onPost.has(file), `${file} runs nowhere`);
  for (const file of onPost) assert.ok(everyDb.has(file), `${file} is no database test`);
  // Every database test runs on PostgreSQL but the stories PGlite was given.
  for (const file of everyDb) {
    assert.ok(onPost.has(file) || onLite.has(file), `${file} runs nowhere`);
  }
  const stories = [...everyDb].filter((f) => onLite.has(f) && !onPost.has(f));
  // The data layer's own tests run on PostgreSQL (and PGlite) whatever they also drive.
  const dataLayer = [...everyDb].filter((f) =>
    f.startsWith("modules/db/") || f.startsWith("tests/cluster/") || /cluster[^/]*$/.test(f) ||
    f.startsWith("modules/reports/") || f === "tests/reports_test.ts"
  );
  assert.ok(dataLayer.length >= 15, `${dataLayer.length} data-layer files`);
  for (const file of dataLayer) {
    assert.ok(onLite.has(file) && onPost.has(file), `${file} runs on one engine only`);
  }
  // The stories: half on each engine (those on PostgreSQL among its PostgreSQL-only files).
  const onPostOnly = [...everyDb].filter((f) => onPost.has(f) && !onLite.has(f));
  assert.ok(stories.length > 20, `${stories.length} stories on PGlite alone`);
  assert.ok(onPostOnly.length > stories.length + 100, `${onPostOnly.length} on PostgreSQL alone`);
  for (const file of ["modules/support/customer_routes_test.ts", "tests/e2e/lan_connect_test.ts"]) {
    assert.ok(everyDb.has(file), `${file} is a database test`);
  }
  assert.ok(!onLite.has("modules/support/customer_routes_test.ts"), "a route test on PGlite");
});
