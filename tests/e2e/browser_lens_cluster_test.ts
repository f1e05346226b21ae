// Lens's phone when the session's home instance dies (PostgreSQL, two instances, in one
// process): the technician starts on A, the phone — a 390×844 mobile Chromium with the fake
// camera — opens its link on B (relayed to A). A dies (its `instances` row reaped); the phone's
// Start finds no session anywhere and the page says in words that the session ended, the
// technician's side gone, and offers nothing to retry — it used to read "The connection to your
// technician failed. Press Start to try again." Then a phone whose own network is down (the
// context offline) still reads the connection problem, with Start to try again.
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { beat } from "../../modules/cluster/mod.ts";
import { lensRegistry } from "../../modules/lens/mod.ts";
import { defaultPermissions } from "../../modules/permissions/mod.ts";
import { CHROMIUM_ARGS, CHROMIUM_HEADLESS } from "../support/browser.ts";
import { startClusterApps } from "../support/cluster.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician } from "../support/sessions.ts";

const FAKE_MEDIA = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"];
const SHOTS = Deno.env.get("SHOTS_DIR");

Deno.test({
  name: "lens phone in a cluster: the home dies → 'the session has ended'; offline → connection",
  ignore: !Deno.env.get("DATABASE_URL"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const cluster = await startClusterApps(2);
    const [a, b] = cluster.apps;
    const browser = await chromium.launch({
      executablePath: CHROMIUM_HEADLESS,
      headless: true,
      args: [...CHROMIUM_ARGS, ...FAKE_MEDIA],
    });
    try {
      const ann = await technician(a, {
        name: "Ann",
        permissions: [...defaultPermissions(), "lens"],
      });
      const onA = a.client();
      await onA.signIn(ann.email, TECH_PASSWORD);
      await onA.get("/console/lens");
      assert.equal((await onA.post("/console/lens")).status, 303);
      const session = lensRegistry(a.deps).ofTechnician(ann.id)!;

      const context = await browser.newContext({
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
        locale: "en-US",
      });
      const phone = await context.newPage();
      const errors: string[] = [];
      phone.on("pageerror", (error) => errors.push(error.message));
      await phone.goto(`${b.url}/lens/${session.token}`);
      await phone.getByText("Ann would like to see what your phone's camera sees").waitFor();

      // A dies: B reaps it, and with it the session's home.
      a.clock.advance(10_000);
      assert.deepEqual(await beat(b.deps.db, b.deps.instance, b.clock.now()), [a.deps.instance.id]);
      // The phone learns it from its event stream on B (which says 'gone' once the home is
      // reaped) or, if Start is still there, from pressing it: either way the same words.
      const ended = phone.getByText("The session has ended: Ann is no longer connected to it.");
      const start = phone.locator("[data-lens-start]");
      if (!(await ended.isVisible())) {
        await start.click({ timeout: 5_000 }).catch(async (error) => {
          if (!(await ended.isVisible())) throw error; // hidden by the stream's end: fine
        });
      }
      const status = phone.locator("[data-lens-status]");
      await ended.waitFor();
      assert.match(await status.innerText(), /Your camera is no longer shared/);
      assert.equal(await phone.locator("[data-lens-start]").isVisible(), false, "no Start");
      assert.equal(await phone.locator("[data-lens-controls]").isVisible(), false);
      // The camera is let go (no track still live).
      assert.equal(
        await phone.evaluate(() => (document.querySelector("video") as HTMLVideoElement).srcObject),
        null,
      );
      if (SHOTS) {
        await phone.screenshot({ path: `${SHOTS}/lens-phone-ended-gone-390.png` });
        for (const [width, height] of [[1366, 768], [1920, 1080]]) {
          await phone.setViewportSize({ width, height });
          await phone.screenshot({ path: `${SHOTS}/lens-phone-ended-gone-${width}.png` });
        }
      }

      // A new session on B (the survivor); the phone's own network fails: a connection problem.
      const onB = b.client();
      await onB.signIn(ann.email, TECH_PASSWORD);
      await onB.get("/console/lens");
      assert.equal((await onB.post("/console/lens")).status, 303);
      const next = lensRegistry(b.deps).ofTechnician(ann.id)!;
      const offline = await context.newPage();
      await offline.goto(`${b.url}/lens/${next.token}`);
      await offline.getByText("Ann would like to see what your phone's camera sees").waitFor();
      await context.setOffline(true);
      await offline.locator("[data-lens-start]").click();
      await offline.getByText("The connection to your technician failed. Press Start to try again.")
        .waitFor();
      assert.equal(await offline.locator("[data-lens-start]").isEnabled(), true, "Start again");
      assert.equal(lensRegistry(b.deps).ofTechnician(ann.id), next, "the session goes on");
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      for (const app of [a, b]) {
        for (const s of lensRegistry(app.deps).all()) s.end("technician");
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      await cluster.close();
    }
  },
});
