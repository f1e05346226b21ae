// The Windows backend is imported by mod.ts on every system: importing it must need no
// permission (Deno.UnsafePointer.create needs --allow-ffi; a program that only imports the
// platform module, or a test run with fewer permissions, must not fail at the import).
import assert from "node:assert/strict";

Deno.test("agent/platform/mod.ts imports without --allow-ffi", async () => {
  const script = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    const mod = new URL("./mod.ts", import.meta.url).href;
    await Deno.writeTextFile(script, `import ${JSON.stringify(mod)};\nconsole.log("imported");\n`);
    const out = await new Deno.Command(Deno.execPath(), {
      // The repository's config (its npm packages for the agent's strings), no permission.
      args: [
        "run",
        "--no-prompt",
        "--config",
        new URL("../../deno.json", import.meta.url).pathname,
        script,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder();
    assert.equal(text.decode(out.stdout).trim(), "imported", text.decode(out.stderr).slice(-600));
  } finally {
    await Deno.remove(script);
  }
});
