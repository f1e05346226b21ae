// Scripts on a Windows customer: the real scripts.run handler in the official Windows Deno under
// Wine (windows_scripts_fixture.ts, bundled as the app is): the customer is asked by the
// script's name; a .cmd whose name has a space runs in cmd.exe beside its resource (also with a
// space), its output — lines with umlauts, CRLF, stdout and stderr apart — and exit code come
// back and its folder is gone afterwards; a declined script runs nothing; a .ps1 where there is
// no working PowerShell (Wine's powershell.exe prints nothing and exits 0) is refused in words
// instead of "succeeding".
import assert from "node:assert/strict";
import { join } from "node:path";
import { startXvfb } from "../platform/xvfb_test_support.ts";
import { startWine, tails, wineMissing } from "../platform/wine_test_support.ts";

const missing = await wineMissing();
if (missing) console.warn(`windows_scripts_test: ${missing} — ignored`);
const FIXTURE = new URL("./windows_scripts_fixture.ts", import.meta.url).pathname;

type Bundle = (options: Record<string, unknown>) => Promise<{
  success: boolean;
  errors: { text: string }[];
  outputFiles?: { path: string; contents?: Uint8Array }[];
}>;

const CHECK_DISK = [
  "@echo off",
  "echo Hello from %COMPUTERNAME%",
  "echo Grüße aus Köln",
  "echo folder=%~dp0",
  'type "notes file.txt"',
  "echo to stderr 1>&2",
  "dir /b",
  "exit /b 3",
  "",
].join("\r\n");

function request(fileName: string, script: string, resource: string | null = null) {
  return JSON.stringify({
    kind: "scripts.run",
    name: fileName.replace(/\.\w+$/, ""),
    fileName,
    targetOs: "windows",
    script,
    resource: resource === null
      ? null
      : { fileName: "notes file.txt", base64: new TextEncoder().encode(resource).toBase64() },
    timeoutSeconds: 30,
  });
}

Deno.test({
  name:
    "scripts.run on Windows under Wine: a .cmd's output, exit code and consent; no PowerShell said",
  ignore: missing !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const bundled = await (Deno as unknown as { bundle: Bundle }).bundle({
      entrypoints: [FIXTURE],
      outputDir: "/fixture",
      platform: "deno",
      format: "esm",
      minify: false,
      write: false,
    });
    const code = bundled.outputFiles?.find((f) => f.path.endsWith(".js"))?.contents;
    assert.ok(bundled.success && code, bundled.errors.map((e) => e.text).join("; "));
    const work = await Deno.makeTempDir({ prefix: "winscripts-" });
    await Deno.writeFile(join(work, "fixture.js"), code);
    const xvfb = await startXvfb({ width: 640, height: 480 });
    const wine = await startWine(xvfb.display);
    // deno-lint-ignore no-explicit-any
    const run = async (json: string, answer: "allow" | "decline"): Promise<any> => {
      // Each run makes its own script folder: run again when Wine killed it (KILLED).
      const out = await wine.runDeno(
        ["run", "--no-config", "-A", wine.winPath(join(work, "fixture.js")), json, answer],
        {},
        { again: true },
      );
      assert.equal(out.code, 0, tails(out, 2000));
      return JSON.parse(out.stdout.trim().split("\n").at(-1)!);
    };
    try {
      const ran = await run(request("Check disk.cmd", CHECK_DISK, "Invoice 42\r\n"), "allow");
      assert.deepEqual(ran.asked, [
        "Run the script “Check disk” on your computer, with your user's rights, for at most 30 seconds.",
      ]);
      const r = ran.result;
      assert.equal(r.exitCode, 3, JSON.stringify(r));
      assert.equal(r.command[0], "C:\\windows\\system32\\cmd.exe", JSON.stringify(r.command));
      assert.match(
        r.command.at(-1),
        /^C:\\users\\[^\\]+\\Temp\\rescue-script-\w+\\Check disk\.cmd$/,
      );
      const lines = r.stdout.split("\r\n");
      assert.match(lines[0], /^Hello from \S+$/);
      assert.equal(lines[1], "Grüße aus Köln", JSON.stringify(r.stdout));
      assert.match(lines[2], /^folder=C:\\users\\[^\\]+\\Temp\\rescue-script-\w+\\$/);
      assert.deepEqual(lines.slice(3), ["Invoice 42", "Check disk.cmd", "notes file.txt", ""]);
      assert.equal(r.stderr, "to stderr \r\n");
      // What streamed is what the result keeps.
      const streamed = (stream: string) =>
        ran.outputs.filter((o: { stream: string }) => o.stream === stream)
          .map((o: { text: string }) => o.text).join("");
      assert.equal(streamed("stdout"), r.stdout);
      assert.equal(streamed("stderr"), r.stderr);
      // The private folder is gone.
      const temp = lines[2].replace(/^folder=C:\\/, "").replace(/\\rescue-script-\w+\\$/, "");
      const left = [...Deno.readDirSync(join(wine.prefix, "drive_c", ...temp.split("\\")))]
        .filter((e) => e.name.startsWith("rescue-script-"));
      assert.deepEqual(left, []);

      const declined = await run(request("Check disk.cmd", CHECK_DISK), "decline");
      assert.equal(declined.asked.length, 1);
      assert.deepEqual(declined.outputs, []);
      assert.equal(declined.error.code, "declined", JSON.stringify(declined));

      const ps = await run(request("Inventory.ps1", "Write-Output 'hello'\r\n"), "allow");
      assert.equal(ps.error.code, "no_interpreter", JSON.stringify(ps));
      assert.match(
        ps.error.message,
        /^PowerShell does not work on this computer: C:\\windows\\system32\\WindowsPowerShell\\v1\.0\\powershell\.exe did not say its version, so a \.ps1 script cannot run here$/i,
      );
      assert.deepEqual(ps.outputs, []);
    } finally {
      await wine.stop();
      await xvfb.stop();
      await Deno.remove(work, { recursive: true });
    }
  },
});
