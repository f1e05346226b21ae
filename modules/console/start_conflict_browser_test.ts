// A row's Start answered with 409 after the live stream already replaced the row (the second
// click of a double click, or a colleague who was quicker): the conflict is shown in #flash
// and nothing is thrown. htmx finds an answer's target from the element that asked, which by
// then is detached, so before static/app.js stepped in it threw "Invalid re-target #flash".
import assert from "node:assert/strict";
import { startTestApp } from "../../tests/support/app.ts";
import { clickAndWait, withBrowser } from "../../tests/support/browser.ts";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { technician } from "../../tests/support/sessions.ts";
import { createPrivateSession, customerConnected, startSession } from "../support/mod.ts";

Deno.test({
  name: "browser: a Start answered 409 after the stream replaced its row shows the conflict",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const t = await startTestApp();
    try {
      const tech = await technician(t);
      const { session } = await createPrivateSession(t.deps, tech, {
        method: "pin",
        customerName: "Carol",
        fields: {},
      });
      await customerConnected(t.deps, session);
      await withBrowser(t, async ({ base, newPage }) => {
        const page = await newPage();
        await page.goto(`${base}/signin`);
        await page.fill("#email", tech.email);
        await page.fill("#password", TECH_PASSWORD);
        await clickAndWait(page, "button[type=submit]");
        await page.waitForFunction(() => "htmx" in globalThis);
        const row = `#queue tbody tr[data-session="${session.id}"]`;
        await page.locator(`${row}[data-status=waiting]`).waitFor({ state: "attached" });

        // The first Start wins while this one is on its way; the answer to this one comes
        // only once the stream has replaced the row it was asked from.
        let refusal = "";
        await page.route(`**/console/sessions/${session.id}/start`, async (route) => {
          await startSession(t.deps, tech, session.id);
          await page.locator(`${row}[data-status=active]`).waitFor({ state: "attached" });
          const response = await route.fetch();
          refusal = await response.text();
          await route.fulfill({ response });
        });
        await page.click(`${row} button[data-action=start]`);
        const shown = page.locator("#flash .flash.error[role=alert]");
        await shown.waitFor();
        assert.match(refusal, /flash error/, "the server refused the second Start");
        const said = await page.evaluate(
          (html) => new DOMParser().parseFromString(html, "text/html").body.textContent?.trim(),
          refusal,
        );
        assert.equal((await shown.textContent())?.trim(), said);
        assert.ok(said);
        // The browser logs the 409 itself; anything else (a thrown error) fails.
        assert.deepEqual(page.errors.filter((e) => !/status of 409 \(Conflict\)/.test(e)), []);
      });
    } finally {
      await t.close();
    }
  },
});
