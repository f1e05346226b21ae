// Over 400 lines on purpose: one phone and one technician walk the whole Lens story in order; splitting it would start the camera and the session again per part.
// Lens end to end (SPEC M1): the "phone" is a Chromium page at a phone's size (390×844, touch,
// isMobile) with Chromium's fake camera and microphone (a moving pattern and a beep); the
// technician is another Chromium page. The phone's camera reaches the technician through the
// server's werift peer (untranscoded) and the technician's <video> decodes frames that change;
// the customer's Pause stops them and the technician reads "Paused by the customer"; Mute is
// said too and the microphone's Opus reaches the technician; a stroke drawn by the technician
// shows on the phone over its own picture, a freeze holds both; screenshot, zoom, record, the
// page's own sound, the flashlight; the phone's page reloaded comes back; Disconnect ends it on
// both sides, the technician's End too; a second tab of the technician (in Dutch) shows the
// picture beside the first. A technician without `lens` gets 403 and no Lens in the top bar; a
// second Lens session of the same technician is refused. The link is sent by e-mail through the
// product (the real SMTP test server), and both sessions end up in Ann's recent list.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { browserTest, signInPage, withBrowser } from "../support/browser.ts";
import { launchPhoneBrowser, onTestServer, phoneContext } from "../support/lens_e2e.ts";
import { decodedFrames, firstAnswerBroken, keepPeers, peerCodec } from "../support/share_e2e.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { ADMIN } from "../support/app.ts";
import { technician } from "../support/sessions.ts";
import { defaultPermissions } from "../../modules/permissions/mod.ts";
import { lensRegistry } from "../../modules/lens/mod.ts";
import { SILENT_MS } from "../../modules/remote/screen_receiver.ts";
import { startSmtpServer } from "../../modules/mail/smtp_test_server.ts";

/** A small fingerprint of what the technician's <video> shows now (its pixels, sampled). */
const pictureHash = (page: Page): Promise<string> =>
  page.evaluate(() => {
    const video = document.querySelector("[data-lens-video]") as HTMLVideoElement;
    const canvas = document.createElement("canvas");
    canvas.width = 64;
    canvas.height = 36;
    const context = canvas.getContext("2d")!;
    context.drawImage(video, 0, 0, 64, 36);
    const data = context.getImageData(0, 0, 64, 36).data;
    let hash = 0;
    for (let i = 0; i < data.length; i++) hash = (hash * 31 + data[i]) >>> 0;
    return hash.toString(16);
  });

/** Pixels of the phone's drawing canvas that something is drawn on. */
const inkedPixels = (page: Page): Promise<number> =>
  page.evaluate(() => {
    const ink = document.querySelector("[data-lens-ink]") as HTMLCanvasElement;
    const data = ink.getContext("2d")!.getImageData(0, 0, ink.width, ink.height).data;
    let inked = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) inked++;
    return inked;
  });

/** Audio packets the technician's page received, from its peers' statistics. */
const audioPackets = (page: Page): Promise<number> =>
  page.evaluate(async () => {
    let packets = 0;
    for (const pc of (globalThis as { peers?: RTCPeerConnection[] }).peers ?? []) {
      for (const report of (await pc.getStats()).values()) {
        if (report.type === "inbound-rtp" && report.kind === "audio") {
          packets += report.packetsReceived ?? 0;
        }
      }
    }
    return packets;
  });

/**
 * In the phone's page: Chromium's fake camera has no flashlight, so this one says it has
 * (`getCapabilities().torch`) and keeps what the page asks of it in `torchAsked` — the page
 * must offer the button only for a camera that says so, and ask for the torch as the Image
 * Capture spec has it. A camera without one is seen in the test's second phone page.
 */
