// Two windows of one technician both drove the customer's keyboard at once, with no warning
// (issue 13). Now one window controls; the other says "Control is in your other window", sends
// nothing, and can take control, which moves it and tells both.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import type { ServerMessage } from "../../protocol/mod.ts";
import { browserTest, signInPage, withBrowser } from "../support/browser.ts";
import { attachFakeAgent } from "../support/fake_agent.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician, workingSession } from "../support/sessions.ts";

const keysFrom = (got: ServerMessage[]) =>
  got.filter((m) => m.type === "key" && m.down).map((m) => (m as { keysym: number }).keysym);

async function typeOn(page: Page, key: string) {
  await page.locator(".rv-stage").focus();
  await page.keyboard.press(key);
}

browserTest(
  "browser: two windows of one technician — one controls, the other can take it",
  async (t) => {
    const ann = await technician(t, { name: "Ann" });
    const session = await workingSession(t, ann);
    await withBrowser(t, async ({ base, newPage }) => {
      const agent = await attachFakeAgent(base, session.token);
      const first = await newPage();
      await signInPage(first, base, ann.email, TECH_PASSWORD);
      // The second window shares the sign-in (same browser, another tab).
      const second = Object.assign(await first.context().newPage(), { errors: [] as string[] });
      second.on("pageerror", (error) => second.errors.push(String(error)));
      const url = `${base}/console/sessions/${session.id}/remote`;
      for (const page of [first, second]) {
        await page.setViewportSize({ width: 1366, height: 768 });
        await page.goto(url);
        await page.locator(".rv-control").waitFor();
      }

      await first.locator(".rv-control").click();
      await agent.until("request");
      agent.send({ type: "consent", capability: "view", granted: true });
      agent.send({ type: "consent", capability: "control", granted: true });
      await first.locator(".rv-control[data-state=granted]").waitFor();
      // The other window says where control is and offers no "End remote control" of its own:
      // only the window holding control ends it (it takes control here first).
      await second.locator(".rv-control-elsewhere").waitFor();
      assert.equal(await second.locator(".rv-control").count(), 0);

      await typeOn(first, "a");
      await second.locator(".rv-control-elsewhere").waitFor();
      assert.match(
        await second.locator(".rv-control-elsewhere").textContent() ?? "",
        /Control is in your other window/,
      );
      assert.doesNotMatch(
        await second.locator(".rv-consent").textContent() ?? "",
        /You are controlling/,
      );
      await typeOn(second, "b");
      await first.waitForTimeout(300);
      assert.deepEqual(keysFrom(agent.got), [0x61], "only the controlling window's key");
      await second.screenshot({ path: "/tmp/W4_control_elsewhere_1366.png" });

      await second.locator(".rv-take-control").click();
      await first.locator(".rv-control-elsewhere").waitFor();
      await second.locator(".rv-control-elsewhere").waitFor({ state: "hidden" });
      await second.getByText("Control is in this window now.").waitFor();
      await typeOn(second, "c");
      await typeOn(first, "d");
      await second.waitForTimeout(300);
      assert.deepEqual(keysFrom(agent.got), [0x61, 0x63], "now only the second window's");

      // Ctrl+Alt+Del and a quality change (both under "More") say what they did.
      await second.locator(".rv-more > summary").click();
      await second.locator(".rv-cad").click();
      await second.getByText("Ctrl+Alt+Del sent").waitFor();
      // The island says "sent" when it sent; the agent hears it through the server a moment later.
      await agent.until("ctrlAltDel");
      // Where nothing on the customer's desktop answers it, the agent says so (x11_keyboard.ts).
      agent.send({ type: "refused", of: "ctrlAltDel", reason: "nothing answers it" });
      await second.getByText("did not take Ctrl+Alt+Del").waitFor();
      await second.setViewportSize({ width: 1920, height: 1080 });
      await second.locator(".rv-quality").selectOption("high");
      await second.getByText("Quality: High").waitFor();
      await second.screenshot({ path: "/tmp/W4_control_here_1920.png" });
      assert.deepEqual(first.errors, []);
      assert.deepEqual(second.errors, []);
      agent.close();
    });
  },
  { graceMs: 50 },
);
