/**
 * Restart and reconnect end to end, on real parts: the real agent (`agent/main.ts`, on an
 * Xvfb display, its HOME a temporary folder) joins by PIN, the technician in Chromium asks
 * for the `reboot` consent, the customer allows it in the agent's own window, the technician
 * restarts, the customer confirms there too → the agent writes its autostart entry and says
 * `restarting` → the session is Rebooting in the queue and the workspace → the agent, whose OS
 * layer exits instead of restarting (`RESCUE_AGENT_RESTART=exit`), is gone and the customer's
 * page is closed, yet the session stays Rebooting past the customer's grace → the test starts
 * the agent again exactly as the autostart entry says (its Exec line and Path) → Active again,
 * same device, the entry gone, the chat intact, and the consent asked again.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { eq } from "drizzle-orm";
import { startTestApp } from "../support/app.ts";
import { clickAndWait, withBrowser } from "../support/browser.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician } from "../support/sessions.ts";
import { startXvfb } from "../../agent/platform/xvfb_test_support.ts";
import { parseExec, readDesktopEntry, unescapeValue } from "../../agent/reboot/desktop_entry.ts";
import { customerStreams, findByToken, readLog } from "../../modules/support/mod.ts";
import { supportSessions } from "../../modules/support/test_support.ts";

const step = (what: string) => console.log(`  · ${what}`);
const row = (id: string) => `#queue tbody tr[data-session="${id}"]`;
const SHOTS = Deno.env.get("E2E_SHOTS"); // a folder: the screenshots are kept there

async function waitStatus(page: Page, id: string, status: string, timeout = 20_000) {
  await page.locator(`${row(id)}[data-status="${status}"]`).waitFor({
    state: "attached",
    timeout,
  });
}

interface RunningAgent {
  child: Deno.ChildProcess;
  page: Promise<string>;
  output: string[];
}

/** Starts a program (the agent), collecting its output; `page` is its window's address. */
function start(program: string, args: string[], cwd: string, env: Record<string, string>) {
  const child = new Deno.Command(program, {
    args,
    cwd,
    env,
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output: string[] = [];
  const page = Promise.withResolvers<string>();
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    for await (
      const line of stream.pipeThrough(
        new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>,
      )
    ) {
      output.push(line);
      if (Deno.env.get("E2E_VERBOSE")) step(`agent: ${line.trim()}`);
      const match = /PAGE (\S+)/.exec(line);
      if (match) page.resolve(match[1]);
    }
  };
  collect(child.stdout);
  collect(child.stderr);
  child.status.then((s) => page.reject(new Error(`the agent exited (${s.code}): ${output}`)));
  return { child, page: page.promise, output } satisfies RunningAgent;
}

async function denoDir(): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).output();
  return JSON.parse(new TextDecoder().decode(out.stdout)).denoDir;
}

async function shoot(page: Page, name: string) {
  if (!SHOTS) return;
  for (const [width, height] of [[1366, 768], [1920, 1080]]) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `${SHOTS}/${name}-${width}.png` });
  }
  await page.setViewportSize({ width: 1366, height: 768 });
}

