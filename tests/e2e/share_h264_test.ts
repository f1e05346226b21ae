// A browser share in H.264 (issue 18: "accept what the browser sends — VP8, VP9, H.264 — and
// relay it without transcoding"): Safari sends H.264; this machine's Chromium offers it but has
// no encoder, so a werift peer stands in for the customer's browser (tests/support/h264_share.ts)
// and sends a real H.264 clip through the customer page's own share route. The server agrees on
// H.264 alone, takes the picture's size from the stream's SPS, and offers H.264 to the
// technician's remote view, whose Chromium decodes it: frames counted, the clip's size and
// colours on screen, the codec in the view's own statistics. Closing the sender's peer ends the
// share on the technician's side with the view-only notice gone.
import assert from "node:assert/strict";
import { browserTest, withBrowser } from "../support/browser.ts";
import { accessUnits, H264_CLIP, H264_CLIP_BLUE, shareH264 } from "../support/h264_share.ts";
import {
  colourShare,
  decodedFrames,
  peerCodec,
  technicianView,
  videoSize,
} from "../support/share_e2e.ts";
import { technician, workingSession } from "../support/sessions.ts";
import { remoteHub } from "../../modules/remote/mod.ts";
import { SILENT_MS } from "../../modules/remote/screen_receiver.ts";

Deno.test("h264 clip: 60 access units of two slices, an IDR with its parameter sets every 30", async () => {
  const units = accessUnits(await Deno.readFile(H264_CLIP));
  assert.equal(units.length, 60);
  const types = (unit: Uint8Array) => {
    const found: number[] = [];
    for (let i = 0; i + 4 < unit.length; i++) {
      if (unit[i] === 0 && unit[i + 1] === 0 && unit[i + 2] === 0 && unit[i + 3] === 1) {
        found.push(unit[i + 4] & 0x1f);
      }
    }
    return found;
  };
  for (const [n, unit] of units.entries()) {
    const nals = types(unit);
    if (n % 30 === 0) {
      assert.deepEqual(nals.filter((t) => t !== 6), [7, 8, 5, 5], `picture ${n}`);
    } else assert.deepEqual(nals, [1, 1], `picture ${n}`);
  }
});

browserTest(
  "browser share in H.264: passed through to the technician's view, not transcoded",
  async (t) => {
    const ann = await technician(t, { name: "Ann" });
    const session = await workingSession(t, ann);
    await withBrowser(t, async ({ base, newPage }) => {
      // The customer's page gives the sender its cookies and CSRF token.
      const customer = await newPage();
      await customer.goto(`${base}/s/${session.token}`);
      const share = await shareH264((sdp) =>
        customer.evaluate(async ({ url, sdp }) => {
          const token = document.querySelector<HTMLInputElement>("input[name=_csrf]")?.value;
          const response = await fetch(url, {
            method: "POST",
            headers: { "X-CSRF-Token": token ?? "", "Content-Type": "application/json" },
            body: JSON.stringify({ sdp }),
          });
          return { status: response.status, body: await response.text() };
        }, { url: `${base}/s/${session.token}/share/offer`, sdp })
      );
      try {
        assert.match(share.answer, /a=rtpmap:\d+ H264\/90000/, "the server agrees on H.264");
        assert.doesNotMatch(share.answer, /VP8|VP9/, "and on nothing else");

        const tech = await technicianView(newPage, base, ann.email, session.id);
        await tech.waitForFunction(
          () =>
            (document.querySelector("video")?.getVideoPlaybackQuality().totalVideoFrames ?? 0) > 0,
          undefined,
          { timeout: 15_000 },
        );
        const from = await decodedFrames(tech);
        await tech.waitForTimeout(2_000);
        const fps = (await decodedFrames(tech) - from) / 2;
        console.log(`h264 share: ${fps} fps decoded, ${share.sent()} pictures sent`);
        assert.ok(fps >= 10, `the picture moves (${fps} fps of 30 sent)`);

        const hub = remoteHub(t.deps).find(session.id);
        assert.equal(hub?.codec.name, "h264", "relayed as it came");
        assert.deepEqual(hub?.screen, { width: 640, height: 360 }, "the size read from the SPS");
        assert.equal(await videoSize(tech), "640x360");
        assert.equal(await peerCodec(tech, "inbound-rtp"), "video/H264");
        // The clip's pixels: a blue screen with a small white square.
        const blue = await colourShare(tech, H264_CLIP_BLUE);
        assert.ok(blue > 0.9, `the clip's blue fills the view (${(blue * 100).toFixed(1)} %)`);
        await tech.screenshot({ path: "/tmp/shots/share-h264-tech-1366.png" });
        assert.deepEqual(tech.errors, []);

        // The customer's browser goes away: the share ends on the technician's side.
        // Nothing says so: the server notices the silence (SILENT_MS without RTP or RTCP).
        await share.stop();
        const stopped = performance.now();
        await tech.locator(".rv-view-only").waitFor({ state: "detached", timeout: 20_000 });
        const gone = performance.now() - stopped;
        console.log(`h264 share: ended on the technician's side ${gone.toFixed(0)} ms after`);
        assert.ok(gone >= SILENT_MS - 1_500, `not before the silence counts (${gone} ms)`);
        assert.equal(remoteHub(t.deps).find(session.id)?.agent ?? null, null);
      } finally {
        await share.stop();
      }
    });
  },
);
