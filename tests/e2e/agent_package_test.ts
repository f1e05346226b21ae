/**
 * Issue 18: the support app as a download a customer can run with nothing installed. The test
 * downloads the Linux package for a session over HTTP, unpacks it with `tar`, and starts its
 * launcher on Xvfb with a clean environment (PATH=/usr/bin:/bin — no Node, npx, Deno or this
 * repository — and an empty HOME): the agent joins, the session goes Connecting → Waiting.
 * A configuration whose link points at another server is refused by the agent.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startTestApp } from "../support/app.ts";
import { serveLoopback } from "../support/browser.ts";
import { technician } from "../support/sessions.ts";
import { createPrivateSession, findByToken, readLog } from "../../modules/support/mod.ts";
import { liveRows } from "../../modules/support/test_support.ts";
import { startXvfb } from "../../agent/platform/xvfb_test_support.ts";

const LINUX_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/150.0 Safari/537.36";

async function waitFor(what: string, check: () => Promise<boolean>, ms = 60_000) {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

Deno.test({
  name: "e2e: the Linux package downloads, runs with no toolchain on Xvfb and joins its session",
  ignore: Deno.build.os !== "linux" || Deno.build.arch !== "x86_64",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const xvfb = await startXvfb({ width: 800, height: 600 });
    const work = await Deno.makeTempDir({ prefix: "rescue-package-e2e-" });
    const t = await startTestApp();
    const server = serveLoopback(t.app.fetch);
    (t.deps.config as { publicUrl: string }).publicUrl = server.base;
    let agent: Deno.ChildProcess | null = null;
    const output: string[] = [];
    try {
      const tech = await technician(t);
      const { session } = await createPrivateSession(t.deps, tech, {
        method: "link",
        customerName: "Carol",
        fields: {},
      });
      assert.deepEqual((await liveRows(t, session.id)).map((r) => r.status), ["connecting"]);

      // Unknown or ended sessions get no package.
      const unknown = await fetch(`${server.base}/s/nosuchtoken123/agent`, {
        headers: { "user-agent": LINUX_UA },
      });
      assert.equal(unknown.status, 404);
      await unknown.body?.cancel();

      // A browser opening the link gets the page with the size and the download button.
      const page = await fetch(`${server.base}/s/${session.token}/agent`, {
        headers: { "user-agent": LINUX_UA, accept: "text/html" },
      });
      const html = await page.text();
      assert.match(html, /id="agent-download-start" href="[^"]*download=1&amp;platform=linux-x64"/);
      assert.match(html, /Download \(\d+ MB\)/);
      const response = await fetch(`${server.base}/s/${session.token}/agent?download=1`, {
        headers: { "user-agent": LINUX_UA, accept: "text/html" },
      });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-type"), "application/gzip");
      const size = Number(response.headers.get("content-length"));
      const archive = join(work, "package.tar.gz");
      await Deno.writeFile(archive, response.body!);
      assert.equal((await Deno.stat(archive)).size, size, "the announced size is the size");
      const untar = await new Deno.Command("tar", { args: ["xzf", archive, "-C", work] }).output();
      assert.ok(untar.success, new TextDecoder().decode(untar.stderr));
      const dir = join(work, "rescue-agent");
      const files = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
      assert.deepEqual(files, [
        "README.txt",
        "Remote support.desktop",
        "agent.js",
        "deno",
        "rescue-agent.sh",
        "rescue.json",
      ]);
      const config = JSON.parse(await Deno.readTextFile(join(dir, "rescue.json")));
      assert.deepEqual(config, { server: server.base, link: `${server.base}/s/${session.token}` });

      // A tampered configuration (its link on another server) is refused by the agent.
      await Deno.writeTextFile(
        join(work, "tampered.json"),
        JSON.stringify({ server: server.base, link: "http://127.0.0.2:9/s/abcdefgh12345678" }),
      );
      const home = join(work, "home");
      await Deno.mkdir(home);
      const env = { PATH: "/usr/bin:/bin", HOME: home, DISPLAY: xvfb.display, LANG: "C.UTF-8" };
      const refused = await new Deno.Command(join(dir, "rescue-agent.sh"), {
        args: ["--config", join(work, "tampered.json"), "--no-open"],
        clearEnv: true,
        env,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(refused.success, false);
      assert.match(new TextDecoder().decode(refused.stderr), /another server/i);

      // The launcher, as the customer starts it: nothing on PATH but the system's tools.
      agent = new Deno.Command(join(dir, "rescue-agent.sh"), {
        args: ["--no-open"],
        clearEnv: true,
        env,
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const collect = async (stream: ReadableStream<Uint8Array>) => {
        for await (
          const chunk of stream.pipeThrough(
            new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>,
          )
        ) output.push(chunk);
      };
      collect(agent.stdout);
      collect(agent.stderr);
      await waitFor(
        "the agent joined",
        async () =>
          (await readLog(t.deps.db, session.id)).some((l) => l.body === "log.agentConnected"),
      );
      await waitFor(
        "the session is Waiting",
        async () => (await liveRows(t, session.id)).map((r) => r.status).join() === "waiting",
      );
      assert.equal((await findByToken(t.deps, session.token))?.customerState, "connected");
      await waitFor(
        "the agent says it is connected",
        () => Promise.resolve(/STATUS connected/.test(output.join(""))),
      );

      // Without an X display (a Wayland-only session, say) the app still joins, for the chat
      // and the other tools, and says in plain words why the screen cannot be shared.
      const { session: second } = await createPrivateSession(t.deps, tech, {
        method: "link",
        customerName: "Dave",
        fields: {},
      });
      await Deno.writeTextFile(
        join(work, "second.json"),
        JSON.stringify({ server: server.base, link: `${server.base}/s/${second.token}` }),
      );
      const headless = new Deno.Command(join(dir, "rescue-agent.sh"), {
        args: ["--config", join(work, "second.json"), "--no-open"],
        clearEnv: true,
        env: { PATH: "/usr/bin:/bin", HOME: home, LANG: "C.UTF-8" },
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const said: string[] = [];
      const listen = async (stream: ReadableStream<Uint8Array>) => {
        for await (
          const chunk of stream.pipeThrough(
            new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>,
          )
        ) said.push(chunk);
      };
      listen(headless.stdout);
      listen(headless.stderr);
      try {
        await waitFor(
          "the app without a display joined",
          async () =>
            (await readLog(t.deps.db, second.id)).some((l) => l.body === "log.agentConnected"),
        );
        await waitFor(
          "it said why",
          () =>
            Promise.resolve(/not available on this computer: no X11 display was found/.test(
              said.join(""),
            )),
        );
      } finally {
        headless.kill("SIGTERM");
        await headless.status;
      }
    } catch (error) {
      console.error(output.join(""));
      throw error;
    } finally {
      try {
        agent?.kill("SIGTERM");
        await agent?.status;
      } catch { /* already gone */ }
      await server.close();
      await t.close();
      await xvfb.stop();
      await Deno.remove(work, { recursive: true }).catch(() => {});
    }
  },
});

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
