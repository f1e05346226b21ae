// The secure desktop (a UAC prompt, the lock or the sign-in screen on a Windows customer's
// computer) in the technician's own language, and no input into it: a support app (a stand-in
// on the real agent socket) says `capture` paused with `secure_desktop` while the technician,
// who reads German, controls and holds a key. The remote view says in German that the customer's
// computer shows a secure screen, that the picture is not live and comes back by itself, and that
// control is paused; the held key is let go on the customer's side and nothing more is sent until
// the picture is back, after which typing reaches the customer again. Screenshots with
// CAPTURE_PAUSED_SHOTS=<folder>.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import type { ServerMessage } from "../../protocol/mod.ts";
import { browserTest, signInPage, withBrowser } from "../support/browser.ts";
import { attachFakeAgent } from "../support/fake_agent.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician, workingSession } from "../support/sessions.ts";
import { users } from "../../modules/auth/mod.ts";

const keys = (got: ServerMessage[]) =>
  got.flatMap((m) => m.type === "key" ? [`${m.down ? "+" : "-"}${m.keysym.toString(16)}`] : []);

browserTest(
  "browser: a secure desktop on the customer's computer — said in the technician's language, no input meanwhile",
  async (t) => {
    const tech = await technician(t, { name: "Jonas" });
    await t.deps.db.update(users).set({ language: "de" }).where(eq(users.id, tech.id));
    const session = await workingSession(t, tech);
    await withBrowser(t, async ({ base, newPage }) => {
      const agent = await attachFakeAgent(base, session.token);
      const page = await newPage();
      await signInPage(page, base, tech.email, TECH_PASSWORD);
      await page.setViewportSize({ width: 1366, height: 768 });
      await page.goto(`${base}/console/sessions/${session.id}/remote`);
      await page.locator(".rv-control").click();
      await agent.until("request");
      agent.send({ type: "consent", capability: "view", granted: true });
      agent.send({ type: "consent", capability: "control", granted: true });
      await page.locator(".rv-control[data-state=granted]").waitFor();
      await page.locator(".rv-consent", { hasText: "Sie steuern den Computer des Kunden" })
        .waitFor();
      // A key held, as Win is when Win+L locks the screen: the secure desktop comes meanwhile.
      await page.locator(".rv-stage").focus();
      await page.keyboard.down("a");
      await page.waitForTimeout(300);
      assert.deepEqual(keys(agent.got), ["+61"]);

      agent.send({
        type: "capture",
        paused: true,
        reason: "secure_desktop",
        detail: "SecureDesktopError: Windows shows the secure desktop",
      });
      const placeholder = page.locator(".rv-placeholder");
      await placeholder.filter({
        hasText: "Der Computer des Kunden zeigt einen sicheren Bildschirm (eine UAC-Abfrage, " +
          "den Sperr- oder Anmeldebildschirm), den die Support-App nicht sehen kann. " +
          "Dieses Bild ist nicht live.",
      }).waitFor();
      assert.equal(
        await placeholder.locator(".rv-placeholder-more").textContent(),
        "Das Live-Bild kommt von selbst zurück, sobald der Bildschirm wieder aufgenommen " +
          "werden kann.",
      );
      await page.locator(".rv-consent", {
        hasText: "Die Fernsteuerung ist mit dem Bild pausiert",
      }).waitFor();
      await page.waitForTimeout(300);
      assert.deepEqual(keys(agent.got), ["+61", "-61"], "the held key let go as the pause began");
      await page.keyboard.up("a");
      await page.keyboard.press("b");
      await page.locator(".rv-video").click({ force: true });
      await page.waitForTimeout(300);
      assert.deepEqual(keys(agent.got), ["+61", "-61"], "no key while paused");
      assert.equal(agent.got.filter((m) => m.type === "button").length, 0, "no click either");
      const shots = Deno.env.get("CAPTURE_PAUSED_SHOTS");
      if (shots) {
        await page.screenshot({ path: `${shots}/secure-desktop-de-1366.png` });
        await page.setViewportSize({ width: 1920, height: 1080 });
        await page.screenshot({ path: `${shots}/secure-desktop-de-1920.png` });
      }

      agent.send({ type: "capture", paused: false });
      // The stand-in sends no frames: the view waits for the picture again, as it says.
      await placeholder.filter({ hasText: "Warten auf das Bild" }).waitFor();
      await page.locator(".rv-consent", { hasText: "Sie steuern den Computer des Kunden" })
        .waitFor();
      await page.locator(".rv-stage").focus();
      await page.keyboard.press("c");
      await page.waitForTimeout(300);
      assert.deepEqual(keys(agent.got), ["+61", "-61", "+63", "-63"]);
      agent.close();
    });
  },
);
