// Lens recording end to end (SPEC M1 with R5): the phone is a Chromium page at a phone's size
// (390×844, touch, isMobile) with Chromium's fake camera and microphone; the technician Ann is
// another Chromium page, in a group whose recording policy is "optional", with recordSessions.
// Her Record makes the server write the phone's relayed VP8 and Opus into a part under the
// group's folder; the phone says so in red while it records, the technician's button turns into
// a red Stop; Stop ends the part. The file is a valid WebM (ffprobe: VP8 at the phone's size and
// Opus, as long as Record ran), its row names the Lens session, the record says "recorded", the
// audit log has the start and stop, and Ann's recent Lens sessions lead to its page, where
// Chromium plays it. A group that records always: the phone says so before Start, the part
// starts at the first picture without a click, and the technician has no Stop. Screenshots at
// 1366×768 and 1920×1080 with LENSREC_SHOTS=1.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { browserTest, withBrowser } from "../support/browser.ts";
import {
  launchPhoneBrowser,
  onTestServer,
  phoneContext,
  startLensSession,
} from "../support/lens_e2e.ts";
import { technician } from "../support/sessions.ts";
import { auditActions } from "../support/app.ts";
import { defaultPermissions } from "../../modules/permissions/mod.ts";
import { lensRegistry, lensSessions } from "../../modules/lens/mod.ts";
import { defaultGroupSettings, technicianGroups } from "../../modules/org/mod.ts";
import { recordings } from "../../modules/recording/mod.ts";
import { ffprobe } from "../support/ffprobe.ts";

const SHOTS = Deno.env.get("LENSREC_SHOTS") === "1";

async function shots(page: Page, name: string) {
  if (!SHOTS) return;
  for (const [width, height] of [[1366, 768], [1920, 1080]]) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `/tmp/shots/${name}-${width}.png` });
  }
  await page.setViewportSize({ width: 1366, height: 768 });
}

async function probeFile(path: string) {
  return await ffprobe(path, {
    countFrames: true,
    entries: "stream=codec_name,width,height,channels,nb_read_frames:format=format_name,duration",
  });
}