function phoneWithTorch() {
  const asked: unknown[] = [];
  (globalThis as { torchAsked?: unknown[] }).torchAsked = asked;
  // What the page asks of the camera, kept for the test (the fake camera has no sides).
  const getUserMedia = MediaDevices.prototype.getUserMedia;
  MediaDevices.prototype.getUserMedia = function (
    this: MediaDevices,
    constraints?: MediaStreamConstraints,
  ) {
    (globalThis as { cameraAsked?: unknown }).cameraAsked = constraints;
    return getUserMedia.call(this, constraints);
  };
  const capabilities = MediaStreamTrack.prototype.getCapabilities;
  MediaStreamTrack.prototype.getCapabilities = function (this: MediaStreamTrack) {
    const own = capabilities.call(this);
    return this.kind === "video" ? { ...own, torch: true } as MediaTrackCapabilities : own;
  };
  const apply = MediaStreamTrack.prototype.applyConstraints;
  MediaStreamTrack.prototype.applyConstraints = function (
    this: MediaStreamTrack,
    constraints?: MediaTrackConstraints,
  ) {
    const wanted = constraints as { advanced?: { torch?: boolean }[] } | undefined;
    if (wanted?.advanced?.some((set) => "torch" in set)) {
      asked.push(constraints);
      return Promise.resolve();
    }
    return apply.call(this, constraints);
  };
}

/** Whether the page's <video> decodes frames now (several within half a second). */
async function framesFlow(page: Page): Promise<boolean> {
  const before = await decodedFrames(page);
  await page.waitForTimeout(500);
  return await decodedFrames(page) >= before + 5;
}

/** Waits until `probe` is true, polling, for up to `ms`. */
async function until(probe: () => boolean | Promise<boolean>, what: string, ms = 15_000) {
  for (const deadline = Date.now() + ms; Date.now() < deadline;) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`timed out: ${what}`);
}

// The real SMTP server the e-mailed link goes to (started before the app, which reads SMTP_URL).
const smtp = await startSmtpServer();

