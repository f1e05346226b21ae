// Do H.264 recordings play in the browser (SPEC R5)? The support app sends H.264 to Chromium
// viewers when it can, and a Lens phone may send H.264 too: the recorder keeps those frames as
// they came, in Matroska (`.mkv`, V_MPEG4/ISO/AVC), where Chromium's <video> plays VP8/VP9 in
// WebM for certain but H.264 only in builds that take it in Matroska. This machine's Chromium
// (Debian's 156) does: canPlayType('video/x-matroska; codecs="avc1.42E01E"') is "probably".
// Here the real recorder writes an H.264 part from a real H.264 stream (the share tests' clip,
// looped), ffprobe reads it, and Chromium plays it — the Lens recordings page's own player and a
// session record page's player after the part's Play (the page fetches nothing before: a taking
// is audited, and opening the page is none): time advances and frames are presented
// (requestVideoFrameCallback, getVideoPlaybackQuality). A Chromium that stopped taking H.264 in
// Matroska would fail here rather than leave technicians with recordings that do not play.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import type { MediaFrame } from "../../protocol/mod.ts";
import { auditLog } from "../../modules/audit/mod.ts";
import { lensRecordFixture } from "../../modules/lens/test_support.ts";
import { defaultPermissions } from "../../modules/permissions/mod.ts";
import { lensRecordingsHref, recordings } from "../../modules/recording/mod.ts";
import { type PartStart, SessionRecorder } from "../../modules/recording/recorder.ts";
import { avcConfig } from "../../modules/recording/avc.ts";
import { browserTest, signInPage, withBrowser } from "../support/browser.ts";
import { accessUnits, H264_CLIP } from "../support/h264_share.ts";
import { makeGroup, TECH_PASSWORD } from "../support/org.ts";
import { technician, workingSession } from "../support/sessions.ts";

const SHOTS = "/tmp/shots/wb";
/** The clip (2 s at 30 frames a second, an IDR each second) three times over: 6 s. */
const LOOPS = 3;

/** An H.264 part as the recorder writes it: the clip's access units at 30 a second. */
async function _recordH264(folder: string): Promise<PartStart & { bytes: number }> {
  const units = accessUnits(await Deno.readFile(H264_CLIP));
  const parts: (PartStart & { bytes?: number })[] = [];
  const recorder = new SessionRecorder({
    sessionId: "00000000-0000-4000-8000-0000000000a1",
    remote: { wantKeyframe: () => {}, recordingChanged: () => {} },
    store: {
      opened: (part) => Promise.resolve(String(parts.push(part))),
      closed: (id, end) => Promise.resolve(void Object.assign(parts[Number(id) - 1], end)),
    },
    onEvent: () => {},
    watcher: () => "watcher-id",
  });
  recorder.start(folder, null);
  recorder.viewChanged(true);
  let at = 1_000;
  for (let loop = 0; loop < LOOPS; loop++) {
    for (const unit of units) {
      const frame: MediaFrame = {
        codec: "h264",
        width: 640,
        height: 360,
        data: unit,
        keyframe: avcConfig(unit) !== null,
        capturedAt: at += 1000 / 30,
      };
      recorder.frame(frame);
    }
  }
  recorder.viewChanged(false);
  await recorder.settled();
  assert.equal(parts.length, 1, "one part");
  return parts[0] as PartStart & { bytes: number };
}

async function _ffprobe(path: string) {
  const out = await new Deno.Command("ffprobe", {
    args: ["-v", "error", "-count_frames", "-of", "json", "-show_entries"]
      .concat(["stream=codec_name,width,height,nb_read_frames:format=format_name,duration", path]),
  }).output();
  assert.equal(new TextDecoder().decode(out.stderr), "");
  const json = JSON.parse(new TextDecoder().decode(out.stdout));
  return { stream: json.streams[0], format: json.format };
}

/**
 * Plays `video` (muted) until 1.5 s of it went by; returns what the player says: its size, the
 * time reached, frames presented (requestVideoFrameCallback) and decoded (playback quality).
 */
function _play(page: Page, selector: string) {
  return page.evaluate(async (selector) => {
    const video = document.querySelector<HTMLVideoElement>(selector)!;
    video.muted = true;
    let presented = 0;
    const count = () => {
      presented++;
      video.requestVideoFrameCallback(count);
    };
    video.requestVideoFrameCallback(count);
    await video.play();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`stuck at ${video.currentTime}`)), 15_000);
      video.ontimeupdate = () => video.currentTime > 1.5 && (clearTimeout(timer), resolve());
      video.onerror = () => reject(new Error(`media error ${video.error?.code}`));
    });
    return {
      size: [video.videoWidth, video.videoHeight],
      at: video.currentTime,
      duration: video.duration,
      presented,
      decoded: video.getVideoPlaybackQuality().totalVideoFrames,
      error: video.error?.code ?? null,
    };
  }, selector);
}

