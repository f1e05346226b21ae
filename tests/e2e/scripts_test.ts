/**
 * Scripts end to end, on real parts: the real agent program (`agent/main.ts`) on an Xvfb
 * display, the real server, Chromium for the technician and for the agent's own window.
 *
 * The technician adds scripts to the library in the browser (one with a resource file, one
 * that sleeps past its 2-second limit, one to run at session start) → starts a session, opens the Scripts tab, asks →
 * the customer allows scripts in the agent's window → the start script runs once → the first: the agent's window asks
 * about this very script, the customer allows, the output (the resource file's contents read
 * from the script's folder) appears live while the script still runs, then the exit code and
 * the download; the session log and the audit entry (the script's SHA-256) have it → the
 * second is stopped at its time limit → a third is stopped by the technician. Screenshots at
 * 1366×768 and 1920×1080 go to SCRIPTS_SHOTS (or /tmp).
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { and, eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { startTestApp } from "../support/app.ts";
import { clickAndWait, withBrowser } from "../support/browser.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician } from "../support/sessions.ts";
import { closeAgentWorld, runAgent, startFromQueue } from "../support/agent_e2e.ts";
import { startXvfb } from "../../agent/platform/xvfb_test_support.ts";
import { findByToken, readLog } from "../../modules/support/mod.ts";
import { auditLog } from "../../modules/audit/mod.ts";
import { defaultPermissions } from "../../modules/permissions/mod.ts";
import { scriptRuns } from "../../modules/scripts/mod.ts";

async function waitFor(what: string, check: () => Promise<boolean>, ms = 15_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const SHOTS = Deno.env.get("SCRIPTS_SHOTS") ?? "/tmp";
const step = (what: string) => console.log(`  · ${what}`);

const HELLO = [
  "#!/bin/sh",
  'echo "folder: $(ls | tr "\\n" " ")"',
  "cat notes.txt",
  'echo "a warning" >&2',
  "sleep 3",
  "echo finished-after-sleep",
  "exit 7",
  "",
].join("\n");
const RESOURCE = "resource line from notes.txt\n";
const SLOW = "#!/bin/sh\necho slow-start\nsleep 60\necho never\n";
/**
 * Stopped (at its 2 s limit, or by the technician) against run to SLOW's end at 60 s: the
 * bound sits halfway, far from both, so a loaded machine's slow stop cannot read as a miss
 * (9 s was the bound before, with a browser, the agent and Xvfb sharing 2 CPUs).
 */
const STOPPED_WITHIN = 30_000;

async function sha256(text: string) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function addScript(
  page: Page,
  base: string,
  s: {
    name: string;
    file: string;
    text: string;
    limit: number;
    resource?: string;
    atStart?: boolean;
  },
) {
  await page.goto(`${base}/console/scripts`);
  const form = page.locator("#script-form form");
  await form.locator("input[name=name]").fill(s.name);
  await form.locator("input[name=script]").setInputFiles({
    name: s.file,
    mimeType: "text/x-sh",
    buffer: Buffer.from(s.text),
  });
  if (s.resource) {
    await form.locator("input[name=resource]").setInputFiles({
      name: "notes.txt",
      mimeType: "text/plain",
      buffer: Buffer.from(s.resource),
    });
  }
  await form.locator("select[name=targetOs]").selectOption("linux");
  await form.locator("input[name=timeoutSeconds]").fill(String(s.limit));
  if (s.atStart) await form.locator("input[name=runAtStart]").check();
  await clickAndWait(page, "#script-form button[type=submit]");
  await page.locator(".flash.info:has-text('Script added.')").waitFor();
}

