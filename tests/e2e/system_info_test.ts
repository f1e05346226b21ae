/**
 * System information end to end, on real parts: the real agent program (`agent/main.ts`) on an
 * Xvfb display reading this machine through its Linux layer, the real server, and Chromium for
 * the technician and for the agent's own window.
 *
 * The technician opens the System tab and asks → the customer allows in the agent's window →
 * the dashboard shows this machine as `uname`, /proc/meminfo and `df` see it → a process the
 * test started is ended from the Processes view: the technician confirms, the customer
 * confirms in the agent's window ("sleep", its PID), the process is gone, the session log and
 * the audit log say so → bad input (an unknown PID, a service name with shell
 * metacharacters) is refused with nothing run and nothing asked → the snapshot is saved into
 * the session's files. Screenshots at 1366×768 and 1920×1080 go to SYSINFO_SHOTS (or /tmp).
 */
import assert from "node:assert/strict";
import { and, eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { startTestApp } from "../support/app.ts";
import { clickAndWait, withBrowser } from "../support/browser.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician } from "../support/sessions.ts";
import { closeAgentWorld, pinSessionWithAgent, startFromQueue } from "../support/agent_e2e.ts";
import { startXvfb } from "../../agent/platform/xvfb_test_support.ts";
import { readLog } from "../../modules/support/mod.ts";
import { sessionFiles } from "../../modules/support/test_support.ts";
import { auditLog } from "../../modules/audit/mod.ts";

const SHOTS = Deno.env.get("SYSINFO_SHOTS") ?? "/tmp";
const step = (what: string) => console.log(`  · ${what}`);

async function sh(command: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command(command, { args, stdout: "piped" }).output();
  return new TextDecoder().decode(out.stdout).trim();
}

async function alive(pid: number): Promise<boolean> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    return !/\) Z /.test(stat);
  } catch {
    return false;
  }
}

/** A POST from the technician's page, as htmx would send it (CSRF header, form body). */
function post(page: Page, path: string, form: Record<string, string>) {
  return page.evaluate(async ([path, form]) => {
    const token = JSON.parse(document.body.getAttribute("hx-headers") ?? "{}")["X-CSRF-Token"];
    const res = await fetch(path, {
      method: "POST",
      headers: { "X-CSRF-Token": token, "HX-Request": "true" },
      body: new URLSearchParams(form),
    });
    return { status: res.status, text: await res.text() };
  }, [path, form] as const);
}

