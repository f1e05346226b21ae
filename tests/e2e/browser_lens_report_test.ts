// Lens in the record and the reports, in Chromium through the real parts: Ann (group "Field
// team") runs a real Lens session — the phone is a mobile Chromium page with the fake camera
// (the set-up of browser_lens_test.ts), the link sent by e-mail with the customer's name, the
// picture live, recorded on the server (her group records on request), ended by her — and starts a second that nobody opens
// (expired). Her recent list shows both; Lea, admin of Field team, opens Reports → Lens sessions
// and reads both with their live time, end and recording, the totals, and nothing of Bob's
// (another group); the CSV link downloads the same rows; axe-core finds nothing in any colour
// scheme, and in Dutch every column still shows. Screenshots of the report at 1366×768 and
// 1920×1080 (English and Dutch) go to SCREENSHOTS (or /tmp/shots).
import assert from "node:assert/strict";
import { applyScheme, axeFindings, SCHEMES } from "../support/a11y.ts";
import { browserTest, signInPage, withBrowser } from "../support/browser.ts";
import {
  launchPhoneBrowser,
  onTestServer,
  phoneContext,
  startLensSession,
} from "../support/lens_e2e.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "../support/org.ts";
import { technician } from "../support/sessions.ts";
import { eq } from "drizzle-orm";
import { users } from "../../modules/auth/mod.ts";
import { defaultGroupSettings, groupAdmins, technicianGroups } from "../../modules/org/mod.ts";
import { defaultPermissions } from "../../modules/permissions/mod.ts";
import { lensRegistry, lensSessions } from "../../modules/lens/mod.ts";
import { lensRecordFixture } from "../../modules/lens/test_support.ts";

async function until(probe: () => boolean | Promise<boolean>, what: string, ms = 20_000) {
  for (const deadline = Date.now() + ms; Date.now() < deadline;) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`timed out: ${what}`);
}

