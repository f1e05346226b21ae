/**
 * The Windows customer end to end, on real parts: the official Windows Deno runtime (npm
 * `@deno/win32-x64`) under Wine on a private Xvfb (agent/platform/wine_test_support.ts), the
 * real server and Chromium for the technician and for the customer's browser, which says it is
 * Windows. A technician makes a PIN session → the customer types the PIN, follows "get the
 * support app" and is offered the Windows zip → the test saves the download, unpacks it and
 * starts its launcher `Remote support.cmd` through Wine's cmd.exe → the session is Waiting,
 * the technician starts it, the chat goes both ways → the technician asks to run scripts,
 * the customer allows it in the app's own window, the technician's page says so.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { startTestApp } from "../support/app.ts";
import { clickAndWait, withBrowser } from "../support/browser.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician } from "../support/sessions.ts";
import { startFromQueue } from "../support/agent_e2e.ts";
import { findByToken } from "../../modules/support/mod.ts";
import { defaultPermissions } from "../../modules/permissions/mod.ts";
import { startXvfb } from "../../agent/platform/xvfb_test_support.ts";
import { startWine, wineMissing } from "../../agent/platform/wine_test_support.ts";

const WINDOWS_UA =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) " +
  "Chrome/150.0.0.0 Safari/537.36";
const SHOTS = Deno.env.get("E2E_SHOTS"); // a folder: the screenshots are kept there
const step = (what: string) => console.log(`  · ${what}`);

const missing = await wineMissing();
if (missing) console.warn(`windows_agent_test: ${missing} — ignored`);

async function shoot(page: Page, name: string) {
  if (!SHOTS) return;
  await Deno.mkdir(SHOTS, { recursive: true });
  for (const [width, height] of [[1366, 768], [1920, 1080]]) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `${SHOTS}/${name}-${width}.png` });
  }
  await page.setViewportSize({ width: 1366, height: 768 });
}

/** A Windows program's output, collected; `page` is the agent's window's address. */
function collect(child: Deno.ChildProcess) {
  const output: string[] = [];
  const page = Promise.withResolvers<string>();
  const read = async (stream: ReadableStream<Uint8Array>) => {
    const lines = stream.pipeThrough(
      new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>,
    );
    for await (const line of lines) {
      output.push(line);
      if (Deno.env.get("E2E_VERBOSE")) step(`agent: ${line.trim()}`);
      const match = /PAGE (\S+)/.exec(line);
      if (match) page.resolve(match[1]);
    }
  };
  read(child.stdout);
  read(child.stderr);
  child.status.then((s) => page.reject(new Error(`the app exited (${s.code}): ${output}`)));
  return { output, page: page.promise };
}