Deno.test({
  name: "e2e: restart on Xvfb — Rebooting while the agent is gone, back by its autostart entry",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const xvfb = await startXvfb({ width: 1280, height: 720 });
    const work = await Deno.makeTempDir({ prefix: "rescue-reboot-e2e-" });
    const home = `${work}/home`;
    await Deno.mkdir(home);
    const env = {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: home,
      // The temporary HOME would hide deno's cache: keep using the one it has.
      DENO_DIR: await denoDir(),
      DISPLAY: xvfb.display,
      LANG: "en_US.UTF-8",
    };
    const t = await startTestApp();
    customerStreams(t.deps).options.graceMs = 500;
    const agents: RunningAgent[] = [];
    try {
      const ann = await technician(t, { name: "Ann" });
      await withBrowser(t, async ({ base, newPage }) => {
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

        const first = start(
          Deno.execPath(),
          [
            "run",
            "-A",
            "agent/main.ts",
            "--pin",
            pin,
            "--server",
            base,
            "--no-open",
            "--state-dir",
            `${work}/agent-state`,
          ],
          Deno.cwd(),
          { ...env, RESCUE_AGENT_RESTART: "exit" },
        );
        agents.push(first);
        const appWindow = await newPage();
        await appWindow.goto(await first.page);
        await waitStatus(tech, session.id, "waiting");
        const customer = await newPage();
        await customer.goto(`${base}/s/${session.token}`);
        await tech.click(`${row(session.id)} button[data-action=start]`);
        await waitStatus(tech, session.id, "active");
        await tech.locator(`#session-tabs [data-tab-session="${session.id}"]`).click();
        const panel = tech.locator(`#session-${session.id}`);
        await panel.locator(`#chat-input-${session.id}`).fill("I will restart your computer now");
        await panel.locator("form.chat-form button[type=submit]").click();
        await customer.locator("text=I will restart your computer now").waitFor();
        step("agent joined, session Active, chat said");

        // The dialog: no consent yet; ask, the customer allows in the agent's window.
        await panel.locator(".head-menu > summary").click(); // the header's More actions
        await panel.locator("[data-reboot]").click();
        const dialog = tech.locator("#reboot-dialog");
        await dialog.waitFor();
        assert.equal(await dialog.locator("input[value=safe]").isDisabled(), true);
        assert.match(await dialog.textContent() ?? "", /Linux has no safe mode with networking/);
        await dialog.locator(".reboot-consent button").click();
        await appWindow.locator("#allow-reboot").click();
        const restart = dialog.locator(".reboot-consent[data-consent=granted] button[type=submit]");
        await restart.waitFor({ timeout: 10_000 });
        await shoot(tech, "reboot-dialog");
        step("reboot consent granted in the agent's window");

        // Restart: the customer confirms once more in the agent's window.
        await restart.click();
        await dialog.locator("text=confirm the restart in the support app").waitFor();
        await appWindow.locator("#confirms .confirm-allow").waitFor();
        assert.match(
          await appWindow.locator("#confirms").textContent() ?? "",
          /Restart this computer now\. .*sign in to your computer/,
        );
        await shoot(appWindow, "reboot-agent-confirm");
        const confirmed = performance.now();
        await appWindow.locator("#confirms .confirm-allow").click();
        await waitStatus(tech, session.id, "rebooting");
        const rebootingMs = performance.now() - confirmed;
        const badge = panel.locator(".session-status");
        await badge.locator("text=Rebooting").waitFor();
        const gone = await first.child.status;
        assert.equal(gone.code, 0, "the simulated restart ends the agent");
        await customer.close(); // the customer's browser goes down with the computer
        await new Promise((r) => setTimeout(r, 2_000)); // well past the grace (0.5 s)
        await customerStreams(t.deps).idle();
        await waitStatus(tech, session.id, "rebooting");
        assert.equal((await findByToken(t.deps, session.token))!.customerState, "connected");
        await tech.locator("#dialog [data-close-dialog]").click().catch(() => {});
        await shoot(tech, "reboot-rebooting");
        step(
          `Rebooting in the queue ${rebootingMs.toFixed(0)} ms after the confirmation; agent gone`,
        );

        // The computer is back and the customer signed in: the desktop session runs the entry.
        const entryPath = `${home}/.config/autostart/rescue-agent-resume.desktop`;
        const entry = readDesktopEntry(await Deno.readTextFile(entryPath));
        const exec = parseExec(entry.get("Exec")!);
        assert.ok(exec.includes("--link") && exec.includes(link), `by link: ${exec}`);
        assert.ok(!exec.includes("--pin"), "not by the used PIN");
        const started = performance.now();
        const second = start(exec[0], exec.slice(1), unescapeValue(entry.get("Path")!), env);
        agents.push(second);
        await waitStatus(tech, session.id, "active", 40_000);
        const backMs = performance.now() - started;
        await badge.locator("text=Active").waitFor();
        for (let i = 0; i < 50 && await Deno.stat(entryPath).then(() => true, () => false); i++) {
          await new Promise((r) => setTimeout(r, 100));
        }
        assert.equal(
          await Deno.stat(entryPath).then(() => true, () => false),
          false,
          "the autostart entry runs once",
        );
        step(
          `agent back by its autostart entry, session Active ${backMs.toFixed(0)} ms after start`,
        );

        // Same device, nothing lost, consent asked again.
        const log = await readLog(t.deps.db, session.id);
        const devices = log.filter((l) => l.body === "log.agentConnected")
          .map((l) => l.data.deviceId);
        assert.equal(devices.length, 2);
        assert.equal(devices[0], devices[1], "the same device id");
        const [stored] = await t.deps.db.select({ deviceId: supportSessions.deviceId })
          .from(supportSessions).where(eq(supportSessions.id, session.id));
        assert.equal(stored.deviceId, devices[0]);
        assert.deepEqual(
          log.map((l) => l.body).filter((b) => b.startsWith("log.reboot")),
          ["log.rebootRequested.normal", "log.rebootStarted", "log.rebootBack"],
        );
        assert.equal(log.filter((l) => l.body === "I will restart your computer now").length, 1);
        const again = await newPage();
        await again.goto(`${base}/s/${session.token}`);
        await again.locator("text=I will restart your computer now").waitFor();
        const state = await tech.evaluate(
          async (id) => await (await fetch(`/console/sessions/${id}/agent/state`)).json(),
          session.id,
        );
        assert.equal(state.present, true);
        assert.equal(state.consent.reboot, "off", "the new agent process grants nothing yet");
        await panel.locator(".head-menu > summary").click(); // the header's More actions
        await panel.locator("[data-reboot]").click();
        await tech.locator("#reboot-dialog .reboot-consent[data-consent=off]").waitFor();
        await shoot(tech, "reboot-back");
        step("chat intact, same device, consent to be asked again");

        await tech.locator("#dialog [data-close-dialog]").click();
        tech.once("dialog", (ask) => ask.accept()); // "End this session?"
        await tech.click(`${row(session.id)} button[data-action=end]`);
        const ended = await Promise.race([
          second.child.status,
          new Promise<null>((resolve) => setTimeout(() => resolve(null), 15_000)),
        ]);
        assert.equal(ended?.code, 0, "the resumed agent ends with the session");
      });
    } catch (error) {
      for (const agent of agents) console.error(agent.output.join("").slice(-3000));
      throw error;
    } finally {
      for (const agent of agents) {
        try {
          agent.child.kill("SIGTERM");
          await agent.child.status;
        } catch {
          // gone already
        }
      }
      await customerStreams(t.deps).idle();
      await t.close();
      await xvfb.stop();
      await Deno.remove(work, { recursive: true });
    }
  },
});
