/**
 * Screen recording end to end on real parts (SPEC R5): the real server, the real support app on
 * an Xvfb display, Chromium for the technician and the customer's page. The group lets its
 * technicians choose (`optional`, `recordSessions`), into a folder of the test's own. The
 * support app's question says beforehand that the technician may record; the technician records,
 * the customer's page and the support app's window say "This session is being recorded" while it
 * is and not after Stop; the session's record page lists the part; its download is a Matroska
 * file that ffprobe decodes at the screen's size, with the customer's pointer in its picture
 * (the island draws it apart, so the agent is asked to draw it in while it records), and
 * Chromium plays it; the audit log has the start, the stop and the download.
 */
import assert from "node:assert/strict";
import { and, eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { startTestApp } from "../support/app.ts";
import { ffprobe, lastFrameRgb } from "../support/ffprobe.ts";
import { clickAndWait, withBrowser } from "../support/browser.ts";
import { recordingGroup, TECH_PASSWORD } from "../support/org.ts";
import { technician } from "../support/sessions.ts";
import { closeAgentWorld, pinSessionWithAgent, startFromQueue } from "../support/agent_e2e.ts";
import { startXvfb } from "../../agent/platform/xvfb_test_support.ts";
import { recordings } from "../../modules/recording/mod.ts";
import { remoteHub } from "../../modules/remote/mod.ts";
import { auditLog } from "../../modules/audit/mod.ts";

const step = (what: string) => console.log(`  · ${what}`);
/** The desktop's plain colour (set with xsetroot) and where the customer's pointer rests. */
const DESKTOP = [0x33, 0x66, 0x99];
const POINTER = { x: 700, y: 500 };

async function x11(display: string, command: string, ...args: string[]) {
  const out = await new Deno.Command(command, { args, env: { DISPLAY: display } }).output();
  assert.equal(out.code, 0, `${command}: ${new TextDecoder().decode(out.stderr)}`);
}
const SHOTS = "/tmp/shots";

function picture(page: Page, width: number, height: number) {
  return page.waitForFunction(
    ([w, h]) => {
      const video = document.querySelector<HTMLVideoElement>(".remote-view .rv-video");
      return Boolean(video && video.videoWidth === w && video.videoHeight === h);
    },
    [width, height] as const,
    { timeout: 60_000 },
  );
}

async function probeFile(path: string) {
  const { json, stderr } = await ffprobe(path, {
    countFrames: true,
    entries: "stream=codec_name,width,height,nb_read_frames",
  });
  return { stream: json.streams[0], stderr };
}

Deno.test({
  name: "e2e: a technician records the screen; the customer is told; the file plays",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const xvfb = await startXvfb({ width: 1024, height: 768 });
    await x11(xvfb.display, "xsetroot", "-solid", "#336699");
    const work = await Deno.makeTempDir({ prefix: "rescue-recording-e2e-" });
    const folder = `${work}/recordings`;
    const t = await startTestApp();
    let agent: Deno.ChildProcess | null = null;
    try {
      const group = await recordingGroup(t, folder);
      const tech = await technician(t, { groupId: group.id, name: "Ann" });
      await withBrowser(t, async ({ base, newPage }) => {
        (t.deps.config as { publicUrl: string }).publicUrl = base;
        const page = await newPage();
        page.setDefaultTimeout(30_000);
        await page.setViewportSize({ width: 1366, height: 768 });
        await page.goto(`${base}/signin`);
        await page.fill("#email", tech.email);
        await page.fill("#password", TECH_PASSWORD);
        await clickAndWait(page, "button[type=submit]");
        const { session, link, customerApp, appWindow } = await pinSessionWithAgent(
          t.deps,
          page,
          newPage,
          { base, display: xvfb.display, stateDir: `${work}/agent-state` },
        );
        agent = customerApp.agent;
        const space = await startFromQueue(page, session.id);
        // Before the customer allows view there is nothing to record: the button waits.
        await space.locator(".remote-view .rv-record").waitFor();
        assert.equal(await space.locator(".remote-view .rv-record").isDisabled(), true);
        await space.locator(".remote-view .rv-control").click();
        // The question in the support app's window says beforehand that the view may be recorded.
        const mayRecord = appWindow.locator(".question[data-capability=control] .will-record");
        await mayRecord.waitFor();
        assert.equal(
          await mayRecord.textContent(),
          "Your technician may record their view of your screen. If they do, this window says so " +
            "while it records.",
        );
        await appWindow.screenshot({ path: `${SHOTS}/fix-agent-question-may-record.png` });
        await appWindow.locator("#allow-control").click();
        await picture(page, 1024, 768);
        step("the technician sees the 1024×768 desktop");
        assert.equal(remoteHub(t.deps).find(session.id)?.cursorApart, true, "the pointer apart");

        const customer = await newPage();
        await customer.setViewportSize({ width: 1366, height: 768 });
        await customer.goto(link);
        const notice = customer.locator("#remote-recording");
        await customer.locator("#remote-sharing").waitFor();
        assert.equal(await notice.isVisible(), false, "nothing said before it records");

        await space.locator(".remote-view .rv-record").click();
        await space.locator(".remote-view .rv-record.is-on").waitFor();
        assert.equal(
          await space.locator(".remote-view .rv-record").getAttribute("title"),
          "Stop recording",
        );
        // The toolbar stays one row at 1366 px: Stop recording is itself the sign, and the draw
        // toggles, which no longer fit beside it, are in More (islands/remote_view/toolbar_fit.ts).
        const toolbarRows = await space.locator(".remote-view .rv-toolbar > *").evaluateAll((
          parts,
        ) =>
          new Set(
            parts.map((p) => p.getBoundingClientRect()).filter((r) => r.width > 0)
              .map((r) => Math.round(r.top)),
          ).size
        );
        assert.equal(toolbarRows, 1, "one toolbar row");
        assert.equal(await space.locator(".remote-view .rv-draw-row").isVisible(), false);
        await space.locator(".remote-view .rv-more > summary").click();
        await space.locator(".remote-view .rv-draw-menu .rv-whiteboard").waitFor();
        await space.locator(".remote-view .rv-more > summary").click();
        await notice.waitFor();
        assert.equal(await notice.textContent(), "This session is being recorded.");
        // The support app's own window on the customer's computer says it too.
        const appNotice = appWindow.locator("#recorded");
        await appNotice.waitFor();
        assert.equal(await appNotice.textContent(), "This session is being recorded.");
        // With the red dot every product shows for a recording, as on the customer's page.
        const dot = await appNotice.evaluate((el) => {
          const style = getComputedStyle(el, "::before");
          return [style.backgroundColor, style.borderRadius, style.width];
        });
        assert.deepEqual(dot, ["rgb(198, 40, 40)", "50%", "12px"]);
        const pageDot = await customer.locator("#remote-recording .rec-dot").evaluate((el) =>
          getComputedStyle(el).backgroundColor
        );
        assert.equal(pageDot, "rgb(198, 40, 40)");
        step("recording: the toolbar, the customer's page and the app's window say so");
        // The customer's pointer rests on the plain desktop: the recording must show it, though
        // the technician's island draws it apart from the picture (cursor_relay.ts).
        await x11(xvfb.display, "xdotool", "mousemove", `${POINTER.x}`, `${POINTER.y}`);
        // Something moves on the customer's screen while it records.
        const xterm = new Deno.Command("xterm", {
          args: ["-geometry", "60x15+40+40", "-e", "sh", "-c", "top -d 0.3"],
          env: { DISPLAY: xvfb.display },
          stdout: "null",
          stderr: "null",
        }).spawn();
        await page.waitForTimeout(3_000);
        await page.screenshot({ path: `${SHOTS}/REC_technician_1366.png` });
        await customer.screenshot({ path: `${SHOTS}/REC_customer_1366.png` });
        await appWindow.setViewportSize({ width: 1366, height: 768 });
        await appWindow.screenshot({ path: `${SHOTS}/REC_agent_window_1366.png` });
        await page.setViewportSize({ width: 1920, height: 1080 });
        await customer.setViewportSize({ width: 1920, height: 1080 });
        await page.screenshot({ path: `${SHOTS}/REC_technician_1920.png` });
        await customer.screenshot({ path: `${SHOTS}/REC_customer_1920.png` });
        xterm.kill();
        await xterm.status;

        await space.locator(".remote-view .rv-record").click();
        await space.locator(".remote-view .rv-record:not(.is-on)").waitFor();
        await notice.waitFor({ state: "hidden" });
        await appNotice.waitFor({ state: "hidden" });
        step("stopped: none of them says recording any more");

        let rows: typeof recordings.$inferSelect[] = [];
        for (const until = Date.now() + 10_000; Date.now() < until;) {
          rows = await t.deps.db.select().from(recordings)
            .where(eq(recordings.sessionId, session.id));
          if (rows.length > 0 && rows.every((r) => r.endedAt)) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        assert.equal(rows.length, 1, "one part");
        assert.equal(rows[0].userId, tech.id);
        assert.deepEqual([rows[0].width, rows[0].height], [1024, 768]);
        assert.ok(rows[0].path.startsWith(`${folder}/`), rows[0].path);

        await page.goto(`${base}/console/history/session/${session.id}`);
        const download = page.locator("#recordings a[download]");
        await download.waitFor();
        await page.screenshot({ path: `${SHOTS}/REC_history_1920.png` });
        await page.setViewportSize({ width: 1366, height: 768 });
        await page.screenshot({ path: `${SHOTS}/REC_history_1366.png` });
        const href = (await download.getAttribute("href"))!;
        const response = await page.request.get(`${base}${href}`);
        assert.equal(response.status(), 200);
        const file = `${work}/download.${rows[0].codec === "h264" ? "mkv" : "webm"}`;
        await Deno.writeFile(file, new Uint8Array(await response.body()));
        const probe = await probeFile(file);
        assert.equal(probe.stderr, "");
        assert.deepEqual([probe.stream.width, probe.stream.height], [1024, 768]);
        assert.ok(
          Number(probe.stream.nb_read_frames) > 5,
          `frames: ${probe.stream.nb_read_frames}`,
        );
        step(
          `downloaded: ${probe.stream.codec_name}, ${probe.stream.nb_read_frames} frames decoded`,
        );
        // The pointer is in the recorded picture: around its hot spot, pixels far from the
        // desktop's plain colour (X's default pointer is black and white).
        const rgb = await lastFrameRgb(file, 1024, 768);
        let marked = 0;
        for (let y = POINTER.y - 10; y <= POINTER.y + 10; y++) {
          for (let x = POINTER.x - 10; x <= POINTER.x + 10; x++) {
            const i = (y * 1024 + x) * 3;
            const off = [0, 1, 2].map((c) => Math.abs(rgb[i + c] - DESKTOP[c]));
            if (Math.max(...off) > 60) marked++;
          }
        }
        assert.ok(marked >= 20, `the pointer in the recording: ${marked} pixels off the desktop`);
        step(`the pointer is in the recording: ${marked} pixels off the desktop around it`);
        assert.equal(remoteHub(t.deps).find(session.id)?.cursorApart, true, "apart again after");

        // Chromium plays it: a <video> on the same origin reaches a decoded frame of that size.
        const played = await page.evaluate(async (src) => {
          const video = document.createElement("video");
          video.muted = true;
          video.src = src;
          document.body.append(video);
          await new Promise((resolve, reject) => {
            video.onloadeddata = resolve;
            video.onerror = () => reject(new Error(`video error ${video.error?.code}`));
          });
          return [video.videoWidth, video.videoHeight, video.readyState];
        }, href);
        assert.deepEqual(played.slice(0, 2), [1024, 768]);
        assert.ok(played[2] >= 2, "a frame is decoded");
        step("Chromium plays it at 1024×768");

        const actions = (await t.deps.db.select({ action: auditLog.action }).from(auditLog)
          .where(and(eq(auditLog.target, session.id)))).map((r) => r.action);
        for (const action of ["started", "stopped", "downloaded"]) {
          assert.ok(actions.includes(`session.recording_${action}`), `${action}: ${actions}`);
        }
      });
    } finally {
      await closeAgentWorld({ agent, app: t, xvfb, work });
    }
  },
});
