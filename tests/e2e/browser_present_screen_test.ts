// The technician shows their own screen to the customer (SPEC R11): the technician's Chromium
// shares its (fake, moving) screen from the workspace's Show screen tab (its first peer never
// connects: the page offers a second one by itself, the capture kept); the customer's page
// asks first (View / Not now), then shows the picture decoded at its real size and moving; the
// viewer fits, zooms, shows a magnifier below 100 % and goes full screen; the technician picks
// another screen (the same connection: replaceTrack) and the customer's picture takes its size;
// the technician's tab says truthfully whether the customer watches; End on the customer's side
// stops it on both, in the log as the customer's; a technician without `shareScreen` has no tab
// and gets 403; with the support app attached, its window says the screen is shown on the
// support page in the browser and links there, until the technician stops. Screenshots at
// 1366×768 and 1920×1080 in /tmp/shots/share-*.png.
import assert from "node:assert/strict";
import { chromium, type Page } from "playwright-core";
import {
  browserTest,
  CHROMIUM_ARGS,
  CHROMIUM_HEADLESS,
  signInPage,
  withBrowser,
} from "../support/browser.ts";
import { fakeScreenSize, firstAnswerBroken, keepPeers } from "../support/share_e2e.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import type { TestApp } from "../support/app.ts";
import { technician, workingSession } from "../support/sessions.ts";
import { defaultPermissions } from "../../modules/permissions/mod.ts";
import { readLog } from "../../modules/support/mod.ts";
import { presentationOf } from "../../modules/remote/present_routes.tsx";
import { remoteHub } from "../../modules/remote/mod.ts";
import { runAgent } from "../support/agent_e2e.ts";
import { startXvfb } from "../../agent/platform/xvfb_test_support.ts";

/** Chromium's fake screen (a moving pattern) granted without a picker. */
const FAKE_CAPTURE = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"];

/** The customer's viewer: decoded frames, picture size, and a fingerprint of the picture. */
const viewerPicture = (page: Page) =>
  page.evaluate(() => {
    const video = document.querySelector<HTMLVideoElement>("#tech-screen-video")!;
    const frames = video.getVideoPlaybackQuality().totalVideoFrames;
    let sum = 0;
    if (video.videoWidth) {
      const canvas = document.createElement("canvas");
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      const context = canvas.getContext("2d")!;
      context.drawImage(video, 0, 0);
      const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 0; i < data.length; i += 97) sum = (sum * 31 + data[i]) >>> 0;
    }
    return { frames, size: `${video.videoWidth}x${video.videoHeight}`, sum };
  });

/** The session's log line `body`, once written (each in its own transaction, as it happens). */
async function logged(t: TestApp, sessionId: string, body: string) {
  for (const until = Date.now() + 10_000; Date.now() < until;) {
    const line = (await readLog(t.deps.db, sessionId)).find((l) => l.body === body);
    if (line) return line;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`no log line ${body}`);
}

const scaleOf = (page: Page) =>
  page.evaluate(() => Number(document.getElementById("tech-screen")?.dataset.scale ?? 0));

