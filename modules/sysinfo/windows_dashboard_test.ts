// The System tab for a Windows customer, in Chromium: an agent socket that says hello as Windows
// answers with what windowsSystem() really read under Wine (testdata/windows_wine.json, from
// agent/system/windows/windows_system_fixture.ts). The dashboard shows Wine's Windows, its
// drives and busiest processes, leaves out the load average Windows does not keep, and says
// the Task Scheduler is not read yet; a Windows service's name (no ".service") reaches the
// agent from the Services tab, while a name that is none is refused with nothing sent.
// Screenshots at 1366×768 and 1920×1080 go to $SHOTS_DIR (default /tmp/shots/winsys).
import assert from "node:assert/strict";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { technician, workingSession } from "../../tests/support/sessions.ts";
import { agentHello, agentSocket, nextOp, withServer } from "../../tests/support/sockets.ts";
import { browserTest, signInPage, withBrowser } from "../../tests/support/browser.ts";
import { SYSTEM_OPS } from "../../protocol/system.ts";

const WINE = JSON.parse(
  await Deno.readTextFile(new URL("./testdata/windows_wine.json", import.meta.url)),
);
const SHOTS = Deno.env.get("SHOTS_DIR") ?? "/tmp/shots/winsys";

browserTest("the System tab shows a Windows customer's dashboard and services", async (t) => {
  await Deno.mkdir(SHOTS, { recursive: true });
  await withServer(t, async (port) => {
    const ann = await technician(t, { name: "Ann" });
    const session = await workingSession(t, ann);
    const agent = await agentSocket(port);
    const hello = agentHello(session.token);
    agent.send({ ...hello, os: "windows" } as typeof hello);
    await agent.next((m) => m.type === "welcome");
    const about = await nextOp(agent, "agent.about");
    const ops = SYSTEM_OPS.map((s) => s.kind);
    agent.send({ type: "opDone", id: about.id, json: JSON.stringify({ os: "windows", ops }) });
    agent.send({ type: "consent", capability: "systemInfo", granted: true });
    const answer = async (kind: string, result: unknown) => {
      const op = await nextOp(agent, kind, 20_000);
      agent.send({ type: "opDone", id: op.id, json: JSON.stringify(result) });
      return op;
    };

    await withBrowser(t, async ({ base, newPage }) => {
      const page = await newPage();
      await page.setViewportSize({ width: 1366, height: 768 });
      await signInPage(page, base, ann.email, TECH_PASSWORD);
      await page.goto(`${base}/console`);
      await page.locator(`#session-tabs [data-tab-session="${session.id}"]`).click();
      const workspace = page.locator(`#session-${session.id}`);
      await workspace.locator('[role=tab][data-tool="system"]').click();
      const sysinfo = workspace.locator(`[data-sysinfo="${session.id}"]`);
      await answer("system.snapshot", WINE.snapshot);
      const dashboard = sysinfo.locator('[data-view="dashboard"]:not([role=tab])');
      await dashboard.locator('[data-fact="os"]').waitFor({ timeout: 20_000 });
      const s = WINE.snapshot;
      assert.equal(await dashboard.locator('[data-fact="os"]').textContent(), s.os.value.name);
      assert.equal(
        await dashboard.locator('[data-fact="kernel"]').textContent(),
        s.kernel.value.release,
      );
      assert.equal(await dashboard.locator('[data-fact="load"]').count(), 0, "no load average");
      const text = (await dashboard.textContent()) ?? "";
      assert.doesNotMatch(text, /Load \(1, 5, 15 min\)/);
      assert.match(text, /C:\\/);
      assert.match(text, /deno_wine8\.exe/);
      assert.match(text, /the support app does not read it on this system yet/);
      assert.match(text, /This system keeps it in Task Scheduler\./);
      assert.deepEqual(page.errors, []);
      await page.screenshot({ path: `${SHOTS}/windows_dashboard_1366x768.png`, fullPage: true });
      await page.setViewportSize({ width: 1920, height: 1080 });
      await page.screenshot({ path: `${SHOTS}/windows_dashboard_1920x1080.png`, fullPage: true });

      // Services: Windows names, and an action on one reaches the agent as it is.
      await sysinfo.locator('[role=tab][data-view="services"]').click();
      await answer("system.services", WINE.services);
      const services = sysinfo.locator('[data-view="services"]:not([role=tab])');
      await services.locator("text=PlugPlay").first().waitFor({ timeout: 20_000 });
      await page.screenshot({ path: `${SHOTS}/windows_services_1920x1080.png` });
      page.once("dialog", (dialog) => dialog.accept());
      const row = services.locator("tr", { hasText: "PlugPlay" });
      await row.locator("button", { hasText: "Stop" }).click();
      const op = await answer("system.serviceAction", {
        unit: "PlugPlay",
        action: "stop",
        active: "inactive",
      });
      assert.deepEqual([op.request.unit, op.request.action], ["PlugPlay", "stop"]);
      await answer("system.services", WINE.services);

      // A name that is no Windows service's: refused on the server, nothing sent.
      const client = t.client();
      assert.equal((await client.signIn(ann.email, TECH_PASSWORD)).status, 303);
      const refused = await client.post(`/console/sessions/${session.id}/system/services/action`, {
        unit: "a\\b",
        action: "stop",
      });
      assert.equal(refused.status, 422);
      await assert.rejects(agent.next((m) => m.type === "op", 300), /no matching frame/);
    });
    agent.ws.close();
  });
});
