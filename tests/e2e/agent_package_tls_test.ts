/**
 * The portable support app against a server whose certificate a private CA signed (a throwaway
 * one, made now with openssl): with TLS_CA_FILE the download over the server's own HTTPS
 * carries the authority as `ca.pem`, and the launcher — started with a clean environment on
 * Xvfb, as a customer starts it — hands it to Deno (DENO_CERT): the app joins its session over
 * wss. The same folder without `ca.pem` is refused in words (the certificate is not signed by
 * an authority the computer trusts), so it is the file that made the difference.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startLauncher } from "../support/agent_e2e.ts";
import { startTestApp } from "../support/app.ts";
import { eventually } from "../support/eventually.ts";
import { technician } from "../support/sessions.ts";
import { makeTestCa } from "../support/tls_certs.ts";
import { createPrivateSession, findByToken, readLog } from "../../modules/support/mod.ts";
import { listen } from "../../modules/listen/mod.ts";
import { startXvfb } from "../../agent/platform/xvfb_test_support.ts";

/** The app may take a minute to start from the package on a loaded machine. */
const waitFor = (what: string, check: () => Promise<boolean>) => eventually(what, check, 60_000);
const LINUX_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/150.0 Safari/537.36";

Deno.test({
  name: "e2e: the Linux package from an https server with a private CA trusts it (ca.pem) " +
    "and joins; without the file it says why it cannot",
  ignore: Deno.build.os !== "linux" || Deno.build.arch !== "x86_64",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const ca = await makeTestCa("Helpdesk private CA");
    const leaf = await ca.issue("localhost");
    const xvfb = await startXvfb({ width: 800, height: 600 });
    const work = await Deno.makeTempDir({ prefix: "rescue-package-tls-e2e-" });
    const t = await startTestApp({
      env: {
        TLS_CERT_FILE: leaf.certFile,
        TLS_KEY_FILE: leaf.keyFile,
        TLS_CA_FILE: ca.caFile,
        HOST: "127.0.0.1",
      },
    });
    const server = listen(t.deps.config, t.app.fetch, {
      log: { info() {}, warn() {} },
      watchMs: 0,
    });
    const base = `https://localhost:${server.port}`;
    (t.deps.config as { publicUrl: string }).publicUrl = base;
    const client = Deno.createHttpClient({ caCerts: [ca.caPem] });
    let agent: Deno.ChildProcess | null = null;
    const output: string[] = [];
    try {
      const tech = await technician(t);
      const session = async (name: string) =>
        (await createPrivateSession(t.deps, tech, {
          method: "link",
          customerName: name,
          fields: {},
        }))
          .session;
      const carol = await session("Carol");
      const response = await fetch(`${base}/s/${carol.token}/agent?download=1`, {
        headers: { "user-agent": LINUX_UA, accept: "text/html" },
        client,
      });
      assert.equal(response.status, 200);
      const archive = join(work, "package.tar.gz");
      await Deno.writeFile(archive, response.body!);
      const untar = await new Deno.Command("tar", { args: ["xzf", archive, "-C", work] }).output();
      assert.ok(untar.success, new TextDecoder().decode(untar.stderr));
      const dir = join(work, "rescue-agent");
      assert.equal(await Deno.readTextFile(join(dir, "ca.pem")), ca.caPem.trim() + "\n");
      const config = JSON.parse(await Deno.readTextFile(join(dir, "rescue.json")));
      assert.equal(config.server, base);
      const launcher = await Deno.readTextFile(join(dir, "rescue-agent.sh"));
      assert.match(launcher, /DENO_TLS_CA_STORE=mozilla,system/);

      const home = join(work, "home");
      await Deno.mkdir(home);
      const env = { PATH: "/usr/bin:/bin", HOME: home, DISPLAY: xvfb.display, LANG: "C.UTF-8" };

      // The same app without the authority: refused, and said why.
      const bare = join(work, "bare");
      await new Deno.Command("cp", { args: ["-a", dir, bare] }).output();
      await Deno.remove(join(bare, "ca.pem"));
      const dave = await session("Dave");
      await Deno.writeTextFile(
        join(bare, "rescue.json"),
        JSON.stringify({ server: base, link: `${base}/s/${dave.token}` }),
      );
      const refused = await new Deno.Command(join(bare, "rescue-agent.sh"), {
        args: ["--no-open"],
        clearEnv: true,
        env,
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(60_000),
      }).output();
      const said = new TextDecoder().decode(refused.stderr);
      assert.equal(refused.success, false, said);
      assert.match(said, /not signed by an authority this computer trusts/);
      assert.equal(
        (await findByToken(t.deps, dave.token))?.customerState,
        "pending",
        "never joined",
      );

      // The package as downloaded: the launcher trusts ca.pem, the app joins over wss.
      agent = startLauncher(dir, env, output);
      await waitFor(
        "the agent joined",
        async () =>
          (await readLog(t.deps.db, carol.id)).some((l) => l.body === "log.agentConnected"),
      );
      // The log line is written a few awaits before customerState (agent_gateway.ts): wait.
      await waitFor(
        "the session says the customer is connected",
        async () => (await findByToken(t.deps, carol.token))?.customerState === "connected",
      );
      await waitFor(
        "the agent says it is connected",
        () => Promise.resolve(/STATUS connected/.test(output.join(""))),
      );
    } catch (error) {
      console.error(output.join("").slice(-3000));
      throw error;
    } finally {
      if (agent) {
        try {
          agent.kill("SIGTERM");
        } catch { /* gone */ }
        await agent.status;
      }
      client.close();
      await Promise.race([server.shutdown(), new Promise((r) => setTimeout(r, 3_000))]);
      await t.close();
      await xvfb.stop();
      await ca.remove();
      await Deno.remove(work, { recursive: true }).catch(() => {});
    }
  },
});
