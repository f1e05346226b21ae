/**
 * Recording's admin side in Chromium (SPEC R5): the group's permissions offer "Record
 * sessions" (no longer "not available yet"), and its settings take the policy and a folder —
 * a relative path refused beside the field in words, an absolute one created and kept; the help
 * says what each choice does and where recordings go by default; beside it how many days they are
 * kept (a negative number refused in words).
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { technicianGroups } from "../../modules/org/mod.ts";
import { ADMIN, startTestApp } from "../support/app.ts";
import { clickAndWait, signInPage, withBrowser } from "../support/browser.ts";
import { makeGroup } from "../support/org.ts";

const SHOTS = "/tmp/shots";

Deno.test({
  name: "browser: an admin lets a group's technicians record, into a folder of its choice",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const t = await startTestApp();
    const work = await Deno.makeTempDir();
    try {
      const group = await makeGroup(t, { name: "Field team" });
      await withBrowser(t, async ({ base, newPage }) => {
        const admin = await newPage();
        await admin.setViewportSize({ width: 1366, height: 768 });
        await signInPage(admin, base, ADMIN.email, ADMIN.password);

        await admin.goto(`${base}/admin/groups/${group.id}/permissions`);
        const record = admin.locator("input[value=recordSessions]");
        assert.equal(await record.isDisabled(), false, "Record sessions can be granted");
        await record.check();
        await clickAndWait(admin, "form button[type=submit]:has-text('Save')");

        await admin.goto(`${base}/admin/groups/${group.id}/settings`);
        await admin.selectOption("#s-recordingPolicy", "optional");
        await admin.fill("#s-recordingLocation", "recordings");
        await clickAndWait(admin, "form button[type=submit]:has-text('Save')");
        const error = admin.locator("#s-recordingLocation ~ .field-error");
        assert.equal(await error.textContent(), "Give a full path that starts with /.");
        await admin.locator("#s-recordingLocation").scrollIntoViewIfNeeded();
        await admin.screenshot({ path: `${SHOTS}/REC_admin_folder_error_1366.png` });

        await admin.fill("#s-recordingLocation", `${work}/recordings`);
        await clickAndWait(admin, "form button[type=submit]:has-text('Save')");
        await admin.getByText("Saved").first().waitFor();
        assert.ok((await Deno.stat(`${work}/recordings`)).isDirectory, "the folder was made");
        const [row] = await t.deps.db.select().from(technicianGroups)
          .where(eq(technicianGroups.id, group.id));
        assert.equal(row.settings.recordingPolicy, "optional");
        assert.ok(row.permissions.includes("recordSessions"));
        const help = await admin.locator("#s-recordingPolicy ~ p.muted").first().textContent();
        assert.match(help ?? "", /Record sessions permission start and stop it/);
        assert.match(
          await admin.locator("#s-recordingLocation").locator("xpath=../following-sibling::p")
            .first().textContent() ?? "",
          /Leave empty for .*\/recordings\./,
        );
        await admin.setViewportSize({ width: 1920, height: 1080 });
        await admin.locator("#s-recordingLocation").scrollIntoViewIfNeeded();
        await admin.screenshot({ path: `${SHOTS}/REC_admin_settings_1920.png` });

        // Beside the folder, how long recordings are kept: days, refused in words if not.
        await admin.fill("#s-recordingRetentionDays", "-3");
        await clickAndWait(admin, "form button[type=submit]:has-text('Save')");
        const days = admin.locator("#s-recordingRetentionDays ~ .field-error");
        assert.equal(await days.textContent(), "Enter a whole number from 0 to 3650.");
        await admin.fill("#s-recordingRetentionDays", "30");
        await clickAndWait(admin, "form button[type=submit]:has-text('Save')");
        await admin.getByText("Saved").first().waitFor();
        const [kept] = await t.deps.db.select().from(technicianGroups)
          .where(eq(technicianGroups.id, group.id));
        assert.equal(kept.settings.recordingRetentionDays, 30);
        assert.match(
          await admin.locator("#retention-help").textContent() ?? "",
          /Empty or 0 keeps them until an admin deletes them/,
        );
        await admin.locator("#s-recordingRetentionDays").scrollIntoViewIfNeeded();
        await admin.screenshot({ path: `${SHOTS}/fix-retention-1920.png` });
        await admin.setViewportSize({ width: 1366, height: 768 });
        await admin.locator("#s-recordingRetentionDays").scrollIntoViewIfNeeded();
        await admin.screenshot({ path: `${SHOTS}/fix-retention-1366.png` });
      });
    } finally {
      await t.close();
      await Deno.remove(work, { recursive: true });
    }
  },
});