browserTest(
  "browser: Lens recording — Record writes the phone's picture and sound on the server; it plays on its page",
  async (t) => {
    const folder = await Deno.makeTempDir({ prefix: "lens-recordings-" });
    const ann = await technician(t, {
      name: "Ann",
      permissions: [...defaultPermissions(), "lens", "recordSessions"],
    });
    await t.deps.db.update(technicianGroups).set({
      settings: {
        ...defaultGroupSettings(),
        recordingPolicy: "optional",
        recordingLocation: folder,
      },
    }).where(eq(technicianGroups.id, ann.groupId!));
    await withBrowser(t, async ({ base, newPage }) => {
      const phoneBrowser = await launchPhoneBrowser();
      try {
        const tech = await newPage();
        await tech.setViewportSize({ width: 1366, height: 768 });
        const { link, session } = await startLensSession(t.deps, tech, base, ann);

        const phone = await (await phoneContext(phoneBrowser)).newPage();
        await phone.goto(onTestServer(link, base));
        await phone.locator("[data-lens-start]").click();
        await phone.getByText("Ann sees your camera.").waitFor();
        await tech.getByText("Live: you see the customer's camera.").waitFor({ timeout: 20_000 });
        await tech.waitForFunction(
          () => {
            const video = document.querySelector("[data-lens-video]") as HTMLVideoElement;
            return video.getVideoPlaybackQuality().totalVideoFrames > 0;
          },
          undefined,
          { timeout: 20_000 },
        );

        // Record: the server writes; the button turns into a red Stop, the phone says it in red.
        const recordButton = tech.locator("[data-lens-record]");
        assert.equal(await recordButton.textContent(), "Record");
        await recordButton.click();
        const began = Date.now();
        await tech.getByRole("button", { name: "Stop recording" }).waitFor();
        // The page shows what the server says: it records from here at the latest.
        const recordingBy = Date.now();
        await tech.locator("[data-lens-recording]").waitFor();
        await phone.getByText("Ann is recording what your camera shows.").waitFor();
        const colour = await phone.locator(".lens-phone-recorded").evaluate((el) =>
          getComputedStyle(el).color
        );
        assert.notEqual(colour, "rgb(0, 0, 0)", "said in red, not as a pale note");
        await shots(tech, "lensrec-tech-recording");
        if (SHOTS) await phone.screenshot({ path: "/tmp/shots/lensrec-phone-recording-390.png" });
        await tech.waitForTimeout(4_000); // four seconds of picture and sound
        // The app's clock (the test's) moves as the real one did: the part's length says so.
        t.clock.advance(Date.now() - began);
        await recordButton.click();
        const stopClicked = Date.now();
        const seconds = (stopClicked - began) / 1000;
        await tech.getByRole("button", { name: "Record", exact: true }).waitFor();
        // …and it stopped by here: on a busy machine its Stop can come a second after the click.
        const stoppedBy = Date.now();
        await phone.getByText("Ann is recording what your camera shows.").waitFor({
          state: "hidden",
        });

        // End: the page it leads to lists the session, its recording one click away.
        await tech.locator("[data-lens-end]").click();
        await tech.locator("[data-lens-recent]").waitFor();
        await shots(tech, "lensrec-recent");
        const rows = await t.deps.db.select().from(recordings)
          .where(eq(recordings.lensId, session.id));
        assert.equal(rows.length, 1, "one part: Record to Stop");
        const [part] = rows;
        assert.ok(part.endedAt, "finished");
        assert.ok(part.path.startsWith(folder), part.path);
        assert.equal(part.userId, ann.id);
        assert.equal(part.bytes, (await Deno.stat(part.path)).size);
        const probe = await probeFile(part.path);
        assert.equal(probe.stderr, "");
        assert.equal(probe.json.format.format_name, "matroska,webm");
        const [video, audio] = probe.json.streams;
        assert.equal(video.codec_name, "vp8");
        assert.deepEqual([video.width, video.height], [session.state.width, session.state.height]);
        assert.equal(audio?.codec_name, "opus", "the phone's microphone is in it");
        const duration = Number(probe.json.format.duration);
        console.log(
          `lens recording: ${part.bytes} bytes, ${duration} s for ${seconds.toFixed(1)} s of ` +
            `Record, ${video.nb_read_frames} VP8 frames ${video.width}x${video.height}, ` +
            `${audio.nb_read_frames} Opus packets`,
        );
        // As long as the server recorded — at least from when the page said so to the Stop click,
        // less the wait for the first keyframe (the phone answers a PLI); at most from the Record
        // click until the page said it stopped.
        const least = (stopClicked - recordingBy) / 1000 - 2;
        const most = (stoppedBy - began) / 1000 + 0.5;
        assert.ok(duration > least && duration <= most, `${duration} s, not in ${least}…${most}`);
        assert.ok(Number(audio.nb_read_frames) > least * 40, "20 ms packets throughout");
        const [record] = await t.deps.db.select().from(lensSessions)
          .where(eq(lensSessions.id, session.id));
        assert.equal(record.recorded, true);
        const actions = await auditActions(t.deps);
        assert.ok(actions.includes("lens.recording_started"), actions.join());
        assert.ok(actions.includes("lens.recording_stopped"));

        // The recent list leads to its page, where Chromium plays it at the phone's size.
        await tech.locator("[data-lens-recording-link]").first().click();
        await tech.getByRole("heading", { name: "Lens session recording" }).waitFor();
        const length = await tech.locator("#recordings tbody td").nth(1).textContent();
        // The part's length as the file has it (Record ran 4 s and more: under CI's load the
        // Stop click lands later, 7.4 s once), shown as m:ss.
        const shown = /^(\d+):(\d\d)$/.exec(length ?? "");
        assert.ok(shown, `the part's length as m:ss: ${length}`);
        const shownSeconds = Number(shown[1]) * 60 + Number(shown[2]);
        assert.ok(Math.abs(shownSeconds - duration) <= 1, `${length} for ${duration} s`);
        // Opening the page takes nothing (a taking is audited): the player fetches at Play.
        const takings = async () =>
          (await auditActions(t.deps)).filter((a) => a === "lens.recording_downloaded").length;
        await tech.waitForTimeout(1_000);
        assert.equal(await takings(), 0, "the page's player fetched the part before Play");
        const played = await tech.locator("[data-recording-player]").evaluate(
          async (el) => {
            const player = el as HTMLVideoElement;
            player.muted = true;
            await player.play();
            await new Promise((resolve) => setTimeout(resolve, 1_000));
            return [player.videoWidth, player.videoHeight, player.currentTime > 0.3];
          },
        );
        assert.deepEqual(played, [session.state.width, session.state.height, true]);
        assert.equal(await takings(), 1, "played: one taking");
        await shots(tech, "lensrec-recordings-page");
      } finally {
        await phoneBrowser.close();
        for (const s of lensRegistry(t.deps).all()) s.end("technician");
        await Deno.remove(folder, { recursive: true }).catch(() => {});
      }
    });
  },
);

