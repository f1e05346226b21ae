/**
 * A customer whose support app has no desktop to share, end to end on real parts: the real
 * agent program (`agent/main.ts`) started with an empty DISPLAY — it joins by PIN for chat,
 * files and system information and its hello says `noDesktop` — the real server, and Chromium
 * for the technician and the app's own window.
 *
 * The workspace must not offer what cannot work: the note says why there is no screen, the
 * remote view shows its "cannot show this computer's screen" panel instead of its toolbar and
 * screen — no Start desktop view, Remote control, whiteboard, recording or screenshot — while
 * the Files and System tabs stay, and System information is asked, allowed in the app's window
 * and shown. A view or control request sent anyway (a socket of the technician's own page) is
 * refused by the server in words, and the app's window asks the customer nothing. Screenshots
 * at 1366×768 and 1920×1080 go to NO_DESKTOP_SHOTS (or /tmp).
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { startTestApp } from "../support/app.ts";
import { clickAndWait, withBrowser } from "../support/browser.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician } from "../support/sessions.ts";
import { eventually } from "../support/eventually.ts";
import { pinSessionWithAgent, startFromQueue } from "../support/agent_e2e.ts";
import { supportSessions } from "../../modules/support/mod.ts";

const SHOTS = Deno.env.get("NO_DESKTOP_SHOTS") ?? "/tmp";
const step = (what: string) => console.log(`  · ${what}`);

/** What the server answers a viewer frame sent on a new remote-view socket of this page. */
function askOnViewerSocket(page: Page, sessionId: string, frame: Record<string, unknown>) {
  return page.evaluate(([sessionId, frame]) =>
    new Promise<unknown>((resolve, reject) => {
      const ws = new WebSocket(
        `${location.origin.replace(/^http/, "ws")}/console/sessions/${sessionId}/remote/ws`,
      );
      const timer = setTimeout(() => reject(new Error("no answer")), 10_000);
      ws.onopen = () => ws.send(JSON.stringify(frame));
      ws.onmessage = (event) => {
        const message = JSON.parse(event.data);
        if (message.type !== "error") return;
        clearTimeout(timer);
        ws.close();
        resolve(message);
      };
    }), [sessionId, frame] as const);
}

Deno.test({
  name:
    "e2e: a support app with no desktop — no screen offers in the workspace, the server refuses view and control, system information works",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const work = await Deno.makeTempDir({ prefix: "rescue-no-desktop-e2e-" });
    const t = await startTestApp();
    let agent: Deno.ChildProcess | null = null;
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
        // An empty DISPLAY: the app finds no X display and joins without view and control.
        const { session, customerApp, appWindow } = await pinSessionWithAgent(
          t.deps,
          tech,
          newPage,
          { base, display: "", stateDir: `${work}/agent-state` },
        );
        agent = customerApp.agent;
        const row = async () =>
          (await t.deps.db.select().from(supportSessions).where(
            eq(supportSessions.id, session.id),
          ))[0];
        await eventually("the hello's noDesktop kept", async () => (await row()).noDesktop, 20_000);
        assert.deepEqual((await row()).noDesktop, { reason: "noDisplay" });
        const workspace = await startFromQueue(tech, session.id);
        step("the app joined with no desktop (noDisplay), session started");

        // The note says why; the remote view says it offers nothing on screen.
        const note = workspace.locator(".rv-no-desktop");
        await note.waitFor();
        assert.match(await note.textContent() ?? "", /found no desktop \(no X11 display\)/);
        const panel = workspace.locator(".rv-no-screen");
        await panel.waitFor();
        assert.match(
          await panel.textContent() ?? "",
          /cannot show this computer's screen: desktop view, remote control, drawing, recording and screenshots are not available/,
        );
        assert.equal(
          await workspace.locator(".remote-view").getAttribute("data-agent"),
          "noscreen",
        );
        for (const offer of [".rv-view", ".rv-control", ".rv-whiteboard-bar", ".rv-stage"]) {
          assert.equal(
            await workspace.locator(offer).first().isVisible(),
            false,
            `${offer} is not offered`,
          );
        }
        assert.equal(
          await workspace.getByRole("button", { name: /Start desktop view|Remote control/ })
            .filter({ visible: true }).count(),
          0,
          "no visible button offers the screen",
        );
        // What works stays: Files and System information, the chat.
        for (const tab of ["filemanager", "system", "chat"]) {
          assert.ok(
            await workspace.locator(`[role=tab][data-tool="${tab}"]`).isVisible(),
            `the ${tab} tab stays`,
          );
        }
        await tech.screenshot({ path: `${SHOTS}/no_desktop_workspace_1366x768.png` });
        await tech.setViewportSize({ width: 1920, height: 1080 });
        await tech.screenshot({ path: `${SHOTS}/no_desktop_workspace_1920x1080.png` });
        await tech.setViewportSize({ width: 1366, height: 768 });
        step("the workspace says there is no screen and offers no view, control or drawing");

        // Asked anyway (a socket of the technician's page): refused in words, nobody asked.
        const words = "The customer's support app cannot show this computer's screen: desktop " +
          "view and remote control are not available. Chat, files and system information " +
          "still work.";
        for (const frame of [{ type: "view", on: true }, { type: "control", on: true }]) {
          assert.deepEqual(await askOnViewerSocket(tech, session.id, frame), {
            type: "error",
            code: "no_desktop",
            reason: words,
          });
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
        assert.equal(await appWindow.locator("#allow-view").isVisible(), false);
        assert.equal(await appWindow.locator("#allow-control").isVisible(), false);
        step("view and control asked anyway: the server refuses in words, the app asks nothing");

        // System information works as with a screen: asked, allowed in the app's window, shown.
        await workspace.locator('[role=tab][data-tool="system"]').click();
        const sysinfo = workspace.locator(`[data-sysinfo="${session.id}"]`);
        await sysinfo.locator(".sysinfo-ask button").click();
        await appWindow.locator("#allow-systemInfo").click();
        const hostname = sysinfo.locator('[data-view="dashboard"] [data-fact="hostname"]');
        await hostname.waitFor({ timeout: 20_000 });
        assert.equal(await hostname.textContent(), Deno.hostname());
        step("system information: asked, allowed, this machine's dashboard shown");
      });
    } finally {
      if (agent) {
        try {
          (agent as Deno.ChildProcess).kill();
        } catch { /* gone */ }
        await (agent as Deno.ChildProcess).status;
      }
      await t.close();
      await Deno.remove(work, { recursive: true }).catch(() => {});
    }
  },
});
