/**
 * H.264 from the agent when every viewer decodes it (issue 14), on real parts: Xvfb with a
 * solid-coloured desktop, the real agent (`agent/main.ts`: OpenH264 and libvpx over FFI), the
 * real server and Chromium. The technician's island says Chromium decodes H.264 → the server
 * tells the agent → the technician's peer receives `video/H264` (Chromium's getStats) and the
 * picture is the desktop's colour. A second window of the technician whose browser says it
 * decodes VP8 only (its receiver capabilities without H.264, as Firefox ESR without Cisco's
 * plugin) joins → the session turns to VP8 and both windows get the picture in VP8; it closes →
 * H.264 again. Each island's stats line names the codec its browser receives, and the VP8-only
 * window is offered VP8 from its first offer (never H.264, which it could not decode).
 * CODEC_SHOTS (a folder) takes screenshots of the islands naming their codec at 1366 and 1920.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { startTestApp } from "../support/app.ts";
import { signInPage, withBrowser } from "../support/browser.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician } from "../support/sessions.ts";
import { closeAgentWorld, pinSessionWithAgent, startFromQueue } from "../support/agent_e2e.ts";
import { colourShare, decodedFrames, keepPeers, peerCodec } from "../support/share_e2e.ts";
import { runX, startXvfb } from "../../agent/platform/xvfb_test_support.ts";
import { H264Encoder } from "../../agent/media/h264.ts";

const step = (what: string) => console.log(`  · ${what}`);
const SHOTS = Deno.env.get("CODEC_SHOTS");
/** The desktop's colour (xsetroot), looked for in the viewers' pictures. */
const DESKTOP: [number, number, number] = [0x22, 0x88, 0xdd];

/** An init script: this browser's receiver lists no H.264 (the island then reports VP8 only). */
function withoutH264() {
  const original = RTCRtpReceiver.getCapabilities.bind(RTCRtpReceiver);
  RTCRtpReceiver.getCapabilities = (kind: string) => {
    const capabilities = original(kind);
    if (!capabilities) return capabilities;
    return {
      ...capabilities,
      codecs: capabilities.codecs.filter((c) => c.mimeType.toLowerCase() !== "video/h264"),
    };
  };
}

/** An init script: the video codecs of every offer this page's peers are given, in order. */
function recordOffers() {
  const offers: string[][] = [];
  (globalThis as { offers?: string[][] }).offers = offers;
  const original = RTCPeerConnection.prototype.setRemoteDescription as (
    this: RTCPeerConnection,
    description: RTCSessionDescriptionInit,
  ) => Promise<void>;
  RTCPeerConnection.prototype.setRemoteDescription = function (
    this: RTCPeerConnection,
    description: RTCSessionDescriptionInit,
  ) {
    if (description?.type === "offer") {
      const rtpmaps = (description.sdp ?? "").matchAll(/a=rtpmap:\d+ ([\w-]+)\/90000/g);
      offers.push([...rtpmaps].map((m) => m[1]));
    }
    return original.call(this, description);
  };
}

const offersOf = (page: Page) =>
  page.evaluate(() => (globalThis as { offers?: string[][] }).offers ?? []);

/** Waits until the island's stats line names `name` as the codec (it reads getStats each second). */
async function namesCodec(page: Page, name: string, who: string) {
  const codec = page.locator(".remote-view .rv-stat-codec");
  let shown = "";
  for (const until = Date.now() + 10_000; Date.now() < until;) {
    shown = (await codec.textContent()) ?? "";
    if (shown.endsWith(`: ${name}`)) break;
    await page.waitForTimeout(200);
  }
  assert.ok(shown.endsWith(`: ${name}`), `${who}: the island shows "${shown}", not ${name}`);
  step(`${who}: the island shows "${shown}"`);
}

/** Screenshots of `page` at 1366×768 and 1920×1080 into CODEC_SHOTS, when set. */
async function shots(page: Page, name: string) {
  if (!SHOTS) return;
  await Deno.mkdir(SHOTS, { recursive: true });
  for (const size of [{ width: 1920, height: 1080 }, { width: 1366, height: 768 }]) {
    await page.setViewportSize(size);
    await page.waitForTimeout(1_500); // a stats round at the new size
    await page.screenshot({ path: `${SHOTS}/codecui_${name}_${size.width}.png` });
  }
}

