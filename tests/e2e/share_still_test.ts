// The browser share of a still screen costs (almost) nothing (issue 18): Chromium's X11 screen
// capturer hands over every tick of an unchanged screen, and static/customer_share.js holds
// frames equal to the one before back once the picture has been still for a second. A real
// capture (not Chromium's moving fake) of an Xvfb screen whose root window does not change:
// the customer's browser encodes about one frame a second; a change (the root's colour) is
// encoded straight away, and then the picture goes quiet again.
import assert from "node:assert/strict";
import { chromium, type Page } from "playwright-core";
import { browserTest, CHROMIUM, CHROMIUM_ARGS, serveLoopback } from "../support/browser.ts";
import { keepPeers } from "../support/share_e2e.ts";
import { technician, workingSession } from "../support/sessions.ts";
import { startXvfb } from "../../agent/platform/xvfb_test_support.ts";

async function x(display: string, command: string, args: string[]): Promise<void> {
  const env = { DISPLAY: display };
  const done = await new Deno.Command(command, { args, env, stderr: "null" })
    .output();
  assert.ok(done.success, `${command} ${args.join(" ")}`);
}

/** Frames the customer's browser encoded for its share, from its peer connection's stats. */
const encoded = (page: Page): Promise<number> =>
  page.evaluate(async () => {
    const peers = (globalThis as { peers?: RTCPeerConnection[] }).peers ?? [];
    let frames = 0;
    for (const pc of peers) {
      for (const report of (await pc.getStats()).values()) {
        if (report.type === "outbound-rtp" && report.kind === "video") {
          frames += report.framesEncoded ?? 0;
        }
      }
    }
    return frames;
  });

browserTest("browser share: a still screen is encoded about once a second", async (t) => {
  const ann = await technician(t, { name: "Ann" });
  const session = await workingSession(t, ann);
  // A free display of its own, used as soon as it answers (was: a random one of 20, and a
  // second's sleep for it to start).
  const xvfb = await startXvfb({ width: 1280, height: 720 });
  const display = xvfb.display;
  try {
    // WM_STATE interned (see tools/bench_remote/share.ts), a still root window.
    await x(display, "xprop", ["-root", "-f", "WM_STATE", "32c", "-set", "WM_STATE", "0"]);
    await x(display, "xprop", ["-root", "-remove", "WM_STATE"]);
    await x(display, "xsetroot", ["-solid", "#204060"]);
    const server = serveLoopback(t.app.fetch);
    const base = server.base;
    // The full browser: the headless shell cannot capture an X display.
    const customerBrowser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      env: { ...Deno.env.toObject(), DISPLAY: display, LANGUAGE: "en" },
      args: [...CHROMIUM_ARGS, "--auto-select-desktop-capture-source=Entire screen"],
    });
    try {
      const customer = await customerBrowser.newPage();
      await customer.addInitScript(keepPeers);
      await customer.goto(`${base}/s/${session.token}`);
      await customer.locator("#browser-share-start").click();
      await customer.locator("#browser-share-stop").waitFor();
      await customer.waitForFunction(() =>
        (globalThis as { peers?: RTCPeerConnection[] }).peers?.[0]?.connectionState ===
          "connected"
      );
      // Still: after the first second, about one frame a second (without the hold: ~30).
      await customer.waitForTimeout(2_500);
      const stillFrom = await encoded(customer);
      await customer.waitForTimeout(3_000);
      const still = (await encoded(customer) - stillFrom) / 3;
      // A change is sent at once, and refined for a second.
      await x(display, "xsetroot", ["-solid", "#c08020"]);
      await customer.waitForTimeout(700);
      const changed = await encoded(customer) - stillFrom - still * 3;
      console.log(`still screen: ${still.toFixed(1)} frames/s; after a change ${changed} in 0.7 s`);
      assert.ok(still <= 2, `a still screen is encoded about once a second (${still}/s)`);
      assert.ok(changed >= 3, `a change is encoded at once (${changed} frames in 0.7 s)`);
      await customer.locator("#browser-share-stop").click();
      await customer.locator("#browser-share-start").waitFor();
    } finally {
      await customerBrowser.close();
      await server.close();
    }
  } finally {
    await xvfb.stop();
  }
});
