import assert from "node:assert/strict";
import { join } from "node:path";
import {
  estimateSeconds,
  fileSeconds,
  guessSeconds,
  planJobs,
  takeSlot,
  workerDatabaseUrl,
} from "./run_tests_plan.ts";

/** Runs tools/run_tests.ts with `args` in a cleared environment; its exit code and output. */
async function run(...args: string[]): Promise<{ code: number; text: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./run_tests.ts", import.meta.url).pathname, ...args],
    clearEnv: true, // no DATABASE_URL: these files are not database tests
    env: Object.fromEntries(
      ["PATH", "HOME", "DENO_DIR"].flatMap((k) => Deno.env.has(k) ? [[k, Deno.env.get(k)!]] : []),
    ),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, text };
}

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
    const all = await run("--root", root, "--jobs", "2", "--no-check", "--save-durations");
    assert.equal(all.code, 1, all.text);
    assert.match(all.text, /3 test files \(pglite\) in 1 jobs/);
    assert.match(all.text, /marker-a/);
    assert.match(all.text, /marker-b/);
    assert.match(all.text, /marker-c/);
    assert.doesNotMatch(all.text, /not a test file/);
    assert.match(all.text, /FAILED jobs:\n {2}.*sub\/b_test\.ts/);
    const saved = JSON.parse(await Deno.readTextFile(join(root, "tests/durations/pglite.json")));
    assert.deepEqual(Object.keys(saved).sort(), ["a_test.ts", "c.test.ts", "sub/b_test.ts"]);

    // Now measured (b the slowest on record), each its own job when the target allows it.
    await write(
      "tests/durations/pglite.json",
      '{"a_test.ts":30,"c.test.ts":30,"sub/b_test.ts":31}',
    );
    const split = await run("--root", root, "--jobs", "2", "--no-check", "--list");
    assert.equal(split.code, 0, split.text);
    assert.deepEqual(split.text.trim().split("\n").map((l) => l.split("\t")[1]), [
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
    const jobs = listed.text.trim().split("\n").map((line) => {
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
