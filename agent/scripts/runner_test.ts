// The script runner on this machine's real processes: the resource file beside the script,
// output streamed while the script still runs, the time limit and a stop killing the whole
// process group, the private folder gone afterwards, and refusals before anything runs.
import assert from "node:assert/strict";
import { join } from "node:path";
import type { OpContext, OpEnv } from "../ops/mod.ts";
import { OpFailure } from "../ops/mod.ts";
import type { OpRequest } from "../../protocol/mod.ts";
import { RESOURCE_MAX_BYTES, type ScriptOutput } from "../../protocol/scripts.ts";
import { scriptRunHandler } from "./handlers.ts";
import { runScript, SCRIPT_STREAM_MAX } from "./runner.ts";
import { scriptCommand } from "./interpreter.ts";

type Run = OpRequest<"scripts.run">;
const env: OpEnv = {
  os: "linux",
  serverUrl: "http://x.test",
  token: "t",
  dataDir: "/tmp",
  log() {},
};

function request(script: string, extra: Partial<Run> = {}): Run {
  return {
    kind: "scripts.run",
    name: "Test script",
    fileName: "run.sh",
    targetOs: "linux",
    script,
    resource: null,
    timeoutSeconds: 20,
    ...extra,
  };
}

interface Seen {
  events: (ScriptOutput & { at: number })[];
  asked: string[];
}

function context(answer: boolean, controller = new AbortController()) {
  const seen: Seen = { events: [], asked: [] };
  const ctx: OpContext<"scripts.run"> = {
    signal: controller.signal,
    emit: (event) => seen.events.push({ ...event, at: performance.now() }),
    confirm: (detail) => {
      seen.asked.push(detail);
      return Promise.resolve(answer);
    },
    log() {},
  };
  return { ctx, seen, controller };
}