Deno.test({
  name:
    "e2e: scripts on Xvfb — library, consent, live output with the resource, exit code, time limit, stop",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const xvfb = await startXvfb({ width: 1280, height: 720 });
    const work = await Deno.makeTempDir({ prefix: "rescue-scripts-e2e-" });
    const t = await startTestApp();
    let agent: Deno.ChildProcess | null = null;
    try {
      const ann = await technician(t, {
        name: "Ann",
        permissions: [...defaultPermissions(), "scriptsDeploy"],
      });
      await withBrowser(t, async ({ base, newPage }) => {
        (t.deps.config as { publicUrl: string }).publicUrl = base;
        const tech = await newPage();
        await tech.setViewportSize({ width: 1366, height: 768 });
        await tech.goto(`${base}/signin`);
        await tech.fill("#email", ann.email);
        await tech.fill("#password", TECH_PASSWORD);
        await clickAndWait(tech, "button[type=submit]");

        await addScript(tech, base, {
          name: "Hello with notes",
          file: "hello.sh",
          text: HELLO,
          limit: 30,
          resource: RESOURCE,
        });
        await addScript(tech, base, { name: "Too slow", file: "slow.sh", text: SLOW, limit: 2 });
        await addScript(tech, base, { name: "Stop me", file: "stop.sh", text: SLOW, limit: 600 });
        await addScript(tech, base, {
          name: "Start check",
          file: "start.sh",
          text: "echo start-script-ran\n",
          limit: 10,
          atStart: true,
        });
        await tech.screenshot({ path: `${SHOTS}/scripts_library_1366.png`, fullPage: true });
        await tech.setViewportSize({ width: 1920, height: 1080 });
        await tech.screenshot({ path: `${SHOTS}/scripts_library_1920.png`, fullPage: true });
        await tech.setViewportSize({ width: 1366, height: 768 });
        step("four scripts in the library");

        await tech.goto(`${base}/console`);
        await tech.waitForFunction(() => "htmx" in globalThis);
        await tech.click("button[data-method=pin]");
        await tech.fill("#ns-name", "Carol");
        await tech.click("#new-session-form button[type=submit]");
        const pin = (await tech.locator("#created-pin").textContent())!.trim();
        const link = (await tech.locator("#created-link").textContent())!.trim();
        const session = (await findByToken(t.deps, link.split("/s/")[1]))!;

        const customerApp = runAgent({
          pin,
          server: base,
          display: xvfb.display,
          stateDir: `${work}/agent-state`,
          env: { TMPDIR: work },
        });
        agent = customerApp.agent;
        const appWindow = await newPage();
        await appWindow.goto(await customerApp.page);
        await appWindow.locator("#consent").waitFor();
        const workspace = await startFromQueue(tech, session.id);
        step("agent attached, session started");
        await workspace.locator('[role=tab][data-tool="scripts"]').click();
        const panel = workspace.locator(`#scripts-${session.id}`);
        // A run-at-start script is waiting: opening the session asked the customer already.
        await panel.locator('[data-scripts-consent]:has-text("Waiting for the customer")')
          .waitFor();
        assert.equal(await panel.locator("[data-scripts-ask]").isVisible(), false);
        await appWindow.locator("#allow-scripts").click();
        await panel.locator('[data-scripts-consent]:has-text("allows scripts")').waitFor();
        step("customer allows scripts");

        // The run-at-start script comes first, once: asked by name, then it runs.
        const question = appWindow.locator("[data-confirm] .detail");
        await question.waitFor({ timeout: 10_000 });
        assert.match(await question.textContent() ?? "", /Run the script “Start check”/);
        await appWindow.locator("[data-confirm] .confirm-allow").click();
        await waitFor("the start script's end", async () => {
          const runs = await t.deps.db.select().from(scriptRuns)
            .where(eq(scriptRuns.sessionId, session.id));
          return runs.length === 1 && runs[0].trigger === "start" && runs[0].status === "finished";
        });
        await question.waitFor({ state: "detached" });
        step("the run-at-start script ran once the customer allowed scripts");

        // Run the first: the agent's window asks about this very script.
        await panel.locator("select[name=script]").selectOption({
          label: "Hello with notes (Linux, 30 seconds)",
        });
        await panel.locator(".script-run-form button[type=submit]").click();
        await question.waitFor({ timeout: 10_000 });
        assert.match(await question.textContent() ?? "", /Run the script “Hello with notes”/);
        const run = panel.locator(".script-run");
        assert.match(await run.locator("[data-run-status]").textContent() ?? "", /Running/);
        await appWindow.locator("[data-confirm] .confirm-allow").click();
        const output = run.locator(".script-output");
        await output.filter({ hasText: "resource line from notes.txt" }).waitFor({
          timeout: 15_000,
        });
        // Live: the resource's line is there while the script still sleeps.
        assert.match(await run.locator("[data-run-status]").textContent() ?? "", /Running/);
        assert.doesNotMatch(await output.textContent() ?? "", /finished-after-sleep/);
        assert.match(await output.textContent() ?? "", /folder: hello\.sh notes\.txt/);
        await tech.screenshot({ path: `${SHOTS}/scripts_running_1366.png` });
        step("output streams live, with the resource file beside the script");

        await run.locator('[data-run-status]:has-text("Finished")').waitFor({ timeout: 15_000 });
        assert.match(await output.textContent() ?? "", /finished-after-sleep/);
        assert.equal(await output.locator(".stderr").textContent(), "a warning\n");
        assert.equal(await run.locator("[data-run-exit]").textContent(), "Exit code 7");
        assert.equal(await run.locator("[data-run-stop]").count(), 0);
        const download = run.locator("[data-run-download]");
        assert.equal(await download.isVisible(), true);
        const href = (await download.getAttribute("href"))!;
        const whole = await tech.evaluate((url) => fetch(url).then((r) => r.text()), href);
        assert.match(whole, /resource line from notes\.txt[\s\S]*a warning[\s\S]*finished-after/);
        await tech.screenshot({ path: `${SHOTS}/scripts_finished_1366.png` });
        await tech.setViewportSize({ width: 1920, height: 1080 });
        await tech.screenshot({ path: `${SHOTS}/scripts_finished_1920.png` });
        await tech.setViewportSize({ width: 1366, height: 768 });

        // In the session log (exit code and output) and the audit log (the script's SHA-256).
        const lines = await readLog(t.deps.db, session.id);
        const finished = lines.find((l) =>
          l.body === "log.scripts.finished" && l.data.script === "Hello with notes"
        );
        assert.ok(finished, "the end is in the session log");
        assert.equal(finished.data.exitCode, 7);
        assert.match(String(finished.data.output), /resource line from notes\.txt/);
        const audits = await t.deps.db.select().from(auditLog).where(and(
          eq(auditLog.action, "session.script_run"),
          eq(auditLog.target, session.id),
        ));
        const details = audits.map((a) => a.details as Record<string, unknown>)
          .find((d) => d.script === "Hello with notes")!;
        assert.equal(details.scriptSha256, await sha256(HELLO));
        assert.equal(details.resourceSha256, await sha256(RESOURCE));
        await workspace.locator('[role=tab][data-tool="chat"]').click();
        await workspace.locator('.session-log :text("finished with exit code 7")').waitFor();
        await workspace.locator("[role=tab][data-tool=scripts]").click();
        step("exit code and output in the log, SHA-256 in the audit entry");

        // Past its limit: stopped.
        await panel.locator("select[name=script]").selectOption({
          label: "Too slow (Linux, 2 seconds)",
        });
        await panel.locator(".script-run-form button[type=submit]").click();
        await question.waitFor({ timeout: 10_000 });
        const started = Date.now();
        await appWindow.locator("[data-confirm] .confirm-allow").click();
        await run.locator('[data-run-status]:has-text("Stopped at its time limit")').waitFor({
          timeout: STOPPED_WITHIN + 15_000,
        });
        const took = Date.now() - started;
        assert.ok(took >= 1800 && took < STOPPED_WITHIN, `stopped after ${took} ms`);
        assert.doesNotMatch(await run.locator(".script-output").textContent() ?? "", /never/);
        step(`a script past its 2 s limit is stopped (${took} ms)`);

        // Stopped by the technician.
        await panel.locator("select[name=script]").selectOption({
          label: "Stop me (Linux, 600 seconds)",
        });
        await panel.locator(".script-run-form button[type=submit]").click();
        await question.waitFor({ timeout: 10_000 });
        await appWindow.locator("[data-confirm] .confirm-allow").click();
        await run.locator(".script-output").filter({ hasText: "slow-start" }).waitFor({
          timeout: 10_000,
        });
        await run.locator("[data-run-stop] button").click();
        await run.locator('[data-run-status]:has-text("Stopped")').waitFor({
          timeout: STOPPED_WITHIN,
        });
        const ends = (await readLog(t.deps.db, session.id)).map((l) => l.body)
          .filter((b) => b.startsWith("log.scripts.") && b !== "log.scripts.started");
        assert.deepEqual(ends, [
          "log.scripts.finished",
          "log.scripts.finished",
          "log.scripts.timedOut",
          "log.scripts.stopped",
        ]);
        // Every private folder is gone.
        const left = (await Array.fromAsync(Deno.readDir(work))).map((e) => e.name)
          .filter((n) => n.startsWith("rescue-script-"));
        assert.deepEqual(left, []);
        await tech.screenshot({ path: `${SHOTS}/scripts_stopped_1366.png` });
        step("stopped by the technician; folders removed");
      });
    } finally {
      await closeAgentWorld({ agent, app: t, xvfb, work });
    }
  },
});
