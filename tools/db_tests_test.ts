import assert from "node:assert/strict";
import { join } from "node:path";
import { databaseTestFiles, importsOf, testFiles } from "./db_tests.ts";

Deno.test("importsOf() finds static, re-exported, side-effect and literal dynamic imports", () => {
  const source = `import { a } from "./a.ts";
import type { B } from '../b.ts';
export { c } from "./c/mod.ts";
import "./side.ts";
const d = await import("./d.ts");
import postgres from "postgres";`;
  assert.deepEqual(importsOf(source), [
    "./a.ts",
    "../b.ts",
    "./c/mod.ts",
    "./side.ts",
    "./d.ts",
    "postgres",
  ]);
});

Deno.test("databaseTestFiles() counts a test in when anything it imports reaches a database", async () => {
  const root = await Deno.makeTempDir({ prefix: "db-tests-" });
  try {
    const write = async (path: string, text: string) => {
      await Deno.mkdir(join(root, path, ".."), { recursive: true });
      await Deno.writeTextFile(join(root, path), text);
    };
    await write("modules/db/mod.ts", "export const db = 1;\n");
    await write("modules/a/service.ts", 'import { db } from "../db/mod.ts";\n');
    await write("modules/a/mod.ts", 'export * from "./service.ts";\n');
    await write("modules/a/pure.ts", "export const two = 2;\n");
    await write("tools/harness.ts", 'const url = Deno.env.get("DATABASE_URL");\n');
    await write("tools/driver.ts", 'import postgres from "postgres";\n');
    await write("modules/a/through_mod_test.ts", 'import "./mod.ts";\n');
    await write("modules/a/pure_test.ts", 'import { two } from "./pure.ts";\n');
    await write("tools/harness_test.ts", 'import "./harness.ts";\n');
    await write("tools/driver_test.ts", 'const m = await import("./driver.ts");\n');
    await write("agent/x11_test.tsx", 'import "../modules/a/pure.ts";\n');
    await write("agent/main.ts", "export {};\n");
    await write("agent/own_main_test.ts", 'const m = new URL("./main.ts", import.meta.url);\n');
    await write(
      "tests/spawns_server_test.ts",
      'const m = new URL("../main.ts", import.meta.url);\n',
    );
    await write("tests/bench_test.ts", 'const args = ["run", "-A", "main.ts"];\n');
    await write("node_modules/dep/some_test.ts", 'import "../../modules/db/mod.ts";\n');
    await write(
      "tests/render_only_test.ts",
      '/**\n * Pages only.\n * engine-neutral: renders pages\n */\nimport "../modules/a/mod.ts";\n',
    );
    await write(
      "tests/mentions_test.ts",
      'import "../modules/a/mod.ts";\n// engine-neutral:\nDeno.test("reason-less", () => {});\n',
    );

    assert.deepEqual(await testFiles(root), [
      "agent/own_main_test.ts",
      "agent/x11_test.tsx",
      "modules/a/pure_test.ts",
      "modules/a/through_mod_test.ts",
      "tests/bench_test.ts",
      "tests/mentions_test.ts",
      "tests/render_only_test.ts",
      "tests/spawns_server_test.ts",
      "tools/driver_test.ts",
      "tools/harness_test.ts",
    ]);
    // render_only_test says it is engine-neutral (with a reason); an empty one does not count.
    assert.deepEqual(await databaseTestFiles(root), [
      "modules/a/through_mod_test.ts",
      "tests/bench_test.ts",
      "tests/mentions_test.ts",
      "tests/spawns_server_test.ts",
      "tools/driver_test.ts",
      "tools/harness_test.ts",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("databaseTestFiles() of this repository: database tests in, agent and protocol out", async () => {
  const files = new Set(await databaseTestFiles());
  for (const dbTest of ["tests/reports_test.ts", "tools/cluster/harness_test.ts"]) {
    assert.ok(files.has(dbTest), `${dbTest} runs on PostgreSQL`);
  }
  for (const pure of ["agent/media/vp8_test.ts", "protocol/codec_test.ts"]) {
    assert.ok(!files.has(pure), `${pure} runs once, on the first pass`);
  }
  const all = await testFiles();
  assert.ok(all.length > files.size && files.size > 0);
});