async function withRoot<T>(fn: (root: string) => Promise<T>): Promise<T> {
  const root = await Deno.makeTempDir({ prefix: "script-runner-test-" });
  try {
    return await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

const handler = (root: string) => scriptRunHandler(env, { tempRoot: root, language: "en" });
const entries = async (dir: string) =>
  (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name);
const alive = (pid: number) => {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
};

async function waitFor(check: () => boolean, ms = 5000) {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) assert.fail("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("scripts.run asks about the script by name, runs it beside its resource, streams its output and removes the folder", async () => {
  await withRoot(async (root) => {
    const { ctx, seen } = context(true);
    const script = [
      "#!/bin/sh",
      'echo "cwd=$(pwd)"',
      "cat data.txt",
      'echo "to stderr" >&2',
      "sleep 1",
      "echo second",
      "exit 3",
    ].join("\n");
    const resource = { fileName: "data.txt", base64: btoa("resource contents\n") };
    const started = performance.now();
    const result = await handler(root)(request(script, { resource }), ctx);
    const ended = performance.now();
    assert.deepEqual(seen.asked, [
      "Run the script “Test script” on your computer, with your user's rights, for at most 20 seconds.",
    ]);
    assert.equal(result.exitCode, 3);
    assert.equal(result.timedOut, false);
    assert.match(result.stdout, /^cwd=.*rescue-script-.*\nresource contents\nsecond\n$/);
    assert.equal(result.stderr, "to stderr\n");
    const streamed = seen.events.filter((e) => e.stream === "stdout").map((e) => e.text).join("");
    assert.equal(streamed, result.stdout);
    // The first line reached the technician while the script still slept.
    const first = seen.events.find((e) => e.text.includes("resource contents"))!;
    assert.ok(first.at - started < ended - started - 700, "first output streamed before the end");
    assert.deepEqual(await entries(root), [], "the private folder is gone");
    assert.equal(result.outputChars, result.stdout.length + result.stderr.length);
  });
});

Deno.test("runScript() makes a private 0700 folder and writes the script there", async () => {
  await withRoot(async (root) => {
    let folderMode = 0;
    const result = await runScript(request("ls -l run.sh | cut -c1-10"), null, {
      os: "linux",
      signal: new AbortController().signal,
      emit() {},
      tempRoot: root,
      onFolder: (path) => folderMode = Deno.statSync(path).mode! & 0o777,
    });
    assert.equal(folderMode, 0o700);
    assert.equal(result.stdout, "-rwx------\n");
    assert.deepEqual(result.command.slice(0, 1), ["/bin/sh"]);
  });
});

Deno.test("scripts.run stops a script at its time limit and kills what it started", async () => {
  await withRoot(async (root) => {
    const { ctx } = context(true);
    const script = "sleep 60 &\necho child=$!\nsleep 60\necho never\n";
    const started = performance.now();
    const result = await handler(root)(request(script, { timeoutSeconds: 1 }), ctx);
    const took = performance.now() - started;
    assert.equal(result.timedOut, true);
    assert.equal(result.exitCode, null);
    assert.equal(result.signal, "SIGTERM");
    // At its 1 s limit, not after the script's 60 s sleep: the bound sits halfway, far from
    // both, so a loaded machine's slow kill (5 s was the bound before) cannot read as a miss.
    assert.ok(took >= 900 && took < 30_000, `stopped after ${took} ms`);
    assert.doesNotMatch(result.stdout, /never/);
    const child = Number(/child=(\d+)/.exec(result.stdout)?.[1]);
    assert.ok(child > 0);
    await waitFor(() => !alive(child));
    assert.deepEqual(await entries(root), []);
  });
});

Deno.test("scripts.run: a stop from the technician kills the whole process group", async () => {
  await withRoot(async (root) => {
    const { ctx, seen, controller } = context(true);
    const script = "trap '' TERM\nsleep 60 &\necho child=$!\nwhile true; do sleep 1; done\n";
    const running = handler(root)(request(script), ctx);
    await waitFor(() => seen.events.some((e) => e.text.includes("child=")));
    const child = Number(/child=(\d+)/.exec(seen.events.map((e) => e.text).join(""))?.[1]);
    assert.ok(alive(child));
    controller.abort();
    // The script ignores SIGTERM: after the grace the group gets SIGKILL.
    const result = await running;
    assert.equal(result.stopped, true);
    assert.equal(result.timedOut, false);
    assert.equal(result.signal, "SIGKILL");
    await waitFor(() => !alive(child));
    assert.deepEqual(await entries(root), []);
  });
});

Deno.test("scripts.run runs nothing the customer declined, nor for another OS, nor oversized", async () => {
  await withRoot(async (root) => {
    const marker = join(root, "ran");
    const script = `touch ${marker}`;
    const refused = async (run: Run, answer: boolean, code: string) => {
      const { ctx, seen } = context(answer);
      await assert.rejects(
        handler(root)(run, ctx),
        (error) => error instanceof OpFailure && error.code === code,
      );
      return seen;
    };
    assert.match((await refused(request(script), false, "declined")).asked[0], /“Test script”/);
    const windows = await refused(request(script, { targetOs: "windows" }), true, "wrong_os");
    assert.deepEqual(windows.asked, [], "not even asked");
    const big = btoa(String.fromCharCode(...new Uint8Array(1024))).repeat(
      Math.ceil(RESOURCE_MAX_BYTES / 1024) + 1,
    );
    await refused(
      request(script, { resource: { fileName: "big.bin", base64: big.replaceAll("=", "A") } }),
      true,
      "too_large",
    );
    await refused(
      request(script, { resource: { fileName: "run.sh", base64: "" } }),
      true,
      "invalid",
    );
    await assert.rejects(Deno.stat(marker), Deno.errors.NotFound);
    assert.deepEqual(await entries(root), []);
  });
});

Deno.test("scripts.run: output past the streaming cap keeps only its end, the script runs on", async () => {
  await withRoot(async (root) => {
    const { ctx, seen } = context(true);
    const lines = Math.ceil(SCRIPT_STREAM_MAX / 100) + 2000;
    const script =
      `i=0; line=$(printf '%099d' 0)\nwhile [ $i -lt ${lines} ]; do echo $line; i=$((i+1)); done\necho END`;
    const result = await handler(root)(request(script, { timeoutSeconds: 60 }), ctx);
    const streamed = seen.events.reduce((n, e) => n + e.text.length, 0);
    assert.equal(streamed, SCRIPT_STREAM_MAX);
    assert.ok(seen.events.every((e) => e.text.length <= 16 * 1024));
    assert.equal(result.outputChars, lines * 100 + 4);
    assert.match(result.stdout, /END\n$/);
    assert.equal(result.exitCode, 0);
  });
});

Deno.test("scriptCommand() picks the interpreter from the #! line, the extension and the OS", () => {
  assert.deepEqual(scriptCommand("linux", "/t/a.sh", "echo"), ["/bin/sh", "/t/a.sh"]);
  assert.deepEqual(scriptCommand("linux", "/t/a.py", "print(1)"), ["python3", "/t/a.py"]);
  assert.deepEqual(scriptCommand("linux", "/t/a", "#!/usr/bin/env python3\r\nx"), [
    "/usr/bin/env",
    "python3",
    "/t/a",
  ]);
  assert.deepEqual(scriptCommand("darwin", "/t/a", "#!/bin/bash\n"), ["/bin/bash", "/t/a"]);
  assert.equal(scriptCommand("linux", "/t/a", "#!bash\n"), undefined, "relative #! refused");
  assert.deepEqual(scriptCommand("windows", "C:\\t\\a.ps1", "x")?.at(-2), "-File");
  assert.equal(scriptCommand("windows", "C:\\t\\a.sh", "x"), undefined);
});