Deno.test({
  name:
    "e2e: system information on Xvfb — consent, this machine's dashboard, end a process, refusals",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const xvfb = await startXvfb({ width: 1280, height: 720 });
    const work = await Deno.makeTempDir({ prefix: "rescue-sysinfo-e2e-" });
    const t = await startTestApp();
    let agent: Deno.ChildProcess | null = null;
    const victim = new Deno.Command("sleep", { args: ["600"] }).spawn();
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
        const { session, customerApp, appWindow } = await pinSessionWithAgent(
          t.deps,
          tech,
          newPage,
          {
            base,
            display: xvfb.display,
            stateDir: `${work}/agent-state`,
          },
        );
        agent = customerApp.agent;
        const workspace = await startFromQueue(tech, session.id);
        step("agent attached, session started");
        await workspace.locator('[role=tab][data-tool="system"]').click();
        const panel = workspace.locator(`[data-sysinfo="${session.id}"]`);
        await panel.waitFor();
        await panel.locator('.sysinfo-consent-text:has-text("has not been asked")').waitFor();
        assert.equal(await panel.locator(".sysinfo-bar").isVisible(), false);
        step("System tab: not asked yet");

        // Asked → the agent's window asks; the console says it waits; Allow there.
        await panel.locator(".sysinfo-ask button").click();
        await panel.locator('.sysinfo-consent-text:has-text("Waiting for the customer")')
          .waitFor();
        await appWindow.locator("#allow-systemInfo").click();
        await panel.locator('.sysinfo-consent-text:has-text("allows reading")').waitFor();
        step("customer allowed");

        // The dashboard: this machine's own values.
        const dashboard = panel.locator('[data-view="dashboard"]');
        await dashboard.waitFor({ timeout: 20_000 });
        assert.equal(
          await dashboard.locator('[data-fact="kernel"]').textContent(),
          await sh("uname", "-r"),
        );
        assert.equal(
          await dashboard.locator('[data-fact="machine"]').textContent(),
          await sh("uname", "-m"),
        );
        assert.equal(
          await dashboard.locator('[data-fact="hostname"]').textContent(),
          await sh("uname", "-n"),
        );
        const memTotal =
          /^MemTotal:\s+(\d+) kB/m.exec(await Deno.readTextFile("/proc/meminfo"))![1];
        assert.equal(
          await dashboard.locator('[data-fact="memory"]').getAttribute("data-total"),
          String(Number(memTotal) * 1024),
        );
        const df = (await sh("df", "-B1", "--output=size,avail", "/")).split("\n")[1].trim()
          .split(/\s+/).map(Number);
        const rootRow = dashboard.locator('[data-card="disks"] tr[data-row="/"]');
        assert.equal(Number(await rootRow.locator("td").nth(3).getAttribute("data-sort")), df[0]);
        const shownFree = Number(await rootRow.locator("td").nth(4).getAttribute("data-sort"));
        assert.ok(
          Math.abs(shownFree - df[1]) < 256 * 1024 * 1024,
          `free ${shownFree} vs df ${df[1]}`,
        );
        const release = await Deno.readTextFile("/etc/os-release");
        assert.equal(
          await dashboard.locator('[data-fact="os"]').textContent(),
          /^PRETTY_NAME="?([^"\n]*)"?/m.exec(release)![1],
        );
        assert.equal(
          await dashboard.locator('[data-fact="user"]').textContent(),
          await sh("id", "-un"),
        );
        assert.equal(await dashboard.locator('[data-card="top"] tbody tr').count(), 5);
        // This virtual machine has no DMI tables: said so, with where the agent looked.
        if (!await Deno.stat("/sys/class/dmi/id").catch(() => null)) {
          assert.match(
            await dashboard.locator('[data-card="computer"]').textContent() ?? "",
            /Not available: the source is missing\. \/sys\/class\/dmi\/id does not exist\./,
          );
        }
        step("dashboard shows this machine");
        await tech.screenshot({ path: `${SHOTS}/sysinfo_dashboard_1366.png` });
        await tech.setViewportSize({ width: 1920, height: 1080 });
        await tech.screenshot({ path: `${SHOTS}/sysinfo_dashboard_1920.png` });

        // Processes: the test's `sleep 600` is listed; sorting by PID puts rows in order.
        await panel.locator('.sysinfo-view[data-view="processes"]').click();
        const victimRow = panel.locator(`[data-view="processes"] tr[data-row="${victim.pid}"]`);
        await victimRow.waitFor({ timeout: 20_000 });
        assert.match(await victimRow.textContent() ?? "", /sleep 600/);
        await panel.locator('[data-view="processes"] th button[data-sort-col="0"]').click();
        const pids = await panel.locator('[data-view="processes"] tbody tr').evaluateAll((rows) =>
          rows.map((r) => Number((r as HTMLTableRowElement).cells[0].dataset.sort))
        );
        assert.deepEqual(pids, [...pids].sort((a, b) => a - b));
        await tech.screenshot({ path: `${SHOTS}/sysinfo_processes_1920.png` });
        await tech.setViewportSize({ width: 1366, height: 768 });
        await tech.screenshot({ path: `${SHOTS}/sysinfo_processes_1366.png` });
        step("processes listed and sorted");

        // End it: the technician confirms, then the customer in the agent's window.
        const asked = Promise.withResolvers<string>();
        tech.once("dialog", (dialog) => {
          asked.resolve(dialog.message());
          dialog.accept();
        });
        await victimRow.locator('button[data-end="term"]').click();
        assert.match(await asked.promise, new RegExp(`End process ${victim.pid} \\(sleep\\)`));
        const question = appWindow.locator("[data-confirm] .detail");
        await question.waitFor({ timeout: 10_000 });
        assert.equal(
          await question.textContent(),
          `End the program “sleep” (process ${victim.pid}).`,
        );
        assert.equal(await alive(victim.pid), true, "nothing happens before the customer says yes");
        await appWindow.locator("[data-confirm] .confirm-allow").click();
        await panel.locator(`.sysinfo-notice:has-text("Process ${victim.pid} (sleep) has ended.")`)
          .waitFor({ timeout: 15_000 });
        assert.equal((await victim.status).signal, "SIGTERM");
        assert.equal(await alive(victim.pid), false);
        assert.equal(await victimRow.count(), 0, "the refreshed list no longer shows it");
        const lines = await readLog(t.deps.db, session.id);
        assert.ok(lines.some((l) => l.body === "log.system.processEnded"), "in the session log");
        const audited = await t.deps.db.select().from(auditLog).where(and(
          eq(auditLog.action, "session.process_ended"),
          eq(auditLog.target, session.id),
        ));
        assert.equal(audited.length, 1);
        assert.equal((audited[0].details as { pid: number }).pid, victim.pid);
        step("process ended after both confirmed");

        // Bad input: nothing run, nothing asked.
        const systemPath = `/console/sessions/${session.id}/system`;
        const unknown = await post(tech, `${systemPath}/processes/end`, {
          pid: "4194000",
          force: "0",
        });
        assert.equal(unknown.status, 404);
        assert.match(unknown.text, /no such process/);
        for (const unit of ["cron.service; reboot", "$(reboot).service", "a|b.service"]) {
          const bad = await post(tech, `${systemPath}/services/action`, { unit, action: "stop" });
          assert.equal(bad.status, 422, unit);
          assert.match(bad.text, /not a service name/);
        }
        const notPid = await post(tech, `${systemPath}/processes/end`, { pid: "1;ls", force: "0" });
        assert.equal(notPid.status, 422);
        assert.equal(
          await appWindow.locator("[data-confirm]").count(),
          0,
          "the customer was asked nothing",
        );
        // The unknown PID's attempt is logged (the agent looked and found none); the service
        // names never left the server.
        const after = (await readLog(t.deps.db, session.id))
          .filter((l) => l.body.startsWith("log.system."));
        assert.deepEqual(after.map((l) => l.body), [
          "log.system.processEnded",
          "log.system.actionRefused",
        ]);
        assert.match(String((after[1].data as { reason: string }).reason), /^no_such_process/);
        step("bad input refused");

        // Export: the whole snapshot into the session's files.
        await panel.locator("button[name=format][value=json]").click();
        await panel.locator("[data-exported]").waitFor({ timeout: 30_000 });
        const files = await t.deps.db.select().from(sessionFiles)
          .where(eq(sessionFiles.sessionId, session.id));
        const exported = files.find((f) => f.name.endsWith(".json"));
        assert.ok(exported && exported.size > 1000);
        await panel.locator("button[name=format][value=text]").click();
        await panel.locator('[data-exported]:has-text(".txt")').waitFor({ timeout: 30_000 });
        const [text] = await t.deps.db.select().from(sessionFiles).where(and(
          eq(sessionFiles.sessionId, session.id),
          eq(sessionFiles.contentType, "text/plain"),
        ));
        assert.ok(text, "the text export is in the session's files");
        const body = await new Response((await t.deps.files.open(text.sha256))!.body).text();
        assert.match(
          body,
          new RegExp(`Kernel: ${(await sh("uname", "-r")).replaceAll(".", "\\.")}`),
        );
        assert.match(body, /\nProcesses\n=========\n/);
        step("snapshot exported");

        // Every other view answers — with what this machine has, or why it has nothing.
        const systemd = await Deno.stat("/run/systemd/system").then(() => true, () => false);
        for (const view of ["services", "applications", "user", "drivers", "startup", "events"]) {
          await panel.locator(`.sysinfo-view[data-view="${view}"]`).click();
          const shown = panel.locator(`.sysinfo-body [data-view="${view}"]`);
          await shown.waitFor({ timeout: 30_000 });
          await tech.screenshot({ path: `${SHOTS}/sysinfo_${view}_1366.png` });
          const words = await shown.textContent() ?? "";
          if (view === "services" && !systemd) {
            assert.match(words, /Not available: systemd is not running on this computer/);
          }
          if (view === "user") assert.match(words, new RegExp(`User name${await sh("id", "-un")}`));
          if (view === "applications") {
            const count = (await sh("dpkg-query", "-W", "-f", "${db:Status-Abbrev}\n"))
              .split("\n").filter((s) => s.startsWith("i")).length;
            assert.match(words, new RegExp(`dpkg: ${count.toLocaleString("en-US")} packages`));
          }
        }
        // The event viewer's filter: the priority and the text reach the agent.
        const events = panel.locator('.sysinfo-body [data-view="events"]');
        await events.locator("select[name=priority]").selectOption("7");
        await events.locator("input[name=q]").fill("kernel");
        await events.locator("button[type=submit]").click();
        await panel.locator('.sysinfo-body [data-view="events"] input[name=q][value="kernel"]')
          .waitFor();
        const messages = await panel.locator('.sysinfo-body [data-view="events"] tbody tr')
          .allTextContents();
        assert.ok(messages.every((m) => /kernel/i.test(m)));
        // Without a journal here the kernel's ring buffer answers (dmesg, as the agent's user).
        const dmesg = await new Deno.Command("dmesg", {
          args: ["--raw"],
          stdout: "null",
          stderr: "null",
        })
          .output().then((o) => o.success, () => false);
        if (dmesg) assert.ok(messages.length > 0, "the kernel's lines are found");
        step("every view answers");
      });
    } finally {
      try {
        victim.kill();
      } catch { /* ended */ }
      await closeAgentWorld({ agent, app: t, xvfb, work });
    }
  },
});
