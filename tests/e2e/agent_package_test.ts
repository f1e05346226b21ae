/**
 * Issue 18: the support app as a download a customer can run with nothing installed. The test
 * downloads the Linux package for a session over HTTP, unpacks it with `tar`, and starts its
 * launcher on Xvfb with a clean environment (PATH=/usr/bin:/bin — no Node, npx, Deno or this
 * repository — and an empty HOME): the agent joins, the session goes Connecting → Waiting.
 * A configuration whose link points at another server is refused by the agent. The Windows and
 * macOS packages' contents are checked in agent_package_platforms_test.ts.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startLauncher } from "../support/agent_e2e.ts";
import { startTestApp } from "../support/app.ts";
import { eventually } from "../support/eventually.ts";
import { serveLoopback } from "../support/browser.ts";
import { technician } from "../support/sessions.ts";
import { createPrivateSession, findByToken, readLog } from "../../modules/support/mod.ts";
import { liveRows } from "../../modules/support/test_support.ts";
import { startXvfb } from "../../agent/platform/xvfb_test_support.ts";

/**
 * The app may take a minute to start from the package on a loaded machine. Every 200 ms, as
 * before: the session's log says the app connected (agent_gateway.ts `#attach`) a moment before
 * `customerState` does, so a quicker poll reads the state too early ("pending" on PostgreSQL).
 */
const waitFor = (what: string, check: () => Promise<boolean>) =>
  eventually(what, check, 60_000, 200);
const LINUX_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/150.0 Safari/537.36";

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
      agent = startLauncher(dir, env, output);
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
