/**
 * An external technician's file manager and system information end to end, on real parts:
 * the real agent program on an Xvfb display with its own home folder (the customer's files),
 * the real server, Chromium for the lead, the external technician and the agent's window.
 *
 * The lead invites by link with the file manager and system information ticked in the
 * dialog → the guest's console shows both as tabs → the guest asks for files, the customer
 * allows in the agent's window, the guest's file manager lists the customer's home folder
 * (the files on disk) → the audit log names the external technician → the guest asks for
 * system information, the customer allows, the dashboard shows this machine → the lead
 * removes the guest and its file-manager calls are refused. Screenshots at 1366×768 and
 * 1920×1080 go to GUEST_SHOTS (or /tmp).
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { startTestApp } from "../support/app.ts";
import { signInPage, withBrowser } from "../support/browser.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician } from "../support/sessions.ts";
import { startedPinSession, step } from "../support/files_e2e.ts";
import { startXvfb } from "../../agent/platform/xvfb_test_support.ts";
import { defaultPermissions } from "../../modules/permissions/mod.ts";
import { auditLog } from "../../modules/audit/mod.ts";

const SHOTS = Deno.env.get("GUEST_SHOTS") ?? "/tmp";

async function sh(command: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command(command, { args, stdout: "piped" }).output();
  return new TextDecoder().decode(out.stdout).trim();
}

/** A row of the file manager's customer pane, by name. */
const remoteRow = (name: string) => `.fm-pane[data-pane=remote] .fm-entry[data-name="${name}"]`;

