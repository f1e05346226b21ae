import assert from "node:assert/strict";
import { againWhenKilled, exitAndOutput, tails } from "./wine_output_test_support.ts";

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

Deno.test("a run killed with SIGKILL is run again after `again`, once; other ends are kept", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // The program kills itself the first time (as wineserver would), and answers the second.
    const program = (count: string) => () =>
      exitAndOutput(
        new Deno.Command("sh", {
          args: ["-c", `echo >> ${count}; [ $(wc -l < ${count}) -gt 1 ] || kill -9 $$; echo ok`],
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).spawn(),
      );
    const againCalls: string[] = [];
    const again = () => {
      againCalls.push("again");
      return Promise.resolve();
    };
    const twice = await againWhenKilled("sh", program(`${dir}/a`), again);
    assert.deepEqual([twice.code, twice.signal, twice.stdout], [0, null, "ok\n"]);
    assert.deepEqual(againCalls, ["again"]);
    // Without `again`, the kill is the answer, with its signal and the output's tails.
    const killed = await againWhenKilled("sh", program(`${dir}/b`));
    assert.deepEqual([killed.code, killed.signal], [137, "SIGKILL"]);
    assert.match(tails(killed), /^exit 137 \(SIGKILL\)\nstdout …\nstderr …$/);
    // A program's own failure is not run again.
    const failed = await againWhenKilled(
      "sh",
      () =>
        exitAndOutput(
          new Deno.Command("sh", { args: ["-c", "exit 3"], stdout: "piped", stderr: "piped" })
            .spawn(),
        ),
      again,
    );
    assert.deepEqual([failed.code, againCalls.length], [3, 1]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