browserTest(
  "browser: a real Lens session in the technician's list and the admin's report",
  async (t) => {
    const field = await makeGroup(t, {
      name: "Field team",
      permissions: [...defaultPermissions(), "lens", "recordSessions"],
    });
    // Field team records on request, into a folder of the test's.
    const folder = await Deno.makeTempDir({ prefix: "lens-report-recordings-" });
    await t.deps.db.update(technicianGroups).set({
      settings: {
        ...defaultGroupSettings(),
        recordingPolicy: "optional",
        recordingLocation: folder,
      },
    }).where(eq(technicianGroups.id, field.id));
    const back = await makeGroup(t, { name: "Back office" });
    const ann = await technician(t, {
      groupId: field.id,
      name: "Ann Archer",
      permissions: [...defaultPermissions(), "lens"],
    });
    const bob = await technician(t, { groupId: back.id, name: "Bob Baker" });
    const lea = await makePerson(t, {
      groupId: field.id,
      role: "admin",
      email: "lea@example.test",
    });
    await t.deps.db.insert(groupAdmins).values({ groupId: field.id, userId: lea.id });
    // Bob's Lens session, in the other group: Lea must not see it.
    await lensRecordFixture(t.deps, {
      technician: bob,
      createdAt: new Date(t.clock.now().getTime() - 3_600_000),
      liveAt: new Date(t.clock.now().getTime() - 3_590_000),
      endedAt: new Date(t.clock.now().getTime() - 3_500_000),
      reason: "customer",
      customer: "Dirk",
    });
    const shots = Deno.env.get("SCREENSHOTS") ?? "/tmp/shots";
    await Deno.mkdir(shots, { recursive: true });

    await withBrowser(t, async ({ base, newPage }) => {
      const phoneBrowser = await launchPhoneBrowser();
      try {
        // Ann starts a Lens session and sends the link by e-mail, with the customer's name.
        const tech = await newPage();
        const { link, session } = await startLensSession(t.deps, tech, base, ann);
        await tech.getByLabel("Customer's name (optional)").fill("Carla de Vries");
        await tech.getByLabel("Customer's e-mail address").fill("carla@example.test");
        await tech.getByRole("button", { name: "Send by e-mail" }).click();
        await tech.locator("[data-lens-invite-result]").waitFor();

        // The customer's phone opens the link and starts the camera: live.
        const phoneAt = await phoneContext(phoneBrowser);
        const phone = await phoneAt.newPage();
        await phone.goto(onTestServer(link, base));
        await phone.locator("[data-lens-start]").click();
        await tech.getByText("Live: you see the customer's camera.").waitFor({ timeout: 30_000 });
        await until(() => session.state.phase === "live", "live on the server");
        // Ann records for a moment; the app's clock says 95 s went by while it was live.
        await tech.locator("[data-lens-record]").click();
        await tech.getByRole("button", { name: "Stop recording" }).waitFor();
        await until(() => session.state.recording, "the server knows it records");
        // "Recorded" once a part is really stored (at the phone's next keyframe).
        await until(async () => {
          const [row] = await t.deps.db.select().from(lensSessions)
            .where(eq(lensSessions.id, session.id));
          return row.recorded;
        }, "a part is stored");
        t.clock.advance(95_000);
        await Promise.all([tech.waitForNavigation(), tech.locator("[data-lens-end]").click()]);
        await tech.locator("[data-lens-recent]").getByText("Carla de Vries").waitFor();
        await phoneAt.close();

        // A second one nobody opens: it expires (the wait shortened for the test).
        // Taken as the registry starts it: the click returns before the server has, and the
        // running session is gone from `ofTechnician` once expired (it was read too early once).
        const registry = lensRegistry(t.deps);
        registry.options.waitingMs = 300;
        const start = registry.start.bind(registry);
        const started = new Promise<Awaited<ReturnType<typeof start>>>((resolve) => {
          registry.start = (...args) => start(...args).then((lens) => (resolve(lens), lens));
        });
        await tech.locator("[data-lens-start]").click();
        const second = await started;
        registry.start = start;
        await until(() => second.ended, "the unopened link expires");
        await lensRegistry(t.deps).recorded(second);
        await tech.goto(`${base}/console/lens`);
        const recent = await tech.locator("[data-lens-recent] tbody").innerText();
        assert.match(recent, /Nobody opened the link in time/);
        assert.match(recent, /Carla de Vries[\s\S]*Ended by the technician/);
        assert.deepEqual(tech.errors, []);

        // Lea reads the report of today, in her browser's zone.
        for (const [width, height] of [[1366, 768], [1920, 1080]]) {
          const admin = await newPage();
          await admin.setViewportSize({ width, height });
          await signInPage(admin, base, "lea@example.test", TECH_PASSWORD);
          await admin.goto(`${base}/admin/reports/outcomes?period=day&date=2026-11-24&tz=UTC`);
          await admin.locator(".report-tabs a", { hasText: "Lens sessions" }).click();
          await admin.waitForURL(/\/admin\/reports\/lens\?/);
          const rows = admin.locator(".report-table tbody tr");
          assert.equal(await rows.count(), 2, "Ann's two, not Bob's");
          const [newest, first] = [await rows.nth(0).innerText(), await rows.nth(1).innerText()];
          assert.match(
            newest,
            /Ann Archer\s+Field team\s+–\s+Not sent by e-mail or text message\s+–\s+Nobody opened the link in time\s+No/,
          );
          assert.match(
            first,
            /Ann Archer\s+Field team\s+Carla de Vries\s+By e-mail\s+1:35\s+Ended by the technician\s+Yes/,
          );
          const table = await admin.locator(".report-table").innerText();
          assert.doesNotMatch(table, /Bob Baker|Dirk/);
          const totals = await admin.locator(".report-totals").innerText();
          assert.match(totals, /Lens sessions\s+2/);
          assert.match(totals, /Went live\s+1/);
          assert.match(totals, /Live time in all\s+1:35/);
          assert.match(totals, /Recorded\s+1/);
          assert.match(totals, /Nobody opened the link in time\s+1/);
          // Every column shows at this width: none behind a scroll bar.
          const clipped = await admin.locator(".report-table").evaluate((el) =>
            el.scrollWidth - el.clientWidth
          );
          assert.ok(clipped <= 1, `${clipped}px of the table hidden at ${width}`);
          await admin.screenshot({ path: `${shots}/reports-lens-${width}.png`, fullPage: true });
          // Names, landmarks and contrast (axe-core) in every colour scheme: the totals' tiles too.
          for (const scheme of SCHEMES) {
            await applyScheme(admin, scheme);
            const findings = await axeFindings(admin);
            assert.deepEqual(findings, [], `${scheme} at ${width}`);
          }
          await applyScheme(admin, "light");
          // In Dutch, whose words are longer, every column still shows.
          await t.deps.db.update(users).set({ language: "nl" }).where(eq(users.id, lea.id));
          await admin.reload();
          assert.match(await admin.locator(".report-totals").innerText(), /Live gegaan\s+1/);
          const clippedNl = await admin.locator(".report-table").evaluate((el) =>
            el.scrollWidth - el.clientWidth
          );
          assert.ok(clippedNl <= 1, `${clippedNl}px of the Dutch table hidden at ${width}`);
          await admin.screenshot({ path: `${shots}/reports-lens-nl-${width}.png`, fullPage: true });
          await t.deps.db.update(users).set({ language: "en" }).where(eq(users.id, lea.id));
          await admin.reload();
          // The CSV link downloads the same two rows.
          const [download] = await Promise.all([
            admin.waitForEvent("download"),
            admin.getByRole("link", { name: "Download CSV" }).click(),
          ]);
          const csv = (await Deno.readTextFile((await download.path())!)).trim().split("\r\n");
          assert.equal(csv.length, 3);
          assert.match(csv[2], /Carla de Vries,By e-mail,95,Ended by the technician,Yes$/);
          assert.deepEqual(admin.errors, []);
          await admin.context().close();
        }
      } finally {
        for (const s of lensRegistry(t.deps).all()) s.end("technician");
        await phoneBrowser.close();
        await Deno.remove(folder, { recursive: true }).catch(() => {});
      }
    });
  },
);
