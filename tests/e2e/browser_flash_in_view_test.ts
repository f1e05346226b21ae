// A refusal to a form far down a page is seen where the technician is: htmx puts it in #flash at
// the top of main, and on My account a wrong code for two-step verification (the form near the
// bottom) said "That code is not valid" ≈ 550 px above the window at 1366×768.
import assert from "node:assert/strict";
import { browserTest, signInPage, withBrowser } from "../support/browser.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician } from "../support/sessions.ts";

browserTest(
  "browser: an error answered to a form far down the page is in the window",
  async (t) => {
    const user = await technician(t);
    await withBrowser(t, async ({ base, newPage }) => {
      const page = await newPage();
      await page.setViewportSize({ width: 1366, height: 768 });
      await signInPage(page, base, user.email, TECH_PASSWORD);
      await page.goto(`${base}/account`);
      await page.click("button:has-text('Turn on')");
      const code = page.locator("main input[name=code]");
      await code.fill("000000");
      await code.press("Enter");
      const said = page.locator("#flash .flash.error");
      await said.waitFor();
      assert.equal(
        await said.textContent(),
        "That code is not valid. Codes can be used only once.",
      );
      const box = (await said.boundingBox())!;
      assert.ok(box.y >= 0 && box.y + box.height <= 768, `in the window (top ${box.y})`);
      assert.ok(await code.isVisible(), "the form stays where it was");
    });
  },
);