browserTest(
  "browser: Lens recording — a group that records always: said before Start, recorded from the first picture, no Stop",
  async (t) => {
    const folder = await Deno.makeTempDir({ prefix: "lens-recordings-always-" });
    const ann = await technician(t, {
      name: "Ann",
      permissions: [...defaultPermissions(), "lens", "recordSessions"],
    });
    await t.deps.db.update(technicianGroups).set({
      settings: { ...defaultGroupSettings(), recordingPolicy: "always", recordingLocation: folder },
    }).where(eq(technicianGroups.id, ann.groupId!));
    await withBrowser(t, async ({ base, newPage }) => {
      const phoneBrowser = await launchPhoneBrowser();
      try {
        const tech = await newPage();
        await tech.setViewportSize({ width: 1366, height: 768 });
        const { link, session } = await startLensSession(t.deps, tech, base, ann);
        // No Record or Stop: the page says the group records every Lens session.
        await tech.getByText("Your group records every Lens session").waitFor();
        assert.equal(await tech.locator("[data-lens-record]").count(), 0);

        // The phone says so before anything is shared, in red.
        const phone = await (await phoneContext(phoneBrowser)).newPage();
        await phone.goto(onTestServer(link, base));
        await phone.getByText("What your camera shows will be recorded.").waitFor();
        if (SHOTS) await phone.screenshot({ path: "/tmp/shots/lensrec-phone-always-390.png" });
        await phone.locator("[data-lens-start]").click();
        // From the first picture: the sign on both pages, no click of the technician's.
        await phone.getByText("Ann is recording what your camera shows.").waitFor({
          timeout: 20_000,
        });
        await tech.locator("[data-lens-recording]").waitFor();
        // Polled on a timer, not on animation frames (which a page in the background skips).
        await tech.waitForFunction(
          () => {
            const video = document.querySelector("[data-lens-video]") as HTMLVideoElement;
            return video.getVideoPlaybackQuality().totalVideoFrames > 0;
          },
          undefined,
          { timeout: 20_000, polling: 200 },
        );
        await shots(tech, "lensrec-tech-always");
        await tech.waitForTimeout(3_000);
        await tech.locator("[data-lens-end]").click();
        await tech.locator("[data-lens-recent]").waitFor();
        const [part] = await t.deps.db.select().from(recordings)
          .where(eq(recordings.lensId, session.id));
        assert.ok(part?.endedAt, "a finished part");
        assert.equal(part.userId, ann.id, "named for the technician watching");
        const probe = await probeFile(part.path);
        assert.equal(probe.stderr, "");
        assert.deepEqual(
          probe.json.streams.map((s: { codec_name: string }) => s.codec_name),
          ["vp8", "opus"],
        );
        assert.ok(Number(probe.json.format.duration) > 2, probe.json.format.duration);
      } finally {
        await phoneBrowser.close();
        for (const s of lensRegistry(t.deps).all()) s.end("technician");
        await Deno.remove(folder, { recursive: true }).catch(() => {});
      }
    });
  },
);
