/**
 * engine-neutral: it checks the packages' contents; the session is only there to give them a link.
 * Issue 18: the Windows and macOS packages of the support app (their Linux sibling runs on Xvfb
 * in agent_package_test.ts): Deno's official runtime for the system, the bundled app, the
 * session's configuration and the system's launcher, downloaded over HTTP like a customer's
 * browser would. Kept apart from the Linux test (which runs on both engines) because nothing
 * here reads what an engine could store differently: it runs once, on PGlite (tools/db_tests.ts);
 * compressing two runtimes of ~100 MB costs seconds of CPU a pass.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startTestApp } from "../support/app.ts";
import { serveLoopback } from "../support/loopback.ts";
import { technician } from "../support/sessions.ts";
import { createPrivateSession } from "../../modules/support/mod.ts";

Deno.test({
  name:
    "the Windows and macOS packages hold the runtime, the app, the session's config and their launcher",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    // Deno's runtimes for those systems from npm (@deno/win32-x64, @deno/darwin-arm64), kept in
    // a cache between runs.
    const { fetchRuntime } = await import("../../tools/fetch_runtimes.ts");
    const cache = join(Deno.env.get("HOME") ?? "/tmp", ".cache", "rescue-runtimes");
    const t = await startTestApp();
    const server = serveLoopback(t.app.fetch);
    (t.deps.config as { publicUrl: string }).publicUrl = server.base;
    const work = await Deno.makeTempDir({ prefix: "rescue-packages-" });
    try {
      for (const platform of ["windows-x64", "darwin-arm64"] as const) {
        const runtime = await fetchRuntime(cache, platform);
        const dir = join(t.deps.config.dataDir, "runtimes", platform);
        await Deno.mkdir(dir, { recursive: true });
        await Deno.symlink(runtime, join(dir, runtime.endsWith(".exe") ? "deno.exe" : "deno"));
      }
      const tech = await technician(t);
      const { session } = await createPrivateSession(t.deps, tech, {
        method: "link",
        customerName: "Erin",
        fields: {},
      });
      const config = { server: server.base, link: `${server.base}/s/${session.token}` };

      // Windows: a zip whose every entry checks out (CRC), the .cmd launcher in CRLF.
      const win = await fetch(`${server.base}/s/${session.token}/agent`, {
        headers: { "user-agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/150.0" },
      });
      assert.equal(win.status, 200);
      assert.equal(win.headers.get("content-type"), "application/zip");
      const zip = join(work, "win.zip");
      await Deno.writeFile(zip, win.body!);
      const py = (code: string) =>
        new Deno.Command("python3", { args: ["-c", code, zip], stdout: "piped" }).output();
      const listed = await py(
        "import sys,zipfile,json;z=zipfile.ZipFile(sys.argv[1]);assert z.testzip() is None;" +
          "print(json.dumps({'names':sorted(z.namelist())," +
          "'config':json.loads(z.read('rescue-agent/rescue.json'))," +
          "'cmd':z.read('rescue-agent/Remote support.cmd').decode()," +
          "'exe':z.getinfo('rescue-agent/deno.exe').file_size}))",
      );
      assert.ok(listed.success, "the zip opens and every CRC matches");
      const content = JSON.parse(new TextDecoder().decode(listed.stdout));
      assert.deepEqual(content.names, [
        "rescue-agent/README.txt",
        "rescue-agent/Remote support.cmd",
        "rescue-agent/agent.js",
        "rescue-agent/deno.exe",
        "rescue-agent/rescue.json",
      ]);
      assert.deepEqual(content.config, config);
      assert.match(content.cmd, /\r\n"%~dp0deno\.exe" run --no-remote .*"%~dp0agent\.js" --config/);
      const runtime = await Deno.stat(join(cache, "runtimes", "windows-x64", "deno.exe"));
      assert.equal(content.exe, runtime.size, "the whole runtime is in");

      // macOS: a tar.gz with an executable .command launcher.
      const mac = await fetch(`${server.base}/s/${session.token}/agent?arch=arm64`, {
        headers: { "user-agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 15_1) Safari/605.1" },
      });
      assert.equal(mac.status, 200);
      const tgz = join(work, "mac.tar.gz");
      await Deno.writeFile(tgz, mac.body!);
      const list = await new Deno.Command("tar", { args: ["tvzf", tgz], stdout: "piped" }).output();
      assert.ok(list.success);
      const lines = new TextDecoder().decode(list.stdout).trim().split("\n");
      const launcher = lines.find((l) => l.endsWith("Remote support.command"));
      assert.match(launcher ?? "", /^-rwxr-xr-x/, "the launcher is executable");
      assert.ok(lines.some((l) => / rescue-agent\/deno$/.test(l) && l.startsWith("-rwxr-xr-x")));
      await new Deno.Command("tar", { args: ["xzf", tgz, "-C", work] }).output();
      assert.deepEqual(
        JSON.parse(await Deno.readTextFile(join(work, "rescue-agent/rescue.json"))),
        config,
      );

      // Bad input: an unknown system gets a clear page and no package.
      const unknown = await fetch(`${server.base}/s/${session.token}/agent?platform=beos-m68k`);
      assert.equal(unknown.status, 404);
      assert.match(await unknown.text(), /There is no support app for that system/);
    } finally {
      await server.close();
      await t.close();
      await Deno.remove(work, { recursive: true }).catch(() => {});
    }
  },
});
