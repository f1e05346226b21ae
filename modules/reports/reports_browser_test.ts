// A report page in Chromium: the admin opens it without a time zone and gets the browser's,
// sees the uPlot chart (drawn, with its legend) beside the table, switches reports and periods.
// SCREENSHOTS=<dir> saves the documentation's pictures (1366×768 and 1920×1080) there.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
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
      // With the pointer off the chart its legend gives each outcome's total over the month —
      // the table's column added up — and the period's name stands without a colon.
      const column = (heading: string) =>
        page.locator(".report-table").evaluate((table, heading) => {
          const headings = [...table.querySelectorAll("thead th")].map((th) => th.textContent);
          const at = headings.indexOf(heading);
          return [...table.querySelectorAll("tbody tr")].map((tr) =>
            Number(tr.children[at].textContent!.replace(/\D/g, ""))
          );
        }, heading);
      const columnTotal = async (heading: string) =>
        (await column(heading)).reduce((sum, n) => sum + n, 0);
      const legendValue = (label: string) =>
        page.locator("#report-chart .u-legend tr", { hasText: label }).locator(".u-value")
          .innerText();
      const closed = await columnTotal("Closed by technician");
      assert.ok(closed > 100, `a month of seeded sessions: ${closed}`);
      assert.equal(await legendValue("Closed by technician"), closed.toLocaleString("en-GB"));
      assert.equal(
        await legendValue("Timed out"),
        (await columnTotal("Timed out")).toLocaleString("en-GB"),
      );
      const period = page.locator("#report-chart .u-legend tr").first();
      assert.equal(await period.locator(".u-value").innerText(), "");
      assert.equal(
        await period.locator("th").evaluate((th) => getComputedStyle(th, "::after").content),
        "none",
      );
      // Pointed at a day, the legend gives that day's figures.
      const chartBox = (await page.locator("#report-chart .u-over").boundingBox())!;
      await page.mouse.move(chartBox.x + 3, chartBox.y + chartBox.height / 2, { steps: 4 });
      await page.waitForFunction(() =>
        document.querySelector("#report-chart .u-legend tr .u-value")?.textContent !== ""
      );
      const octoberFirst = page.locator(".report-table tbody tr").first();
      assert.equal(
        await period.locator(".u-value").innerText(),
        await octoberFirst.locator("td").first().innerText(),
      );
      assert.equal(
        await legendValue("Closed by technician"),
        String((await column("Closed by technician"))[0]),
      );
      await page.mouse.move(0, 0);
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
      await xLabelsApart(page, "waiting");
      // The survey's chart is narrow beside its table: fewer labels, none over another; its
      // scores all to two places.
      await page.locator(".report-tabs a", { hasText: "Survey scores" }).click();
      await page.locator("#report-chart .uplot canvas").waitFor();
      await xLabelsApart(page, "survey");
      const scores = await page.locator(".report-table").evaluate((table) => {
        const at = [...table.querySelectorAll("thead th")].findIndex((th) =>
          th.textContent === "Score"
        );
        return [...table.querySelectorAll("tbody tr")].map((tr) => tr.children[at].textContent);
      });
      assert.ok(scores.length >= 9);
      for (const score of scores) assert.match(score ?? "", /^[1-5]\.\d\d$/);
      await page.locator(".report-tabs a", { hasText: "Performance" }).click();
      await page.locator("#report-chart .uplot canvas").waitFor();
      assert.match(await page.locator(".report-table").innerText(), /Seed Technician/);
      await xLabelsApart(page, "performance");
      await page.screenshot({ path: `${shots}/reports-performance-${width}.png` });
      assert.deepEqual(errors, []);
      await context.close();
    }
  });
  if (Deno.env.get("SCREENSHOTS")) console.log(`screenshots in ${shots}`);
  else await Deno.remove(shots, { recursive: true });
});

/**
 * The chart's x labels are drawn on its canvas: read the strip under the plot and find the runs
 * of inked columns (a gap of 8 px or more parts two labels; a space within one is narrower).
 * Labels drawn over each other make one run wider than the widest label.
 */
async function xLabelsApart(page: Page, what: string) {
  const { runs, widest } = await page.locator("#report-chart").evaluate((box) => {
    const canvas = box.querySelector("canvas")!;
    const over = box.querySelector(".u-over")!.getBoundingClientRect();
    const frame = canvas.getBoundingClientRect();
    const ratio = canvas.width / frame.width;
    const top = Math.round((over.bottom - frame.top) * ratio) + 8;
    const height = Math.round(24 * ratio);
    const pixels = canvas.getContext("2d")!.getImageData(0, top, canvas.width, height).data;
    const inked = (x: number) => {
      for (let y = 0; y < height; y++) {
        if (pixels[(y * canvas.width + x) * 4 + 3] > 60) return true;
      }
      return false;
    };
    const runs: number[] = [];
    let start = -1;
    let last = -100;
    for (let x = 0; x < canvas.width; x++) {
      if (!inked(x)) continue;
      if (x - last >= 8 * ratio) {
        if (start >= 0) runs.push((last - start + 1) / ratio);
        start = x;
      }
      last = x;
    }
    if (start >= 0) runs.push((last - start + 1) / ratio);
    const measure = document.createElement("canvas").getContext("2d")!;
    measure.font = `12px ${getComputedStyle(document.body).fontFamily}`;
    const labels = [...document.querySelectorAll(".report-table tbody tr td:first-child")]
      .map((td) => measure.measureText(td.textContent ?? "").width);
    return { runs, widest: Math.max(...labels) };
  });
  for (const run of runs) {
    assert.ok(run <= widest + 2, `${what}: x labels run together (${run} px, widest ${widest})`);
  }
  assert.ok(runs.length >= 2, `${what}: x labels drawn (${runs.length})`);
}
