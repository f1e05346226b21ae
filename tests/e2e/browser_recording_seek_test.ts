// Chromium seeks in a screen recording it plays from the record page's Download link: the
// server answers the player's Range requests (206), so a jump to near the end of a part plays
// from there. Before, every request got the whole file (200, no Accept-Ranges): the player
// could not seek past what it had loaded, and a jump landed back at the start. Download saves
// it as recording-<start, UTC>-<customer>-part<n>.webm, not under the session's id. A stretch
// where the picture was not live, listed under its part, plays the part from there.
import assert from "node:assert/strict";
import { recordings } from "../../modules/recording/mod.ts";
import { browserTest, signInPage, withBrowser } from "../support/browser.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician, workingSession } from "../support/sessions.ts";

const SECONDS = 40;

browserTest("browser: a recording's download seeks in Chromium's player (Range)", async (t) => {
  const folder = await Deno.makeTempDir();
  try {
    const path = `${folder}/part.webm`;
    // A part as the recorder writes it: VP8 in WebM; small frames, a key frame each second.
    const made = await new Deno.Command("ffmpeg", {
      args: ["-loglevel", "error", "-f", "lavfi", "-i", `testsrc=size=160x120:rate=10`]
        .concat(["-t", String(SECONDS), "-c:v", "libvpx", "-b:v", "200k", "-g", "10", path]),
    }).output();
    assert.ok(made.success, new TextDecoder().decode(made.stderr));
    const { size } = await Deno.stat(path);
    const tech = await technician(t, {});
    const session = await workingSession(t, tech);
    const [row] = await t.deps.db.insert(recordings).values({
      sessionId: session.id,
      startedAt: t.clock.now(),
      endedAt: new Date(t.clock.now().getTime() + SECONDS * 1000),
      bytes: size,
      codec: "vp8",
      width: 160,
      height: 120,
      path,
      // Where the picture was not live: the record page lists it under the part, to play from.
      notLive: [{ startMs: 30_000, endMs: 35_000, reason: "secure_desktop" }],
    }).returning();

    await withBrowser(t, async ({ base, newPage }) => {
      const page = await newPage();
      const statuses: number[] = [];
      page.on("response", (res) => {
        if (res.url().includes(`/recordings/${row.id}`)) statuses.push(res.status());
      });
      await signInPage(page, base, tech.email, TECH_PASSWORD);
      await page.goto(`${base}/console/history/session/${session.id}`);
      const href = await page.locator(`a[href$="/recordings/${row.id}"]`).getAttribute("href");
      assert.ok(href, "the record page links the part");
      const seeked = await page.evaluate(async (src) => {
        const video = document.createElement("video");
        video.muted = true;
        video.preload = "metadata";
        video.src = src;
        document.body.append(video);
        await new Promise((ok, fail) => {
          setTimeout(() => fail(new Error("no metadata")), 15_000);
          video.onloadedmetadata = ok;
          video.onerror = () => fail(new Error(`media error ${video.error?.code}`));
        });
        video.currentTime = 33;
        await new Promise((ok, fail) => {
          video.onseeked = ok;
          setTimeout(() => fail(new Error(`no seek: at ${video.currentTime}`)), 15_000);
        });
        return {
          duration: video.duration,
          at: video.currentTime,
          seekableEnd: video.seekable.length ? video.seekable.end(0) : 0,
          width: video.videoWidth,
        };
      }, href!);
      assert.ok(Math.abs(seeked.duration - SECONDS) < 1, JSON.stringify(seeked));
      assert.ok(seeked.seekableEnd > SECONDS - 1, `seekable to the end: ${JSON.stringify(seeked)}`);
      assert.ok(Math.abs(seeked.at - 33) < 1, `played from where it jumped: ${seeked.at}`);
      assert.equal(seeked.width, 160);
      assert.ok(statuses.includes(206), `the player asked for ranges: ${statuses}`);
      // Download saves it under a name a person can tell apart: when (UTC), whose, which part.
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.locator(`a[href$="/recordings/${row.id}"]`).click(),
      ]);
      assert.equal(download.suggestedFilename(), "recording-2026-11-24-1000UTC-carol-part1.webm");
      await download.cancel();

      // The stretch under the part's row plays the part from there, in the page's player.
      const stretch = page.locator(`tr[data-recording-gaps="${row.id}"] button`);
      assert.equal(await stretch.textContent(), "0:30–0:35");
      assert.equal(await stretch.getAttribute("title"), "Play from 0:30");
      await stretch.click();
      const video = page.locator("[data-recording-figure] video");
      await video.waitFor();
      const from = await video.evaluate((v: HTMLVideoElement) =>
        new Promise<number>((ok, fail) => {
          v.muted = true;
          const started = Date.now();
          const look = () => {
            if (v.currentTime >= 30.5) return ok(v.currentTime);
            if (Date.now() - started > 20_000) fail(new Error(`at ${v.currentTime}`));
            else setTimeout(look, 100);
          };
          look();
        })
      );
      assert.ok(from >= 30 && from < SECONDS, `played from the stretch: ${from}`);
      assert.equal(
        await page.locator(`tr[data-recording-row="${row.id}"]`).getAttribute("aria-current"),
        "true",
        "the part's row is marked, not the stretch's",
      );
      assert.match(
        await page.locator("[data-recording-figure] figcaption").textContent() ?? "",
        /^Part 1 · /,
      );
      for (const [width, height] of [[1366, 768], [1920, 1080]]) {
        await page.setViewportSize({ width, height });
        await page.screenshot({ path: `/tmp/recording_gaps_${width}.png`, fullPage: true });
      }
      assert.deepEqual(page.errors, []);
    });
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