browserTest(
  "browser: Lens — a phone's camera to the technician, pause, mute, drawing, disconnect",
  async (t) => {
    const ann = await technician(t, {
      name: "Ann",
      permissions: [...defaultPermissions(), "lens"],
    });
    const bob = await technician(t, { name: "Bob" });
    await withBrowser(t, async ({ base, newPage }) => {
      const phoneBrowser = await launchPhoneBrowser();
      try {
        // A technician without the permission: no Lens in the top bar, and 403.
        const other = await newPage();
        await signInPage(other, base, bob.email, TECH_PASSWORD);
        assert.equal(await other.locator("header nav a[href='/console/lens']").count(), 0);
        const refused = await other.goto(`${base}/console/lens`);
        assert.equal(refused?.status(), 403);

        // Ann starts a Lens session: the page gives the customer's link.
        const tech = await newPage();
        await tech.addInitScript(keepPeers);
        await signInPage(tech, base, ann.email, TECH_PASSWORD);
        await tech.setViewportSize({ width: 1366, height: 768 });
        await tech.locator("header nav a[href='/console/lens']").click();
        await tech.locator("[data-lens-start]").click();
        const link = await tech.locator("#lens-link").inputValue();
        const session = lensRegistry(t.deps).ofTechnician(ann.id)!;
        assert.ok(link.endsWith(`/lens/${session.token}`), link);
        await tech.getByText("Waiting for the customer to open the link").waitFor();
        await tech.screenshot({ path: "/tmp/shots/lens-tech-waiting-1366.png" });
        // Copy link puts the customer's link on the clipboard, and says so.
        await tech.context().grantPermissions(["clipboard-read", "clipboard-write"], {
          origin: base,
        });
        await tech.locator("[data-lens-copy]").click();
        await tech.getByRole("button", { name: "Link copied" }).waitFor();
        assert.equal(await tech.evaluate(() => navigator.clipboard.readText()), link);
        // Send by e-mail: through the product's mail (the real SMTP server), said on the page;
        // the customer's name goes into the session's record.
        await tech.getByLabel("Customer's name (optional)").fill("Carla de Vries");
        await tech.getByLabel("Customer's e-mail address").fill("carla@example.test");
        await tech.getByRole("button", { name: "Send by e-mail" }).click();
        await tech.getByText("The link was sent by e-mail to carla@example.test.").waitFor();
        assert.equal(smtp.messages.length, 1);
        assert.deepEqual(smtp.recipients[0], ["carla@example.test"]);
        assert.ok(smtp.messages[0].replace(/=\r?\n/g, "").includes(`/lens/${session.token}`));
        assert.equal(session.customerName, "Carla de Vries");
        for (const [width, height] of [[1366, 768], [1920, 1080]]) {
          await tech.setViewportSize({ width, height });
          await tech.screenshot({ path: `/tmp/shots/lens2-invite-sent-${width}.png` });
        }
        await tech.setViewportSize({ width: 1366, height: 768 });

        // A second Lens session for Ann is refused, with the reason; the first runs on.
        const second = await tech.evaluate(async () => {
          const csrf = JSON.parse(document.body.getAttribute("hx-headers")!)["X-CSRF-Token"];
          const res = await fetch("/console/lens", {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: new URLSearchParams({ _csrf: csrf }),
          });
          return { status: res.status, text: await res.text() };
        });
        assert.equal(second.status, 409);
        assert.match(second.text, /already have a Lens session running/);
        assert.equal(lensRegistry(t.deps).ofTechnician(ann.id), session);

        // The customer opens the link on the phone and starts the camera.
        const phoneAt = await phoneContext(phoneBrowser);
        const phone = await phoneAt.newPage();
        await phone.addInitScript(phoneWithTorch);
        const phoneErrors: string[] = [];
        phone.on("pageerror", (error) => phoneErrors.push(error.message));
        await phone.goto(onTestServer(link, base));
        await phone.getByText("Ann would like to see what your phone's camera sees").waitFor();
        await phone.screenshot({ path: "/tmp/shots/lens-phone-start-390.png" });
        // The technician's first peer never connects (its answer is lost on the way, so the
        // server's peer never learns it): after 20 s the page asks for a new one.
        let techAnswers = 0;
        await tech.route("**/console/lens/peer/*/answer", async (route) => {
          if (techAnswers++ === 0) return await route.fulfill({ status: 204 });
          await route.continue();
        });
        await phone.locator("[data-lens-start]").click();
        await phone.getByText("Ann sees your camera.").waitFor();
        // The rear camera preferred, and the microphone.
        assert.deepEqual(
          await phone.evaluate(() => (globalThis as { cameraAsked?: unknown }).cameraAsked),
          { video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 } }, audio: true },
        );

        // The technician's page decodes the phone's camera (over its second peer), and the
        // picture changes.
        await until(
          () => techAnswers === 2,
          "the technician's page answered a second peer",
          45_000,
        );
        await tech.waitForFunction(
          () => {
            const video = document.querySelector("[data-lens-video]") as HTMLVideoElement;
            return video.getVideoPlaybackQuality().totalVideoFrames > 0;
          },
          undefined,
          { timeout: 20_000 },
        );
        await tech.getByText("Live: you see the customer's camera.").waitFor();
        const first = await pictureHash(tech);
        await until(async () => await pictureHash(tech) !== first, "the picture changes");
        assert.equal(await peerCodec(tech, "inbound-rtp"), "video/VP8");
        const size = await tech.evaluate(() => {
          const video = document.querySelector("[data-lens-video]") as HTMLVideoElement;
          return `${video.videoWidth}x${video.videoHeight}`;
        });
        assert.equal(size, `${session.state.width}x${session.state.height}`, "untranscoded");
        console.log(`lens: the phone's picture ${size}`);
        // The microphone too: Opus packets reach the technician's page.
        await until(async () => await audioPackets(tech) > 20, "the customer's audio arrives");

        // The technician draws a line across the picture: the phone shows it.
        const ink = await tech.locator("[data-lens-ink]").boundingBox();
        assert.ok(ink);
        await tech.mouse.move(ink.x + ink.width * 0.3, ink.y + ink.height * 0.5);
        await tech.mouse.down();
        for (let i = 1; i <= 10; i++) {
          await tech.mouse.move(ink.x + ink.width * (0.3 + i * 0.04), ink.y + ink.height * 0.5);
        }
        await tech.mouse.up();
        await until(() => session.strokes.length === 1, "the stroke reaches the server");
        await until(async () => await inkedPixels(phone) > 100, "the phone shows the drawing");
        const [[x0, y0]] = session.strokes[0].points;
        assert.ok(Math.abs(x0 - 0.3) < 0.02 && Math.abs(y0 - 0.5) < 0.02, "picture coordinates");

        await phone.screenshot({ path: "/tmp/shots/lens-phone-live-390.png" });
        // This headless page may not play sound before a click: it says so, and Unmute plays it.
        await tech.getByText("Sound is off on this page").waitFor();
        await tech.locator("[data-lens-mute]").click();
        await until(
          () => tech.evaluate(() => !(document.querySelector("video") as HTMLVideoElement).muted),
          "the page plays the customer's sound",
        );
        assert.equal(await tech.getByText("Sound is off on this page").count(), 0);
        await tech.locator("[data-lens-mute]").click();
        await tech.getByText("Sound is off on this page").waitFor();

        // Freeze: both hold the same moment; the phone says so.
        await tech.locator("[data-lens-freeze]").click();
        await phone.getByText("Ann froze the picture to draw on it.").waitFor();
        assert.equal(await phone.locator("[data-lens-frozen]").isVisible(), true);
        assert.equal(await tech.locator("[data-lens-frozen]").isVisible(), true);
        // The technician's line says frozen, not "Live" beside it.
        await tech.locator("[data-lens-status]", { hasText: "Picture frozen" }).waitFor();
        assert.doesNotMatch((await tech.locator("[data-lens-status]").textContent()) ?? "", /Live/);
        for (const [width, height] of [[1366, 768], [1920, 1080]]) {
          await tech.setViewportSize({ width, height });
          await tech.screenshot({ path: `/tmp/shots/lens-tech-frozen-${width}.png` });
        }
        await phone.screenshot({ path: "/tmp/shots/lens-phone-frozen-390.png" });
        await tech.locator("[data-lens-freeze]").click();
        await phone.getByText("Ann sees your camera.").waitFor();
        // Screenshot: a PNG of the picture at its own size, the drawing in it.
        const [shot] = await Promise.all([
          tech.waitForEvent("download"),
          tech.locator("[data-lens-screenshot]").click(),
        ]);
        assert.match(shot.suggestedFilename(), /^lens-\d{8}-\d{6}\.png$/);
        const png = await Deno.readFile((await shot.path())!);
        const view = new DataView(png.buffer, png.byteOffset);
        assert.equal(view.getUint32(0), 0x89504e47, "a PNG");
        assert.equal(
          `${view.getUint32(16)}x${view.getUint32(20)}`,
          `${session.state.width}x${session.state.height}`,
          "at the picture's own size",
        );
        // Zoom: actual size is one screen pixel per picture pixel, 2× twice that.
        const shown = () =>
          tech.evaluate(() => {
            const box = document.querySelector("[data-lens-picture]")!.getBoundingClientRect();
            return `${Math.round(box.width)}x${Math.round(box.height)}`;
          });
        await tech.locator("[data-lens-zoom=actual]").click();
        assert.equal(await shown(), `${session.state.width}x${session.state.height}`);
        await tech.locator("[data-lens-zoom=double]").click();
        assert.equal(await shown(), `${session.state.width * 2}x${session.state.height * 2}`);
        await tech.screenshot({ path: "/tmp/shots/lens-tech-zoom2-1920.png" });
        await tech.locator("[data-lens-zoom=fit]").click();
        // Record is on the server, under the group's recording policy: Ann's group records
        // nothing (the default), so the page offers no Record (and downloads nothing). Recording
        // a Lens session is browser_lens_recording_test.ts's story.
        assert.equal(await tech.locator("[data-lens-record]").count(), 0);
        await tech.setViewportSize({ width: 1366, height: 768 });

        // Pause on the phone: the technician reads it, and no more frames come.
        await phone.locator("[data-lens-pause]").click();
        await tech.getByText("Paused by the customer").waitFor();
        await phone.getByText("Paused: Ann does not see your camera.").waitFor();
        // Frames already on their way may still be decoded (a loaded machine is slow to): once
        // none has come for a second, none comes for the rest of the pause.
        let held = await decodedFrames(tech);
        const giveUp = Date.now() + 10_000;
        for (let quiet = Date.now(); Date.now() - quiet < 1_000 && Date.now() < giveUp;) {
          await tech.waitForTimeout(100);
          const now = await decodedFrames(tech);
          if (now !== held) [held, quiet] = [now, Date.now()];
        }
        await tech.screenshot({ path: "/tmp/shots/lens-tech-paused-1366.png" });
        await phone.screenshot({ path: "/tmp/shots/lens-phone-paused-390.png" });
        // A pause longer than a gone phone's silence (nothing is sent while paused) does not
        // end the session.
        await tech.waitForTimeout(SILENT_MS + 1_500);
        assert.ok(!session.ended, `still running after ${SILENT_MS + 1_500} ms paused`);
        assert.equal(await decodedFrames(tech), held, "no frames while paused");
        await phone.locator("[data-lens-pause]").click();
        const resumed = await decodedFrames(tech);
        await until(async () => await decodedFrames(tech) > resumed + 10, "frames again");
        await tech.getByText("Live: you see the customer's camera.").waitFor();

        // Mute on the phone: said on the technician's page.
        await phone.locator("[data-lens-mute]").click();
        await tech.getByText("Muted by the customer").waitFor();
        // The flashlight (the stand-in's, see phoneWithTorch): asked of the camera track as the
        // Image Capture spec says, and the technician reads that it is on, then off.
        await phone.getByRole("button", { name: "Flashlight on" }).click();
        await tech.getByText("The customer's flashlight is on.").waitFor();
        assert.deepEqual(
          await phone.evaluate(() => (globalThis as { torchAsked?: unknown[] }).torchAsked),
          [{ advanced: [{ torch: true }] }],
        );
        await phone.getByRole("button", { name: "Flashlight off" }).click();
        await until(
          async () => await tech.getByText("The customer's flashlight is on.").count() === 0,
          "the flashlight is said to be off",
        );

        // The phone's page reloaded: Start again, and the technician's page gets the picture
        // over a new peer (the session's epoch); the drawing is on the new page at once. The
        // customer takes their time: the old page's peer goes silent (SILENT_MS) before the new
        // Start — the session waits for the phone (it ended "lost" here before, which a loaded
        // machine's slow reload hit now and then), and the technician reads that it waits.
        await phone.reload();
        await until(() => session.state.interrupted, "the old peer's silence", SILENT_MS + 15_000);
        await tech.getByText("The connection to the customer's phone was interrupted.").waitFor();
        await tech.screenshot({ path: "/tmp/shots/lens2-interrupted-1366.png" });
        assert.ok(!session.ended);
        // The first peer after the reload never connects (its answer's ICE password is wrong,
        // as a handshake lost for good would leave it): the phone offers again by itself after
        // 20 s, the camera kept, and says nothing of a failure meanwhile.
        const offers = await firstAnswerBroken(phone, "**/offer");
        await phone.locator("[data-lens-start]").click();
        await until(() => offers() === 1, "the first offer after the reload");
        await phone.waitForTimeout(10_000);
        assert.equal(offers(), 1, "one peer tried in the first 10 s");
        assert.equal(
          await phone.locator("[data-lens-status]").textContent(),
          "Connecting to your technician…",
        );
        await phone.getByText("Ann sees your camera.").waitFor().catch(async (error) => {
          const said = await phone.locator("[data-lens-status]").textContent();
          throw new Error(`${error}\nphone: ${said}\nsession: ${JSON.stringify(session.state)}`);
        });
        await until(async () => await inkedPixels(phone) > 100, "the drawing after a reload");
        assert.equal(offers(), 2, "a second peer offered");
        await until(() => session.state.epoch === 3, "the phone's third answered offer");
        // A new peer's stream restarts the <video>'s count: frames flowing, not a total.
        await until(() => framesFlow(tech), "frames after a reload");
        await tech.getByText("Live: you see the customer's camera.").waitFor();
        assert.equal(await tech.getByText("Muted by the customer").count(), 0, "a new page's mic");

        // Disconnect: ended on both sides; Ann may start again.
        await phone.locator("[data-lens-disconnect]").click();
        await phone.getByText("You disconnected.").waitFor();
        await tech.getByText("The customer disconnected.").waitFor();
        assert.equal(lensRegistry(t.deps).ofTechnician(ann.id), undefined);
        assert.ok(session.framesIn > 50, `${session.framesIn} frames relayed`);
        await tech.locator("[data-lens-restart]").waitFor();
        // Nothing left to end: no End button beside "Start a Lens session" (static/lens.css).
        assert.equal(await tech.locator("[data-lens-end]").isVisible(), false);
        assert.equal((await phone.goto(onTestServer(link, base)))?.status(), 404);

        // Again, with a camera that has no flashlight: no button for it. The technician ends
        // it this time, and the phone says so.
        // A minute later by the app's clock (it stands still otherwise): the recent list puts
        // the newer end first, by time.
        t.clock.advance(60_000);
        await tech.locator("[data-lens-restart] button").click();
        const link2 = await tech.locator("#lens-link").inputValue();
        // A Dutch customer reads the page in Dutch, addressed as "u".
        const dutchContext = await phoneContext(phoneBrowser, "nl-NL");
        const dutch = await dutchContext.newPage();
        await dutch.goto(onTestServer(link2, base));
        await dutch.getByText("Ann wil graag zien wat de camera van uw telefoon ziet.").waitFor();
        await dutch.screenshot({ path: "/tmp/shots/lens-phone-start-nl-390.png" });
        await dutchContext.close();
        const plain = await phoneAt.newPage();
        await plain.goto(onTestServer(link2, base));
        await plain.locator("[data-lens-start]").click();
        await plain.getByText("Ann sees your camera.").waitFor();
        await tech.getByText("Live: you see the customer's camera.").waitFor();
        assert.equal(await plain.locator("[data-lens-torch]").isVisible(), false);
        // Ended once the picture shows (an End while the page still answers the server's offer
        // would have that answer refused, 404: no session any more — true, but not this story).
        await until(async () => await decodedFrames(tech) > 0, "the second session's picture");
        // Ann opens the page in a second tab, in Dutch: both tabs show the picture (neither
        // takes it from the other), the tools' words fit at 1366.
        const dutchTech = await newPage({ locale: "nl-NL" });
        await signInPage(dutchTech, base, ann.email, TECH_PASSWORD);
        await dutchTech.setViewportSize({ width: 1366, height: 768 });
        await dutchTech.goto(`${base}/console/lens`);
        await dutchTech.getByText("Live: je ziet de camera van de klant.").waitFor();
        await until(async () => await decodedFrames(dutchTech) > 0, "the dutchTech tab's picture");
        const firstTab = await decodedFrames(tech);
        await until(async () => await decodedFrames(tech) > firstTab + 10, "the first tab goes on");
        const toolbar = await dutchTech.locator(".lens-toolbar").boundingBox();
        assert.ok(toolbar && toolbar.height < 50, "the Dutch toolbar is one row at 1366");
        await dutchTech.screenshot({ path: "/tmp/shots/lens-tech-nl-1366.png" });
        await tech.locator("[data-lens-end]").click();
        await plain.getByText("The session has ended. Your camera is no longer shared.").waitFor();
        assert.equal(
          await plain.evaluate(() =>
            (document.querySelector("[data-lens-video]") as HTMLVideoElement).srcObject
          ),
          null,
          "the camera is let go",
        );
        await tech.locator("[data-lens-start]").waitFor();
        // Both sessions are in Ann's recent list: how each ended, the customer's name if given.
        const recent = tech.locator("[data-lens-recent] tbody tr");
        assert.equal(await recent.count(), 2);
        assert.match(await recent.nth(0).innerText(), /not given\s+Ended by the technician/);
        assert.match(await recent.nth(1).innerText(), /Carla de Vries\s+The customer disconnected/);
        for (const [width, height] of [[1366, 768], [1920, 1080]]) {
          await tech.setViewportSize({ width, height });
          await tech.screenshot({ path: `/tmp/shots/lens2-recent-${width}.png` });
        }
        // The admin's audit log says whose session ended, how and after how long.
        const admin = await newPage();
        await signInPage(admin, base, ADMIN.email, ADMIN.password);
        await admin.goto(`${base}/admin/audit?action=lens.ended`);
        await admin.getByText(
          "Ann's Lens session ended: the customer disconnected, after",
        ).waitFor();
        await admin.getByText("Customer: Carla de Vries.").waitFor();
        for (const [width, height] of [[1366, 768], [1920, 1080]]) {
          await admin.setViewportSize({ width, height });
          await admin.screenshot({ path: `/tmp/shots/lens2-audit-${width}.png` });
        }
        assert.deepEqual(phoneErrors, []);
        // The one error is the test's own second start (409), refused as it should be.
        assert.deepEqual(tech.errors, [
          "console: Failed to load resource: the server responded with a status of 409 (Conflict)",
        ]);
      } finally {
        for (const running of lensRegistry(t.deps).all()) running.end("technician");
        await phoneBrowser.close();
        await smtp.close();
      }
    });
  },
  { env: { SMTP_URL: smtp.url } },
);
