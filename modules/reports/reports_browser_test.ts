// A report page in Chromium: the admin opens it without a time zone and gets the browser's,
// sees the uPlot chart (drawn, with its legend) beside the table, switches reports and periods.
// SCREENSHOTS=<dir> saves the documentation's pictures (1366×768 and 1920×1080) there.
import assert from "node:assert/strict";
import { browserTest, signInPage, withBrowser } from "../../tests/support/browser.ts";
import { ADMIN } from "../../tests/support/app.ts";
import { masterAdmin } from "../../tests/support/org.ts";
import { seedSessions } from "../../tools/seed_sessions_lib.ts";

browserTest("a report page shows its chart and table in the viewer's time zone", async (t) => {
  const admin = await masterAdmin(t);
  await seedSessions(t.deps.db, { orgId: admin.orgId, count: 5000, end: t.clock.now() });
  const shots = Deno.env.get("SCREENSHOTS") ?? await Deno.makeTempDir({ prefix: "reports-shots-" });
  await withBrowser(t, async ({ base, browser }) => {
    for (const [width, height] of [[1366, 768], [1920, 1080]]) {
      const context = await browser.newContext({
        locale: "en-GB",
        timezoneId: "Europe/Amsterdam",
        viewport: { width, height },
      });
      context.setDefaultTimeout(15_000);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
      await signInPage(page, base, ADMIN.email, ADMIN.password);

      await page.goto(`${base}/admin/reports/outcomes?period=month&date=2026-10-15`);
      await page.waitForURL(/tz=Europe%2FAmsterdam/);
      await page.locator("#report-chart .uplot canvas").waitFor();
      assert.equal(await page.locator("#r-tz").inputValue(), "Europe/Amsterdam");
      assert.match(
        await page.locator(".report-head").innerText(),
        /Oct 1, 2026 – Oct 31, 2026, Europe\/Amsterdam/,
      );
      assert.equal(await page.locator(".report-table tbody tr").count(), 31);
      const legend = await page.locator("#report-chart .u-legend").innerText();
      assert.match(legend, /Closed by technician/);
      const box = await page.locator("#report-chart canvas").boundingBox();
      assert.ok(box && box.width > 600 && box.height > 150, `chart drawn: ${JSON.stringify(box)}`);
      // Counts are exact: no word about histograms.
      assert.equal(await page.locator(".report-binned").count(), 0);
      // The custom range fields are hidden for a month.
      assert.equal(await page.locator("#r-from").isVisible(), false);
      await page.screenshot({ path: `${shots}/reports-outcomes-${width}.png` });

      // Every report's table shows all its columns at this width, none cut off behind a
      // scroll bar — in English and in Dutch, whose headings are longer.
      for (const lang of ["en", "nl"]) {
        await page.context().setExtraHTTPHeaders({ "accept-language": lang });
        for (const kind of ["waiting", "duration", "transfers", "survey"]) {
          await page.goto(`${base}/admin/reports/${kind}?period=month&date=2026-10-15&tz=UTC`);
          const clipped = await page.locator(".report-table").evaluate((el) =>
            el.scrollWidth - el.clientWidth
          );
          assert.ok(
            clipped <= 1,
            `${kind} (${lang}) at ${width}: ${clipped}px of its table hidden`,
          );
        }
      }
      await page.context().setExtraHTTPHeaders({});
      await page.goto(`${base}/admin/reports/outcomes?period=month&date=2026-10-15`);
      await page.waitForURL(/tz=Europe%2FAmsterdam/);

      // Another report keeps the period; the waiting time is a line chart of durations.
      await page.locator(".report-tabs a", { hasText: "Waiting time" }).click();
      await page.locator("#report-chart .uplot canvas").waitFor();
      assert.match(page.url(), /\/admin\/reports\/waiting\?.*date=2026-10-15/);
      assert.match(await page.locator(".report-table thead").innerText(), /Median wait/);
      const firstDay = await page.locator(".report-table tbody tr").first().innerText();
      assert.match(firstDay, /\d+:\d\d/, "waits as minutes and seconds");
      // A month's medians are exact: nothing to say.
      assert.equal(await page.locator(".report-binned").count(), 0);

      // A custom range per week, then the performance per technician.
      await page.selectOption("#r-period", "custom");
      assert.equal(await page.locator("#r-from").isVisible(), true);
      await page.fill("#r-from", "2026-09-01");
      await page.fill("#r-to", "2026-10-31");
      await page.selectOption("#r-step", "week");
      await Promise.all([page.waitForURL(/period=custom/), page.click(".report-filters button")]);
      await page.locator("#report-chart .uplot canvas").waitFor();
      assert.ok((await page.locator(".report-table tbody tr").count()) >= 9);
      // Two months' medians and p90s come from the histograms; the page says how close they are.
      assert.match(
        await page.locator(".report-binned").innerText(),
        /from histograms .* within 1 s of the exact value up to a minute/,
      );
      await page.screenshot({ path: `${shots}/reports-waiting-${width}.png` });
      await page.locator(".report-tabs a", { hasText: "Performance" }).click();
      await page.locator("#report-chart .uplot canvas").waitFor();
      assert.match(await page.locator(".report-table").innerText(), /Seed Technician/);
      await page.screenshot({ path: `${shots}/reports-performance-${width}.png` });
      assert.deepEqual(errors, []);
      await context.close();
    }
  });
  if (Deno.env.get("SCREENSHOTS")) console.log(`screenshots in ${shots}`);
  else await Deno.remove(shots, { recursive: true });
});
