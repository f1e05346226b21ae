/**
 * A group that records every remote view (SPEC R5, `always`), with no support app: the customer
 * shares the screen from the browser (Chromium's fake capture), the server records the share's
 * own VP8 frames, and the customer's page says "This session is being recorded." while it does
 * — gone when they stop sharing. The session's record lists a WebM part; ffprobe decodes it and
 * Chromium plays it at the shared size.
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { chromium } from "playwright-core";
import {
  browserTest,
  CHROMIUM_ARGS,
  CHROMIUM_HEADLESS,
  signInPage,
  withBrowser,
} from "../support/browser.ts";
import { makeGroup, TECH_PASSWORD } from "../support/org.ts";
import { technician, workingSession } from "../support/sessions.ts";
import { defaultGroupSettings, technicianGroups } from "../../modules/org/mod.ts";
import { defaultPermissions } from "../../modules/permissions/mod.ts";
import { recordings } from "../../modules/recording/mod.ts";

const FAKE_CAPTURE = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"];

/** Chromium's fake display serves the size asked for: a 640×360 screen here. */
function smallFakeScreen() {
  const original = MediaDevices.prototype.getDisplayMedia;
  MediaDevices.prototype.getDisplayMedia = function (
    this: MediaDevices,
    options?: DisplayMediaStreamOptions,
  ) {
    const video = typeof options?.video === "object" ? options.video : {};
    return original.call(this, {
      ...options,
      video: { ...video, width: { max: 640 }, height: { max: 360 } },
    });
  };
}

browserTest(
  "browser: a group that records always records a browser share; the customer is told",
  async (t) => {
    const folder = await Deno.makeTempDir({ prefix: "rescue-share-recording-" });
    try {
      const group = await makeGroup(t, { permissions: defaultPermissions() });
      await t.deps.db.update(technicianGroups).set({
        settings: {
          ...defaultGroupSettings(),
          recordingPolicy: "always",
          recordingLocation: folder,
        },
      }).where(eq(technicianGroups.id, group.id));
      const ann = await technician(t, { groupId: group.id, name: "Ann" });
      const session = await workingSession(t, ann);
      await withBrowser(t, async ({ base, newPage }) => {
        const customerBrowser = await chromium.launch({
          executablePath: CHROMIUM_HEADLESS,
          headless: true,
          args: [...CHROMIUM_ARGS, ...FAKE_CAPTURE],
        });
        try {
          const customer = await customerBrowser.newPage();
          await customer.addInitScript(smallFakeScreen);
          await customer.setViewportSize({ width: 1366, height: 768 });
          await customer.goto(`${base}/s/${session.token}`);
          const notice = customer.locator("#remote-recording");
          await customer.locator("#browser-share-start").click();
          await customer.locator("#browser-share-stop").waitFor();
          await notice.waitFor({ timeout: 15_000 });
          assert.equal(await notice.textContent(), "This session is being recorded.");
          await customer.waitForTimeout(3_000);
          await customer.screenshot({ path: "/tmp/shots/REC_share_customer_1366.png" });
          await customer.locator("#browser-share-stop").click();
          await notice.waitFor({ state: "hidden" });

          let rows: typeof recordings.$inferSelect[] = [];
          for (const until = Date.now() + 10_000; Date.now() < until;) {
            rows = await t.deps.db.select().from(recordings)
              .where(eq(recordings.sessionId, session.id));
            if (rows.length > 0 && rows.every((r) => r.endedAt)) break;
            await new Promise((r) => setTimeout(r, 100));
          }
          assert.ok(rows.length >= 1, "a part");
          const part = rows.at(-1)!;
          assert.equal(part.codec, "vp8");
          assert.match(part.path, /\.webm$/);
          assert.equal(part.userId, null, "nobody started it: the group's policy did");

          const out = await new Deno.Command("ffprobe", {
            args: ["-v", "error", "-count_frames", "-show_entries"]
              .concat(["stream=codec_name,width,height,nb_read_frames", "-of", "json", part.path]),
            stdout: "piped",
            stderr: "piped",
          }).output();
          assert.equal(new TextDecoder().decode(out.stderr), "");
          const stream = JSON.parse(new TextDecoder().decode(out.stdout)).streams[0];
          assert.deepEqual([stream.codec_name, stream.width, stream.height], [
            "vp8",
            part.width,
            part.height,
          ]);
          assert.ok(Number(stream.nb_read_frames) > 10, `frames: ${stream.nb_read_frames}`);

          // The technician finds it on the session's record and Chromium plays it.
          const tech = await newPage();
          await signInPage(tech, base, ann.email, TECH_PASSWORD);
          await tech.goto(`${base}/console/history/session/${session.id}`);
          const href = (await tech.locator("#recordings a[download]").last().getAttribute("href"))!;
          const played = await tech.evaluate(async (src) => {
            const video = document.createElement("video");
            video.muted = true;
            video.src = src;
            document.body.append(video);
            await new Promise((resolve, reject) => {
              video.onloadeddata = resolve;
              video.onerror = () => reject(new Error(`video error ${video.error?.code}`));
            });
            return [video.videoWidth, video.videoHeight];
          }, href);
          assert.deepEqual(played, [part.width, part.height]);
        } finally {
          await customerBrowser.close();
        }
      });
    } finally {
      await Deno.remove(folder, { recursive: true });
    }
  },
  { graceMs: 50 },
);
