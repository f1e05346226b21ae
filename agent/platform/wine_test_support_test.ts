import assert from "node:assert/strict";
import { exitAndOutput } from "./wine_test_support.ts";

Deno.test("a program's output is had when it exits, though a child it left holds its pipes", async () => {
  // The shell exits at once; the sleep it leaves behind keeps stdout and stderr open, as Wine's
  // services keep a program's when it started them.
  const child = new Deno.Command("sh", {
    args: ["-c", "echo out; echo 'Grüße' >&2; sleep 30 & echo $!"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const started = performance.now();
  const out = await exitAndOutput(child);
  const took = performance.now() - started;
  const [line, pid] = out.stdout.trim().split("\n");
  Deno.kill(Number(pid), "SIGKILL");
  assert.equal(out.code, 0);
  assert.equal(line, "out");
  assert.equal(out.stderr, "Grüße\n");
  assert.ok(took < 10_000, `took ${took} ms`);
});

Deno.test("a program whose pipes end with it: its whole output and exit code", async () => {
  const child = new Deno.Command("sh", {
    args: ["-c", "yes x | head -c 300000; exit 4"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const out = await exitAndOutput(child);
  assert.equal(out.code, 4);
  assert.equal(out.stdout.length, 300_000);
  assert.equal(out.stdout.replaceAll("x\n", "").length, 0, "only the lines written");
});
