import assert from "node:assert/strict";
import { join } from "node:path";
import {
  fileSeconds,
  guessSeconds,
  planJobs,
  takeSlot,
  workerDatabaseUrl,
} from "./run_tests_plan.ts";

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
    const run = async (...args: string[]) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", new URL("./run_tests.ts", import.meta.url).pathname, ...args],
        clearEnv: true, // no DATABASE_URL: these files are not database tests
        env: Object.fromEntries(
          ["PATH", "HOME", "DENO_DIR"].flatMap((k) =>
            Deno.env.has(k) ? [[k, Deno.env.get(k)!]] : []
          ),
        ),
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      return { code: out.code, text };
    };
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