browserTest(
  "browser: the technician shows their screen; the customer views, zooms, magnifies and ends it",
  async (t) => {
    const ann = await technician(t, {
      name: "Ann",
      permissions: [...defaultPermissions(), "shareScreen"],
    });
    const carl = await technician(t, { name: "Carl" });
    const session = await workingSession(t, ann, "pin");
    const carlSession = await workingSession(t, carl);
    const id = session.id;
    await withBrowser(t, async ({ base, newPage }) => {
      const techBrowser = await chromium.launch({
        executablePath: CHROMIUM_HEADLESS,
        headless: true,
        args: [...CHROMIUM_ARGS, ...FAKE_CAPTURE],
      });
      try {
        const tech = Object.assign(await techBrowser.newPage(), { errors: [] as string[] });
        tech.setDefaultTimeout(30_000);
        tech.on("pageerror", (error) => tech.errors.push(String(error)));
        await tech.addInitScript(fakeScreenSize);
        await tech.setViewportSize({ width: 1366, height: 768 });
        const customer = await newPage();
        await customer.addInitScript(keepPeers);
        // Every request of this feature on the customer's page succeeds, and the page logs no
        // error at all (a failed load of another tool's request would show there too).
        const refusedHere: string[] = [];
        customer.on("response", (r) => {
          if (/\/present\/|customer_present/.test(r.url()) && r.status() >= 400) {
            refusedHere.push(`${r.status()} ${r.url()}`);
          }
        });
        await customer.setViewportSize({ width: 1366, height: 768 });
        await customer.goto(`${base}/s/${session.token}`);

        // ---- the technician's workspace: the Show screen tab, Show my screen ----
        await signInPage(tech, base, ann.email, TECH_PASSWORD);
        await tech.goto(`${base}/console`);
        await tech.locator(`#session-tabs [data-tab-session="${id}"]`).click();
        await tech.click(`#ws-tab-present-${id}`);
        const panel = tech.locator(`#ws-panel-present-${id} [data-present]`);
        // Its first peer never connects (the answer's ICE password is wrong, as a handshake lost
        // for good would leave it): after 20 s the page offers again by itself with the same
        // capture (the screen is not asked for again), and the story goes on over that peer.
        const offers = await firstAnswerBroken(tech, "**/present/offer");
        await panel.locator("[data-present-start]").click();
        await tech.waitForTimeout(10_000);
        assert.equal(offers(), 1, "one peer tried in the first 10 s");
        assert.equal(await panel.locator("[data-present-stop]").isVisible(), true);
        for (const until = Date.now() + 30_000; offers() < 2 && Date.now() < until;) {
          await tech.waitForTimeout(200);
        }
        assert.equal(offers(), 2, "a second peer offered");
        await tech.unroute("**/present/offer");
        assert.equal(await tech.evaluate(() => (globalThis as { asks?: number }).asks), 1);
        await tech.locator(`#ws-panel-present-${id} [data-present][data-phase=offered]`).waitFor();
        assert.match(
          await panel.locator("[data-present-status]").textContent() ?? "",
          /asked to view your screen\. They are not watching yet/,
        );

        // ---- the customer is asked first: nothing is received before View ----
        await customer.locator("#tech-screen-ask").waitFor();
        assert.equal(
          await customer.textContent("#tech-screen-ask-text"),
          "Ann wants to show you their screen.",
        );
        assert.equal(
          await customer.evaluate(() => (globalThis as { peers?: unknown[] }).peers?.length ?? 0),
          0,
        );
        await customer.locator("#tech-screen-view").click();
        await customer.waitForFunction(
          () =>
            (document.querySelector<HTMLVideoElement>("#tech-screen-video")
              ?.getVideoPlaybackQuality().totalVideoFrames ?? 0) > 0,
          undefined,
          { timeout: 20_000 },
        );
        // Decoded at the technician's screen's real size, and moving.
        const first = await viewerPicture(customer);
        assert.equal(first.size, "1280x720");
        const shown = presentationOf(t.deps, id);
        assert.deepEqual(shown?.size, { width: 1280, height: 720 });
        await customer.waitForTimeout(1_500);
        const later = await viewerPicture(customer);
        assert.ok(
          later.frames - first.frames >= 5,
          `the picture moves (${first.frames} → ${later.frames})`,
        );
        assert.notEqual(later.sum, first.sum, "the picture changes");
        // The technician's tab says the customer watches — once frames went to them.
        await tech.locator(`#ws-panel-present-${id} [data-present][data-phase=watching]`).waitFor();
        assert.equal(
          await panel.locator("[data-present-status]").textContent(),
          "The customer is watching your screen.",
        );
        assert.ok((shown?.framesOut ?? 0) > 0);

        // ---- the viewer: fit (below 100 % here), zoom, magnifier, actual size ----
        const fitted = await scaleOf(customer);
        assert.ok(fitted > 0 && fitted < 100, `fits the page at ${fitted} %`);
        const magnifier = customer.locator("#tech-screen-magnifier");
        assert.equal(await magnifier.isVisible(), true, "a magnifier below 100 %");
        await magnifier.click();
        const video = customer.locator("#tech-screen-video");
        const box = (await video.boundingBox())!;
        await customer.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        await customer.locator("#tech-screen-lens").waitFor();
        await customer.screenshot({ path: "/tmp/shots/share-present-customer-1366.png" });
        await tech.screenshot({ path: "/tmp/shots/share-present-tech-1366.png" });
        await customer.locator("[data-zoom='1']").click();
        assert.ok(await scaleOf(customer) > fitted, "zoomed in");
        await customer.locator("[data-zoom='-1']").click();
        await customer.locator("[data-zoom='-1']").click();
        assert.ok(await scaleOf(customer) < fitted, "zoomed out");
        await customer.locator("[data-scale=actual]").click();
        assert.equal(await scaleOf(customer), 100);
        assert.equal((await video.boundingBox())?.width, 1280, "actual size: one pixel each");
        assert.equal(await magnifier.isVisible(), false, "no magnifier at 100 %");
        assert.equal(await customer.locator("#tech-screen-lens").isVisible(), false);
        await customer.locator("[data-scale=fit]").click();
        // Full screen: the viewer alone, the picture fitted to the screen.
        await customer.locator("#tech-screen-fullscreen").click();
        await customer.waitForFunction(() =>
          document.fullscreenElement?.id === "tech-screen-viewer"
        );
        await customer.locator("#tech-screen-fullscreen").click();
        await customer.waitForFunction(() => document.fullscreenElement === null);

        // ---- at 1920×1080: both sides ----
        for (const page of [tech, customer]) {
          await page.setViewportSize({ width: 1920, height: 1080 });
        }
        await customer.locator("[data-zoom='-1']").click();
        await customer.locator("#tech-screen-magnifier").click();
        const wide = (await video.boundingBox())!;
        // Over the clock's digits at the top left, which the lens shows at 100 %.
        await customer.mouse.move(wide.x + wide.width * 0.2, wide.y + wide.height * 0.08);
        await customer.locator("#tech-screen-lens").waitFor();
        await customer.screenshot({ path: "/tmp/shots/share-present-customer-1920.png" });
        await tech.screenshot({ path: "/tmp/shots/share-present-tech-1920.png" });
        for (const page of [tech, customer]) {
          await page.setViewportSize({ width: 1366, height: 768 });
        }

        // ---- another screen: the same connection, the customer's picture takes its size ----
        await tech.evaluate(() =>
          (globalThis as { fakeScreen?: number[] }).fakeScreen = [960, 540]
        );
        await panel.locator("[data-present-change]").click();
        await customer.waitForFunction(
          () => {
            const v = document.querySelector<HTMLVideoElement>("#tech-screen-video");
            return v?.videoWidth === 960 && v.videoHeight === 540;
          },
          undefined,
          { timeout: 20_000 },
        );
        assert.equal(presentationOf(t.deps, id), shown, "the same presentation");
        assert.equal(
          await customer.evaluate(() => (globalThis as { peers?: unknown[] }).peers?.length),
          1,
          "no new connection",
        );

        // ---- the customer's page reloads: the tab no longer says watching; asked again ----
        await customer.reload();
        await tech.locator(`#ws-panel-present-${id} [data-present][data-phase=offered]`).waitFor({
          timeout: 20_000,
        });
        assert.match(
          await panel.locator("[data-present-status]").textContent() ?? "",
          /They are not watching yet/,
        );
        await customer.locator("#tech-screen-view").click();
        await tech.locator(`#ws-panel-present-${id} [data-present][data-phase=watching]`).waitFor();
        await customer.waitForFunction(() =>
          (document.querySelector<HTMLVideoElement>("#tech-screen-video")?.videoWidth ?? 0) === 960
        );

        // ---- the customer ends it: stopped on both sides, logged as the customer's ----
        await customer.locator("#tech-screen-end").click();
        assert.equal(
          await customer.textContent("#tech-screen-ended"),
          "You ended viewing your technician's screen.",
        );
        assert.equal(await customer.locator("#tech-screen-viewer").isHidden(), true);
        await tech.locator(`#ws-panel-present-${id} [data-present][data-phase=none]`).waitFor();
        await panel.locator("[data-present-start]").waitFor();
        assert.equal(
          await panel.locator("[data-present-status]").textContent(),
          "The customer ended it: they no longer see your screen.",
        );
        assert.equal(await panel.locator(".present-preview").isHidden(), true);
        assert.equal(presentationOf(t.deps, id), undefined);
        // The log lines are written as it happens, each in its own transaction: waited for.
        for (const key of ["started", "accepted", "watching", "endedByCustomer"]) {
          await logged(t, id, `log.present.${key}`);
        }
        // The technician's capture stopped too (the browser's capture indicator goes).
        assert.equal(
          await tech.evaluate(() =>
            (document.querySelector<HTMLVideoElement>("[data-present-preview]")?.srcObject ??
              null) === null
          ),
          true,
        );

        // ---- a technician without shareScreen: no tab, and 403 from the server ----
        const carlPage = await newPage();
        await signInPage(carlPage, base, carl.email, TECH_PASSWORD);
        await carlPage.goto(`${base}/console`);
        await carlPage.locator(`#session-tabs [data-tab-session="${carlSession.id}"]`).click();
        await carlPage.locator(`#ws-tab-chat-${carlSession.id}`).waitFor();
        assert.equal(await carlPage.locator(`#ws-tab-present-${carlSession.id}`).count(), 0);
        const refused = await carlPage.evaluate(async (path) => {
          const csrf = document.querySelector<HTMLInputElement>("input[name=_csrf]")?.value ?? "";
          const res = await fetch(path, {
            method: "POST",
            headers: { "X-CSRF-Token": csrf, "Content-Type": "application/json" },
            body: JSON.stringify({ sdp: "v=0\r\n" }),
          });
          return res.status;
        }, `/console/sessions/${carlSession.id}/present/offer`);
        assert.equal(refused, 403);

        // ---- with the support app: its window says where the screen is shown, and links it ----
        // The app follows only a link on the server it was given: the app's own address here.
        (t.deps.config as { publicUrl: string }).publicUrl = base;
        const xvfb = await startXvfb({ width: 800, height: 600 });
        const work = await Deno.makeTempDir({ prefix: "present-agent-" });
        const app = runAgent({
          pin: session.pin!,
          server: base,
          display: xvfb.display,
          stateDir: work,
        });
        try {
          const appWindow = await newPage();
          await appWindow.setViewportSize({ width: 1366, height: 768 });
          await appWindow.goto(await app.page);
          await appWindow.locator("#consent").waitFor();
          for (let i = 0; i < 200 && !remoteHub(t.deps).find(id)?.agent; i++) {
            await appWindow.waitForTimeout(50);
          }
          assert.ok(remoteHub(t.deps).find(id)?.agent, "the support app is attached");
          assert.equal(await appWindow.locator("#presenting").isHidden(), true);
          await panel.locator("[data-present-start]").click();
          await appWindow.locator("#presenting").waitFor();
          assert.equal(
            await appWindow.textContent("#presenting-text"),
            "Ann wants to show you their screen. It is shown on your support page in the browser, not in this window.",
          );
          assert.equal(
            await appWindow.getAttribute("#presenting-link", "href"),
            `${base}/s/${session.token}`,
          );
          await customer.locator("#tech-screen-ask").waitFor();
          await appWindow.screenshot({ path: "/tmp/shots/share-present-app-1366.png" });
          await panel.locator("[data-present-stop]").click();
          await appWindow.locator("#presenting").waitFor({ state: "hidden" });
          await customer.locator("#tech-screen-ask").waitFor({ state: "hidden" });
          assert.equal((await logged(t, id, "log.present.stopped")).authorName, "Ann");
        } finally {
          try {
            app.agent.kill();
          } catch { /* gone */ }
          await app.agent.status;
          await xvfb.stop();
          await Deno.remove(work, { recursive: true }).catch(() => {});
        }

        assert.deepEqual(tech.errors, []);
        assert.deepEqual(refusedHere, []);
        assert.deepEqual(customer.errors, []);
      } finally {
        await techBrowser.close();
      }
    });
  },
);
