/**
 * Several screens (monitors) end to end, on real parts (issue 14): a desk with two monitors
 * side by side (Xorg's dummy driver: outputs DUMMY0 1280×720, primary, and DUMMY1 1024×600 —
 * real RandR outputs, as on a customer's desk), the real agent, the real server and Chromium.
 * The technician sees the whole desktop (2304×720), picks the second screen in the island →
 * the picture is that screen alone (1024×600) and a click lands on it (the X pointer is on
 * DUMMY1) → the scale chosen for that screen is its own: back on all screens the earlier one
 * returns, and on the second screen again its own.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { startTestApp } from "../support/app.ts";
import { withBrowser } from "../support/browser.ts";
import { technician } from "../support/sessions.ts";
import { closeAgentWorld, signedInWithAgentSession } from "../support/agent_e2e.ts";
import { startXorgDummy } from "../../agent/platform/xorg_dummy_test_support.ts";
import { runX } from "../../agent/platform/xvfb_test_support.ts";

const step = (what: string) => console.log(`  · ${what}`);

/** Waits until the page's remote view plays a picture of this size. */
function picture(page: Page, width: number, height: number) {
  return page.waitForFunction(
    ([w, h]) => {
      const video = document.querySelector<HTMLVideoElement>(".remote-view .rv-video");
      return Boolean(video && video.videoWidth === w && video.videoHeight === h);
    },
    [width, height] as const,
    { timeout: 60_000 },
  );
}

Deno.test({
  name: "e2e: a customer with two monitors — the technician picks one, sees and clicks on it alone",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const xorg = await startXorgDummy([
      { width: 1280, height: 720 },
      { width: 1024, height: 600 },
    ]);
    const work = await Deno.makeTempDir({ prefix: "rescue-screens-e2e-" });
    const t = await startTestApp();
    let agent: Deno.ChildProcess | null = null;
    try {
      const tech = await technician(t);
      await withBrowser(t, async ({ base, newPage }) => {
        const { page, appWindow, space } = await signedInWithAgentSession(
          { t, base, newPage },
          tech,
          {
            display: xorg.display,
            stateDir: `${work}/agent-state`,
            started: (started) => agent = started,
          },
        );
        await space.locator(".remote-view .rv-control").click();
        await appWindow.locator("#allow-control").click();
        await picture(page, 2304, 720);
        step("the whole desktop: 2304×720");

        // The picker lists both screens, the primary first.
        const picker = space.locator(".remote-view select.rv-screen");
        await picker.locator("option").nth(2).waitFor({ state: "attached" });
        const options = await picker.locator("option").allTextContents();
        assert.equal(options.length, 3, `all + two screens: ${options.join(" | ")}`);
        assert.match(options[1], /DUMMY0 \(main\) · 1280×720/);
        assert.match(options[2], /DUMMY1 · 1024×600/);

        // Scale "actual size" on all screens, then the second screen: its picture alone.
        await space.locator(".remote-view .rv-actual").click();
        await picker.selectOption("DUMMY1");
        await picture(page, 1024, 600);
        assert.equal(await picker.inputValue(), "DUMMY1");
        step("the second screen alone: 1024×600");
        await space.locator(".remote-view .rv-fit").click();
        await space.locator('.remote-view .rv-fit[aria-pressed="true"]').waitFor();

        // A click in the middle of the picture lands on the second screen.
        await space.locator(".remote-view .rv-video").click();
        let x = 0;
        for (const until = Date.now() + 10_000; Date.now() < until;) {
          const location = await runX(xorg.display, "xdotool", ["getmouselocation"]);
          x = Number(/x:(\d+)/.exec(location)?.[1] ?? 0);
          if (x >= 1280) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        assert.ok(x >= 1280 + 400 && x < 1280 + 1024 - 400, `pointer on DUMMY1's middle (x=${x})`);
        step(`the click landed on the second screen (x=${x})`);

        // Each screen keeps its own scale: all screens → actual size again; DUMMY1 → fit.
        await picker.selectOption("");
        await picture(page, 2304, 720);
        await space.locator('.remote-view .rv-actual[aria-pressed="true"]').waitFor();
        await picker.selectOption("DUMMY1");
        await picture(page, 1024, 600);
        await space.locator('.remote-view .rv-fit[aria-pressed="true"]').waitFor();
        step("each screen keeps its own scale");
        if (Deno.env.get("SHOTS")) {
          await page.waitForTimeout(2_000); // the stats line reads the decoder every second
          await page.screenshot({ path: `${Deno.env.get("SHOTS")}/multi-screen-1366.png` });
          await page.setViewportSize({ width: 1920, height: 1080 });
          await page.screenshot({ path: `${Deno.env.get("SHOTS")}/multi-screen-1920.png` });
        }
      });
    } finally {
      await closeAgentWorld({ agent, app: t, xvfb: xorg, work });
    }
  },
});
