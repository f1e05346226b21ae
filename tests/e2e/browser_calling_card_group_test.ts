/**
 * A calling card needs a group (SPEC C6), in Chromium: the form says so beside the groups, and
 * Save with none ticked brings the form back with the reason and what was typed — nothing saved;
 * with a group ticked it saves. In English at 1366×768 and in Dutch at 1920×1080.
 */
import assert from "node:assert/strict";
import { channelGroups, channels } from "../../modules/channels/mod.ts";
import { callingCards } from "../../modules/calling_cards/schema.ts";
import { ADMIN, startTestApp } from "../support/app.ts";
import { clickAndWait, signInPage, withBrowser } from "../support/browser.ts";
import { makeGroup } from "../support/org.ts";

const SHOTS = "/tmp/shots";

Deno.test({
  name: "browser: a calling card is refused without a group, in words, and saved with one",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const t = await startTestApp();
    try {
      const group = await makeGroup(t, { name: "Field team" });
      const now = t.clock.now();
      const [channel] = await t.deps.db.insert(channels).values({
        orgId: group.orgId,
        name: "Helpdesk",
        slug: "helpdesk-abcdefgh",
        fields: [],
        openingHours: { timeZone: "Europe/Amsterdam", days: {}, enabled: false },
        unavailableAction: "message",
        createdAt: now,
        updatedAt: now,
      }).returning();
      await t.deps.db.insert(channelGroups).values({ channelId: channel.id, groupId: group.id });
      await withBrowser(t, async ({ base, newPage }) => {
        const cases = [
          ["en-US", 1366, 768, /Tick at least one/, /Choose at least one group/],
          ["nl-NL", 1920, 1080, /Vink er minstens één aan/, /Kies minstens één groep/],
        ] as const;
        for (const [locale, width, height, help, refusal] of cases) {
          const page = await newPage({ locale });
          await page.setViewportSize({ width, height });
          await signInPage(page, base, ADMIN.email, ADMIN.password);
          await page.goto(`${base}/admin/calling-cards/${channel.id}`);
          assert.match(await page.locator("#cc-groups-help").textContent() ?? "", help);
          await page.fill("#cc-text", "Call us any time");
          await clickAndWait(page, "form[enctype] button[type=submit]");
          assert.match(await page.locator("[role=alert]").textContent() ?? "", refusal);
          assert.equal(await page.inputValue("#cc-text"), "Call us any time");
          assert.equal((await t.deps.db.select().from(callingCards)).length, 0);
          await page.screenshot({ path: `${SHOTS}/fix-cc-${locale}-${width}.png`, fullPage: true });
          // The refusal's 422 is Chromium's only console line: no script failed.
          assert.deepEqual(page.errors.filter((e) => !/status of 422/.test(e)), []);
        }
        const page = await newPage();
        await signInPage(page, base, ADMIN.email, ADMIN.password);
        await page.goto(`${base}/admin/calling-cards/${channel.id}`);
        await page.getByLabel("Field team").check();
        await clickAndWait(page, "form[enctype] button[type=submit]");
        await page.getByText("The calling card is saved.").waitFor();
        assert.equal((await t.deps.db.select().from(callingCards)).length, 1);
      });
    } finally {
      await t.close();
    }
  },
});