Deno.test({
  name:
    "e2e: an external technician lists the customer's files through the real agent on Xvfb and opens system information; removed, refused",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const xvfb = await startXvfb({ width: 1280, height: 720 });
    const work = await Deno.makeTempDir({ prefix: "rescue-guest-tools-e2e-" });
    const home = `${work}/home`;
    await Deno.mkdir(`${home}/project`, { recursive: true });
    await Deno.writeTextFile(`${home}/notes.txt`, "line one\nline two\n");
    await Deno.writeTextFile(`${home}/project/a.txt`, "alpha\n");
    const t = await startTestApp();
    let agent: Deno.ChildProcess | null = null;
    try {
      const lena = await technician(t, {
        permissions: [...defaultPermissions(), "inviteExternal", "inviteExternalUnlisted"],
        name: "Lena Lead",
      });
      await withBrowser(t, async ({ base, newPage }) => {
        (t.deps.config as { publicUrl: string }).publicUrl = base;
        const lead = await newPage();
        await lead.setViewportSize({ width: 1366, height: 768 });
        await signInPage(lead, base, lena.email, TECH_PASSWORD);

        const { id, appWindow } = await startedPinSession(
          t.deps,
          lena,
          newPage,
          { server: base, display: xvfb.display, stateDir: `${work}/agent-state`, home },
          (run) => {
            agent = run.agent;
          },
        );
        step("session started, agent attached");

        // The lead invites with the file manager and system information ticked.
        await lead.goto(`${base}/console`);
        await lead.waitForFunction(() => "htmx" in globalThis);
        await lead.locator(`#session-tabs [data-tab-session="${id}"]`).click();
        const workspace = lead.locator(`#session-${id}`);
        await workspace.locator(".head-menu > summary").click(); // the header's More actions
        await workspace.locator("[data-invite-external]").click();
        await lead.locator("#external-dialog").waitFor();
        await lead.fill("#external-name", "Xavier Extern");
        await lead.fill("#external-email", "xavier@partner.test");
        await lead.locator("input[name=permissions][value=fileManager]").check();
        await lead.locator("input[name=permissions][value=systemInfo]").check();
        await lead.locator("#external-form button[type=submit]").click();
        const link = await lead.locator("[data-external-link]").inputValue();
        step("invited by link");

        const guest = await newPage();
        await guest.setViewportSize({ width: 1366, height: 768 });
        await guest.goto(`${base}${new URL(link).pathname}`);
        assert.equal(new URL(guest.url()).pathname, "/x/console");
        await guest.waitForFunction(() => "htmx" in globalThis);

        // ---- the file manager: asked by the guest, allowed in the agent's window ----
        await guest.click(`#guest-tab-filemanager-${id}`);
        const fm = guest.locator(`#files-${id}`);
        await fm.locator(".fm-consent[data-consent=off]").waitFor();
        await fm.locator(".fm-storage").click();
        await fm.locator(".fm-ask").click();
        await fm.locator(".fm-consent[data-consent=asked]").waitFor();
        await appWindow.locator("#allow-files").click();
        await fm.locator(".fm-consent[data-consent=granted]").waitFor();
        await fm.locator(remoteRow("notes.txt")).waitFor();
        await fm.locator(remoteRow("project")).waitFor();
        assert.equal(
          await fm.locator(".fm-pane[data-pane=remote] .fm-path-input").inputValue(),
          home,
          "the customer's home folder, as on disk",
        );
        assert.equal(await fm.locator(".fm-detach").count(), 0, "no detached window for a guest");
        step("the guest lists the customer's files");
        await Deno.mkdir(SHOTS, { recursive: true });
        await guest.screenshot({ path: `${SHOTS}/guests-files-1366x768.png` });
        await guest.setViewportSize({ width: 1920, height: 1080 });
        await guest.screenshot({ path: `${SHOTS}/guests-files-1920x1080.png` });
        await guest.setViewportSize({ width: 1366, height: 768 });

        const audited = await t.deps.db.select().from(auditLog)
          .where(eq(auditLog.action, "session.files_read"));
        assert.ok(audited.length >= 1);
        assert.ok(audited.every((a) => a.actorId === null));
        assert.equal(
          (audited[0].details as { external: { name: string } }).external.name,
          "Xavier Extern",
        );
        // The lead's log names the external technician.
        await lead.locator(`#log-${id} li`, { hasText: "Xavier Extern looked in" }).first()
          .waitFor();

        // ---- system information: asked, allowed, this machine's dashboard ----
        await guest.click(`#guest-tab-system-${id}`);
        const panel = guest.locator(`[data-sysinfo="${id}"]`);
        await panel.waitFor();
        await panel.locator(".sysinfo-ask button").click();
        await appWindow.locator("#allow-systemInfo").click();
        await panel.locator('.sysinfo-consent-text:has-text("allows reading")').waitFor();
        const dashboard = panel.locator('[data-view="dashboard"]');
        await dashboard.waitFor({ timeout: 20_000 });
        assert.equal(
          await dashboard.locator('[data-fact="kernel"]').textContent(),
          await sh("uname", "-r"),
        );
        assert.equal(await panel.locator("button[value=json]").count(), 0, "no export for a guest");
        step("the guest reads system information");
        await guest.screenshot({ path: `${SHOTS}/guests-system-1366x768.png` });
        await guest.setViewportSize({ width: 1920, height: 1080 });
        await guest.screenshot({ path: `${SHOTS}/guests-system-1920x1080.png` });

        // ---- removed: the page says so, and the tool routes refuse ----
        await lead.locator("[data-close-dialog]").first().click().catch(() => {});
        await workspace.locator("[data-remove-guest]").click();
        await guest.locator("[data-external-ended=removed]").waitFor();
        const status = await guest.evaluate(
          async (id) => (await fetch(`/x/console/sessions/${id}/file-manager/roots`)).status,
          id,
        );
        assert.equal(status, 410);
        step("removed: refused");

        assert.deepEqual(lead.errors, []);
        assert.deepEqual(
          guest.errors.filter((e) => !/status of 410|WebSocket|EventSource/.test(e)),
          [],
        );
      });
    } finally {
      if (agent) {
        try {
          (agent as Deno.ChildProcess).kill();
        } catch { /* gone */ }
        await (agent as Deno.ChildProcess).status;
      }
      await t.close();
      await xvfb.stop();
      await Deno.remove(work, { recursive: true }).catch(() => {});
    }
  },
});