Deno.test({
  name: "e2e: a Windows customer — the zip offered, unpacked and run under Wine, chat and consent",
  ignore: missing !== null || Deno.build.os !== "linux" || Deno.build.arch !== "x86_64",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const xvfb = await startXvfb({ width: 1024, height: 640 });
    const wine = await startWine(xvfb.display);
    const work = await Deno.makeTempDir({ prefix: "rescue-windows-e2e-" });
    const t = await startTestApp();
    let app: Deno.ChildProcess | null = null;
    let output: string[] = [];
    try {
      // The server's Windows runtime, as `deno task fetch:runtimes` puts it (kept in a cache
      // between runs, shared with agent_package_platforms_test).
      const { fetchRuntime } = await import("../../tools/fetch_runtimes.ts");
      const cache = join(Deno.env.get("HOME") ?? "/tmp", ".cache", "rescue-runtimes");
      const runtime = await fetchRuntime(cache, "windows-x64");
      const runtimes = join(t.deps.config.dataDir, "runtimes", "windows-x64");
      await Deno.mkdir(runtimes, { recursive: true });
      await Deno.symlink(runtime, join(runtimes, "deno.exe"));
      const ann = await technician(t, {
        name: "Ann",
        permissions: [...defaultPermissions(), "scriptsDeploy"],
      });

      await withBrowser(t, async ({ base, browser, newPage }) => {
        (t.deps.config as { publicUrl: string }).publicUrl = base;
        const tech = await newPage();
        await tech.setViewportSize({ width: 1366, height: 768 });
        await tech.goto(`${base}/signin`);
        await tech.fill("#email", ann.email);
        await tech.fill("#password", TECH_PASSWORD);
        await clickAndWait(tech, "button[type=submit]");
        await tech.waitForFunction(() => "htmx" in globalThis);
        await tech.click("button[data-method=pin]");
        await tech.fill("#ns-name", "Carol");
        await tech.click("#new-session-form button[type=submit]");
        const pin = (await tech.locator("#created-pin").textContent())!.trim();
        const link = (await tech.locator("#created-link").textContent())!.trim();
        const session = (await findByToken(t.deps, link.split("/s/")[1]))!;

        // ---- the customer's Windows browser: the PIN, the chat page, the app's download ----
        const context = await browser.newContext({
          userAgent: WINDOWS_UA,
          locale: "en-US",
          acceptDownloads: true,
        });
        context.setDefaultTimeout(30_000);
        const customer = await context.newPage();
        await customer.setViewportSize({ width: 1366, height: 768 });
        await customer.goto(`${base}/pin`);
        await customer.fill("#pin", pin);
        await clickAndWait(customer, "form[action='/pin'] button[type=submit]");
        assert.equal(new URL(customer.url()).pathname, `/s/${session.token}`);
        await clickAndWait(customer, "#agent-download");
        const offer = customer.locator("#agent-download-page");
        const text = (await offer.textContent())!;
        assert.match(text, /The support app for Windows\./);
        assert.match(text, /double-click "Remote support\.cmd"/);
        const start = customer.locator("#agent-download-start");
        assert.match(
          (await start.getAttribute("href"))!,
          new RegExp(`^/s/${session.token}/agent\\?download=1&platform=windows-x64$`),
        );
        assert.equal(
          await start.getAttribute("download"),
          `remote-support-${session.token}.zip`,
        );
        await shoot(customer, "windows-download");
        const [download] = await Promise.all([
          customer.waitForEvent("download", { timeout: 120_000 }),
          start.click(),
        ]);
        const zip = join(work, download.suggestedFilename());
        await download.saveAs(zip);
        step(`the Windows zip offered and saved (${(await Deno.stat(zip)).size} bytes)`);

        const unzip = await new Deno.Command("unzip", { args: ["-q", zip, "-d", work] })
          .output();
        assert.ok(unzip.success, new TextDecoder().decode(unzip.stderr));
        const dir = join(work, "rescue-agent");
        assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
          "README.txt",
          "Remote support.cmd",
          "agent.js",
          "deno.exe",
          "rescue.json",
        ]);
        // Wine 8 only: the package's deno.exe is swapped for the harness's copy that runs on
        // Wine 8, and its bcryptprimitives.dll (ProcessPrng) put beside it — the two gaps
        // wine_test_support.ts describes. Everything else is the package as customers get it.
        await Deno.copyFile(wine.deno, join(dir, "deno.exe"));
        await Deno.copyFile(
          join(wine.deno, "..", "bcryptprimitives.dll"),
          join(dir, "bcryptprimitives.dll"),
        );

        // ---- the launcher, as a double-click runs it: cmd.exe /c "Remote support.cmd" ----
        app = wine.spawn(
          "cmd",
          ["/c", wine.winPath(join(dir, "Remote support.cmd")), "--no-open"],
          {
            stdout: "piped",
            stderr: "piped",
          },
        );
        const run = collect(app);
        output = run.output;
        const appWindow = await newPage();
        await appWindow.goto(await run.page);
        await appWindow.locator("#consent").waitFor();
        step("the app started from its launcher under Wine; its window opened");

        const space = await startFromQueue(tech, session.id);
        await space.locator(`#chat-input-${session.id}`).fill("Hello from your technician");
        await space.locator("form.chat-form button[type=submit]").click();
        await customer.goto(`${base}/s/${session.token}`);
        await customer.locator("text=Hello from your technician").waitFor();
        await customer.fill("#customer-chat-input", "Hello from Windows");
        await customer.locator("#customer-chat-form button[type=submit]").click();
        await space.locator("text=Hello from Windows").waitFor();
        step("session Active, chat both ways");

        // ---- consent in the app's window (scripts: offered on Windows without a desktop) ----
        await space.locator('[role=tab][data-tool="scripts"]').click();
        const scripts = space.locator(`#scripts-${session.id}`);
        await scripts.locator("[data-scripts-ask]").click();
        await appWindow.locator("#allow-scripts").click();
        await scripts.locator('[data-scripts-consent]:has-text("allows scripts")').waitFor();
        step("scripts allowed in the app's window");
        await context.close();
      });
    } catch (error) {
      console.error(output.join(""));
      throw error;
    } finally {
      await wine.stop(); // ends every Windows program of the prefix, the app too
      if (app) await (app as Deno.ChildProcess).status;
      await t.close();
      await xvfb.stop();
      await Deno.remove(work, { recursive: true }).catch(() => {});
    }
  },
});
