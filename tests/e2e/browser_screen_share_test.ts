// Zero-install screen view (issue 18 part 2): the customer shares the screen from the Instant
// Chat page (`getDisplayMedia`, Chromium's fake capture: a moving test pattern), the server
// receives it over WebRTC (werift) and the technician's remote-view island decodes it, says it
// is view only and offers no control. The page has one control that stops sharing ("Stop
// sharing") and says once what is shared and who sees it. Stopping on the customer's side ends it on both sides; VP9 and H.264 (forced with
// setCodecPreferences in the customer's page) pass through to the island as they are; hold
// ends a share; a share is refused while the support app is attached.
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import {
  browserTest,
  CHROMIUM_ARGS,
  CHROMIUM_HEADLESS,
  serveLoopback,
  signInPage,
  withBrowser,
} from "../support/browser.ts";
import { attachFakeAgent } from "../support/fake_agent.ts";
import {
  decodedFrames,
  fakeScreenSize,
  firstAnswerBroken,
  keepPeers,
  peerCodec,
  preferCodec,
  receiving,
  recordShareStatus,
  viewEnded,
} from "../support/share_e2e.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician, workingSession } from "../support/sessions.ts";
import { holdSession } from "../../modules/support/mod.ts";
import { remoteHub } from "../../modules/remote/mod.ts";

/** Chromium's fake screen (a moving pattern, 1280×720) granted without a picker. */
const FAKE_CAPTURE = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"];