/** Waits until `page` receives the picture in `codec` and it shows the desktop's colour. */
async function showsDesktopIn(page: Page, codec: string, who: string) {
  let seen = "";
  let share = 0;
  for (const until = Date.now() + 60_000; Date.now() < until;) {
    seen = await peerCodec(page, "inbound-rtp");
    share = seen === codec ? await colourShare(page, DESKTOP) : 0;
    if (share > 0.9) break;
    await page.waitForTimeout(200);
  }
  assert.equal(seen, codec, `${who}: the codec received`);
  assert.ok(share > 0.9, `${who}: ${(share * 100).toFixed(1)} % of the picture is the desktop's`);
  const frames = await decodedFrames(page);
  step(`${who}: ${codec}, ${(share * 100).toFixed(1)} % desktop colour, ${frames} frames decoded`);
}

Deno.test({
  name: "e2e: the agent sends H.264 while every viewer decodes it, VP8 while one cannot",
  ignore: !H264Encoder.available(),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const xvfb = await startXvfb({ width: 1280, height: 720 });
    const hex = DESKTOP.map((v) => v.toString(16).padStart(2, "0"));
    await runX(xvfb.display, "xsetroot", ["-solid", `rgb:${hex.join("/")}`]);
    const work = await Deno.makeTempDir({ prefix: "rescue-h264-e2e-" });
    const t = await startTestApp();
    let agent: Deno.ChildProcess | null = null;
    try {
      const tech = await technician(t);
      await withBrowser(t, async ({ base, newPage }) => {
        (t.deps.config as { publicUrl: string }).publicUrl = base;
        const page = await newPage();
        await page.addInitScript(keepPeers);
        await page.setViewportSize({ width: 1366, height: 768 });
        await signInPage(page, base, tech.email, TECH_PASSWORD);
        const { session, customerApp, appWindow } = await pinSessionWithAgent(
          t.deps,
          page,
          newPage,
          { base, display: xvfb.display, stateDir: `${work}/agent-state` },
        );
        agent = customerApp.agent;
        const space = await startFromQueue(page, session.id);
        await space.locator(".remote-view .rv-control").click();
        await appWindow.locator("#allow-control").click();
        await showsDesktopIn(page, "video/H264", "the technician (Chromium)");
        await namesCodec(page, "H.264", "the technician");
        await shots(page, "h264");

        // A second window whose browser decodes VP8 only: the whole session turns to VP8.
        const vp8Only = await newPage();
        await vp8Only.addInitScript(withoutH264);
        await vp8Only.addInitScript(keepPeers);
        await vp8Only.addInitScript(recordOffers);
        await vp8Only.setViewportSize({ width: 1366, height: 768 });
        await signInPage(vp8Only, base, tech.email, TECH_PASSWORD);
        await vp8Only.goto(`${base}/console/sessions/${session.id}/remote`);
        await showsDesktopIn(vp8Only, "video/VP8", "the VP8-only window");
        await namesCodec(vp8Only, "VP8", "the VP8-only window");
        // Its island said what it decodes before switching view on: the first offer is VP8.
        const offers = await offersOf(vp8Only);
        step(`the VP8-only window's offers: ${JSON.stringify(offers)}`);
        assert.deepEqual(offers[0], ["VP8"], "its first offer carries VP8");
        assert.ok(offers.every((codecs) => !codecs.includes("H264")), "never an H.264 offer");
        await showsDesktopIn(page, "video/VP8", "the technician, beside it");
        await namesCodec(page, "VP8", "the technician, beside it");
        await shots(vp8Only, "vp8");

        // It closes: H.264 again for the one left.
        await vp8Only.close();
        await showsDesktopIn(page, "video/H264", "the technician, alone again");
        await namesCodec(page, "H.264", "the technician, alone again");
        assert.deepEqual(page.errors, []);
      });
    } finally {
      await closeAgentWorld({ agent, app: t, xvfb, work });
    }
  },
});