browserTest(
  "browser: an H.264 recording (Matroska, as the recorder writes it) plays in Chromium",
  async (t) => {
    const folder = await Deno.makeTempDir();
    try {
      const part = await _recordH264(folder);
      assert.match(part.path, /\.mkv$/);
      const probe = await _ffprobe(part.path);
      assert.deepEqual(
        [probe.stream.codec_name, probe.stream.width, probe.stream.height],
        ["h264", 640, 360],
      );
      assert.match(probe.format.format_name, /matroska/);
      assert.equal(probe.stream.nb_read_frames, String(60 * LOOPS), "every frame decodes");

      const group = await makeGroup(t, { permissions: [...defaultPermissions(), "lens"] });
      const ann = await technician(t, { groupId: group.id, name: "Ann" });
      const now = t.clock.now();
      const row = {
        userId: ann.id,
        startedAt: now,
        endedAt: new Date(now.getTime() + 6_000),
        bytes: part.bytes,
        codec: "h264",
        width: 640,
        height: 360,
      } as const;
      // A Lens phone's H.264 and a session's are the same part (a copy each: one file, one row).
      const lensId = await lensRecordFixture(t.deps, {
        technician: { id: ann.id, orgId: ann.orgId, groupId: group.id },
        createdAt: now,
        endedAt: new Date(now.getTime() + 60_000),
        customer: "Carla",
        via: "email",
        recorded: true,
      });
      const lensPath = `${folder}/lens-part.mkv`;
      await Deno.copyFile(part.path, lensPath);
      await t.deps.db.insert(recordings).values({ ...row, lensId, path: lensPath });
      const session = await workingSession(t, ann);
      const [sessionPart] = await t.deps.db.insert(recordings)
        .values({ ...row, sessionId: session.id, path: part.path }).returning();

      await withBrowser(t, async ({ base, newPage }) => {
        const page = await newPage();
        await page.setViewportSize({ width: 1366, height: 768 });
        await signInPage(page, base, ann.email, TECH_PASSWORD);
        const support = await page.evaluate(() =>
          document.createElement("video").canPlayType('video/x-matroska; codecs="avc1.42E01E"')
        );
        console.log(`Chromium: H.264 in Matroska "${support}"`);

        // The Lens recordings page's own player.
        await page.goto(`${base}${lensRecordingsHref(lensId)}`);
        const player = "video[data-recording-player]";
        await page.locator(player).waitFor();
        const lens = await _play(page, player);
        console.log(`Lens page's player: ${JSON.stringify(lens)}`);
        assert.deepEqual(lens.size, [640, 360]);
        assert.ok(lens.at > 1.5, `time went on: ${lens.at}`);
        assert.ok(Math.abs(lens.duration - 2 * LOOPS) < 0.5, `duration ${lens.duration}`);
        assert.ok(lens.presented >= 10, `frames presented: ${lens.presented}`);
        assert.ok(lens.decoded > 0, `frames decoded: ${lens.decoded}`);
        assert.equal(lens.error, null);
        for (const [width, height] of [[1366, 768], [1920, 1080]]) {
          await page.setViewportSize({ width, height });
          await page.locator(player).scrollIntoViewIfNeeded();
          await page.screenshot({ path: `${SHOTS}/h264_lens_player_${width}.png` });
        }

        // A session's part, played on its record page: opening the page fetches none of it (a
        // taking is audited), Play puts it in the page's player and starts it.
        const takings = async () =>
          (await t.deps.db.select().from(auditLog)
            .where(eq(auditLog.action, "session.recording_downloaded"))).length;
        await page.goto(`${base}/console/history/session/${session.id}`);
        const link = page.locator(`a[href$="/recordings/${sessionPart.id}"]`);
        assert.ok(await link.getAttribute("href"), "the record page links the part");
        const figure = page.locator("[data-recording-figure]");
        assert.equal(await figure.isVisible(), false, "no player before Play");
        await page.waitForTimeout(500);
        assert.equal(await takings(), 0, "nothing taken by opening the page");
        await page.locator(`[data-recording-row="${sessionPart.id}"]`)
          .getByRole("button", { name: "Play" }).click();
        await figure.waitFor();
        const played = await _play(page, "[data-recording-figure] video");
        console.log(`session part: ${JSON.stringify(played)}`);
        assert.deepEqual(played.size, [640, 360]);
        assert.ok(played.at > 1.5 && played.presented >= 10 && played.decoded > 0);
        assert.match(await figure.locator("figcaption").textContent() ?? "", /^Part 1 · \S/);
        assert.equal(
          await page.locator(`[data-recording-row="${sessionPart.id}"]`)
            .getAttribute("aria-current"),
          "true",
        );
        assert.equal(await takings(), 1, "played: one taking");
        for (const [width, height] of [[1920, 1080], [1366, 768]]) {
          await page.setViewportSize({ width, height });
          await figure.scrollIntoViewIfNeeded();
          await page.screenshot({ path: `${SHOTS}/h264_session_part_${width}.png` });
        }
        assert.deepEqual(page.errors, []);
      });
    } finally {
      await Deno.remove(folder, { recursive: true });
    }
  },
);