browserTest(
  "browser: the customer shares the screen from the page; the island shows it, view only",
  async (t) => {
    const ann = await technician(t, { name: "Ann" });
    const session = await workingSession(t, ann);
    await withBrowser(t, async ({ base, newPage }) => {
      const customerBrowser = await chromium.launch({
        executablePath: CHROMIUM_HEADLESS,
        headless: true,
        args: [...CHROMIUM_ARGS, ...FAKE_CAPTURE],
      });
      try {
        const customer = Object.assign(await customerBrowser.newPage(), { errors: [] as string[] });
        customer.on("pageerror", (error) => customer.errors.push(String(error)));
        await customer.addInitScript(preferCodec);
        await customer.addInitScript(fakeScreenSize);
        await customer.addInitScript(keepPeers);
        await customer.addInitScript(recordShareStatus);
        await customer.setViewportSize({ width: 1366, height: 768 });
        await customer.goto(`${base}/s/${session.token}`);
        await customer.locator("#browser-share-start").click();
        await customer.locator("#browser-share-stop").waitFor();
        await customer.getByText(/cannot control/).waitFor();
        // Said to be shared only once the connection is up, "connecting" before.
        const said = await customer.evaluate(() =>
          (globalThis as { statusLog?: { text: string; state: string }[] }).statusLog ?? []
        );
        const claims = said.filter((entry) => /being shared/.test(entry.text));
        assert.ok(claims.length > 0, JSON.stringify(said));
        assert.ok(claims.every((entry) => entry.state === "connected"), JSON.stringify(said));
        // The screen at its own size (asked for a frame rate alone, Chromium sends 1280×720).
        assert.deepEqual(
          await customer.evaluate(() => (globalThis as { askedFor?: unknown }).askedFor),
          { video: { frameRate: 30, width: { max: 3840 }, height: { max: 2160 } }, audio: false },
        );

        const tech = await newPage();
        await tech.addInitScript(keepPeers);
        await signInPage(tech, base, ann.email, TECH_PASSWORD);
        await tech.setViewportSize({ width: 1366, height: 768 });
        await tech.goto(`${base}/console/sessions/${session.id}/remote`);
        await tech.locator(".rv-view-only").waitFor();
        assert.equal(await tech.locator(".rv-control").count(), 0, "no control offered");
        // View is granted by the share itself: the island starts the picture on its own.
        await tech.locator(".rv-view[data-state=granted]").waitFor();
        const started = performance.now();
        await tech.waitForFunction(
          () =>
            (document.querySelector("video")?.getVideoPlaybackQuality().totalVideoFrames ?? 0) > 0,
          undefined,
          { timeout: 10_000 },
        );
        const firstFrameMs = performance.now() - started;
        const before = await decodedFrames(tech);
        await tech.waitForTimeout(2_000);
        const fps = (await decodedFrames(tech) - before) / 2;
        console.log(`browser share: first frame ${firstFrameMs.toFixed(0)} ms, ${fps} fps`);
        assert.ok(fps >= 5, `the picture moves (${fps} fps)`);
        const size = await tech.evaluate(() => {
          const video = document.querySelector("video")!;
          return `${video.videoWidth}x${video.videoHeight}`;
        });
        const screen = remoteHub(t.deps).find(session.id)?.screen;
        assert.equal(size, `${screen?.width}x${screen?.height}`, "the customer's screen, whole");
        assert.equal(await peerCodec(tech, "inbound-rtp"), "video/VP8");
        // One place says it and stops it: the page names what is shared (the fake capture is a
        // screen) and who sees it once, and has one control that stops sharing, at both sizes.
        await customer.getByText("Your screen is being shared with Ann.").waitFor();
        for (const [width, height] of [[1366, 768], [1920, 1080]]) {
          await customer.setViewportSize({ width, height });
          assert.equal(await customer.locator("#remote-sharing").isHidden(), true);
          assert.equal(
            await customer.locator("#remote-technicians").isHidden(),
            true,
            "'Connected to your screen' is not said a second time",
          );
          const stops = customer.locator(":is(button, a):visible", { hasText: /stop/i });
          assert.deepEqual(await stops.allTextContents(), ["Stop sharing"]);
          await customer.screenshot({
            path: `/tmp/shots/share-customer-${width}.png`,
            fullPage: true,
          });
        }
        await customer.setViewportSize({ width: 1366, height: 768 });
        await tech.screenshot({ path: "/tmp/shots/share-tech-1366.png" });

        // The technician asks for the support app: the page offers this session's download.
        await tech.locator(".rv-ask-agent").click();
        await customer.locator("#browser-share-switch").waitFor();
        const download = await customer.getAttribute("#browser-share-agent", "href");
        assert.equal(download, `/s/${session.token}/agent`);
        await customer.screenshot({ path: "/tmp/shots/share-switch-1366.png", fullPage: true });

        // The customer stops: the server's stand-in goes, the island stops the picture.
        await customer.locator("#browser-share-stop").click();
        await customer.locator("#browser-share-start").waitFor();
        assert.match(await customer.textContent("#browser-share-status") ?? "", /has stopped/);
        await viewEnded(tech, () => !remoteHub(t.deps).find(session.id)?.agent);

        // VP9 from the browser reaches the island as it is (no transcoding). H.264 is left out:
        // this machine's Chromium offers it but sends no H.264 RTP (no encoder here).
        for (const codec of ["VP9"]) {
          await customer.evaluate(
            (name) => (globalThis as { shareCodec?: string }).shareCodec = name,
            codec,
          );
          // Its first peer never connects (the answer's ICE password is wrong, as a handshake
          // lost for good would leave it): after 20 s the page offers again by itself, the
          // screen kept, and says "connecting" meanwhile, not shared and not failed.
          const offers = await firstAnswerBroken(customer, "**/share/offer");
          await customer.locator("#browser-share-start").click();
          await customer.waitForTimeout(10_000);
          assert.equal(offers(), 1, "one peer tried in the first 10 s");
          assert.equal(
            await customer.locator("#browser-share-status").textContent(),
            "Connecting to your technician…",
          );
          await customer.getByText("Your screen is being shared with Ann.").waitFor();
          assert.equal(offers(), 2, "a second peer offered");
          await customer.unroute("**/share/offer");
          await tech.locator(".rv-view[data-state=granted]").waitFor();
          const from = await decodedFrames(tech);
          await receiving(tech, codec, 10_000);
          assert.equal(await peerCodec(tech, "inbound-rtp"), `video/${codec}`);
          assert.equal(remoteHub(t.deps).find(session.id)?.codec.name, codec.toLowerCase());
          const shown = await tech.evaluate(() => {
            const video = document.querySelector("video")!;
            return `${video.videoWidth}x${video.videoHeight}`;
          });
          const hub = remoteHub(t.deps).find(session.id)?.screen;
          assert.equal(shown, `${hub?.width}x${hub?.height}`, "the size read from the VP9 header");
          console.log(`browser share ${codec}: ${await decodedFrames(tech) - from} frames decoded`);
          await customer.locator("#browser-share-stop").click();
          await tech.locator(".rv-view-only").waitFor({ state: "detached" });
        }
        await customer.evaluate(() => delete (globalThis as { shareCodec?: string }).shareCodec);

        // A second tab of the same page shares while the first still does (as a reloaded page
        // does while the server still holds its old share): the server's end of the first share
        // is not the second's — it keeps sharing — and the first tab says sharing went on in
        // another tab (not "nothing is shared from this browser", which would be untrue).
        await customer.locator("#browser-share-start").click();
        await customer.getByText("Your screen is being shared with Ann.").waitFor();
        const second = Object.assign(await customerBrowser.newPage(), { errors: [] as string[] });
        second.on("pageerror", (error) => second.errors.push(String(error)));
        await second.addInitScript(fakeScreenSize);
        await second.goto(`${base}/s/${session.token}`);
        await second.locator("#browser-share-start").click();
        await second.getByText("Your screen is being shared with Ann.").waitFor();
        await customer.locator("#browser-share-start").waitFor();
        // Said from the state the first tab gets after its share ended (its page's events may
        // come a moment after the second tab's picture connects, on a loaded machine).
        const moved =
          "Screen sharing continues in another tab or window. Nothing is shared from this tab now.";
        await customer.locator("#browser-share-status", { hasText: moved }).waitFor({
          timeout: 10_000,
        }).catch(() => {});
        assert.equal(await customer.textContent("#browser-share-status"), moved);
        await customer.screenshot({ path: "/tmp/shots/share-moved-1366.png" });
        await second.setViewportSize({ width: 1920, height: 1080 });
        await second.screenshot({ path: "/tmp/shots/share-second-tab-1920.png" });
        await second.waitForTimeout(3_000);
        assert.equal(await second.locator("#browser-share-stop").isVisible(), true);
        assert.match(await second.textContent("#browser-share-status") ?? "", /being shared/);
        const shared = remoteHub(t.deps).find(session.id)?.customerView();
        assert.match(shared?.shareId ?? "", /^[0-9a-f-]{36}$/, "the share's id in the state");
        await second.locator("#browser-share-stop").click();
        await tech.locator(".rv-view-only").waitFor({ state: "detached" });
        assert.deepEqual(second.errors, []);
        await second.close();

        // Shared again, then held: the share stops on the customer's page too.
        await customer.locator("#browser-share-start").click();
        await customer.locator("#browser-share-stop").waitFor();
        await tech.locator(".rv-view-only").waitFor();
        await holdSession(t.deps, ann, session.id);
        await customer.locator("#browser-share-start").waitFor({ timeout: 3_000 });
        const tracksLive = await customer.evaluate(() =>
          document.getElementById("browser-share")?.dataset.sharing
        );
        assert.equal(tracksLive, "");
        // On hold, sharing is refused with a reason.
        await customer.locator("#browser-share-start").click();
        await customer.getByText("once a technician works on your session").waitFor();
        assert.deepEqual(customer.errors, []);
        assert.deepEqual(tech.errors, []);
      } finally {
        await customerBrowser.close();
      }
    });
  },
  // It failed about one loaded run in two until werift's DTLS client was found re-keying on
  // the browser's retransmitted handshake flight: every packet then failed SRTP (issue 18,
  // modules/remote/dtls_guard.ts and its test).
  { graceMs: 50 },
);

browserTest(
  "browser: no browser share while the support app is attached",
  async (t) => {
    const ann = await technician(t, { name: "Ann" });
    const session = await workingSession(t, ann);
    // Only the customer's browser (no technician's page: withBrowser's Chromium went unused).
    const server = serveLoopback(t.app.fetch);
    const base = server.base;
    const agent = await attachFakeAgent(base, session.token);
    const customerBrowser = await chromium.launch({
      executablePath: CHROMIUM_HEADLESS,
      headless: true,
      args: [...CHROMIUM_ARGS, ...FAKE_CAPTURE],
    });
    try {
      const customer = await customerBrowser.newPage();
      await customer.goto(`${base}/s/${session.token}`);
      // The page does not offer it (customer_remote.js), and the server refuses it in words.
      await customer.locator("#browser-share").waitFor({ state: "hidden" });
      await customer.waitForFunction(() =>
        document.getElementById("browser-share")?.hasAttribute("data-app-attached")
      );
      const refused = await customer.evaluate(async (offer) => {
        const csrf = document.querySelector<HTMLInputElement>("input[name=_csrf]")?.value ?? "";
        const res = await fetch(offer, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
          body: JSON.stringify({ sdp: "v=0\r\n" }),
        });
        return { status: res.status, text: await res.text() };
      }, `/s/${session.token}/share/offer`);
      assert.equal(refused.status, 409);
      assert.match(refused.text, /The support app is connected/);
      assert.equal(await customer.locator("#browser-share-stop").isHidden(), true);
      assert.equal(remoteHub(t.deps).find(session.id)?.agent?.viewOnly, undefined);
    } finally {
      await customerBrowser.close();
      agent.close();
      await server.close();
    }
  },
  { graceMs: 50 },
);
