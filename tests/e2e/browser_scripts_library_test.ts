/**
 * The script libraries in Chromium: an admin adds an organisation ("nested") script in the
 * Admin Center, a technician's import of a hostile scripts.xml is refused in words with
 * nothing imported, and both pages are photographed at 1366×768 and 1920×1080 (SCRIPTS_SHOTS,
 * else /tmp) — nothing may overflow the page sideways.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { count } from "drizzle-orm";
import { ADMIN, startTestApp } from "../support/app.ts";
import { clickAndWait, withBrowser } from "../support/browser.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician } from "../support/sessions.ts";
import { scripts } from "../../modules/scripts/mod.ts";

const SHOTS = Deno.env.get("SCRIPTS_SHOTS") ?? "/tmp";
const SIZES = [[1366, 768], [1920, 1080]] as const;

Deno.test({
  name: "browser: nested scripts in the Admin Center, a hostile import refused, at two sizes",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const t = await startTestApp();
    try {
      const ann = await technician(t, { name: "Ann", permissions: ["scriptsDeploy"] });
      await withBrowser(t, async ({ base, newPage }) => {
        const admin = await newPage();
        await admin.goto(`${base}/signin`);
        await admin.fill("#email", ADMIN.email);
        await admin.fill("#password", ADMIN.password);
        await clickAndWait(admin, "button[type=submit]");
        await admin.goto(`${base}/admin/scripts`);
        assert.equal(await admin.locator(".admin-nav a.active").textContent(), "Scripts");
        await admin.fill("#script-name", "Clear the print queue");
        await admin.setInputFiles("#script-file", {
          name: "clear-queue.sh",
          mimeType: "text/x-sh",
          buffer: Buffer.from("#!/bin/sh\ncancel -a\n"),
        });
        await admin.setInputFiles("#script-resource", {
          name: "printers.txt",
          mimeType: "text/plain",
          buffer: Buffer.from("office\n"),
        });
        await admin.check("input[name=favourite]");
        await clickAndWait(admin, "#script-form button[type=submit]");
        await admin.locator(".flash.info:has-text('Script added.')").waitFor();
        assert.match(await admin.locator(".scripts-table").textContent() ?? "", /printers\.txt/);
        for (const [width, height] of SIZES) {
          await admin.setViewportSize({ width, height });
          await admin.screenshot({ path: `${SHOTS}/scripts_admin_${width}.png`, fullPage: true });
          const sideways = await admin.evaluate(() =>
            document.documentElement.scrollWidth > document.documentElement.clientWidth
          );
          assert.equal(sideways, false, `no sideways scrolling at ${width}`);
        }

        const tech = await newPage();
        await tech.goto(`${base}/signin`);
        await tech.fill("#email", ann.email);
        await tech.fill("#password", TECH_PASSWORD);
        await clickAndWait(tech, "button[type=submit]");
        await tech.goto(`${base}/console/scripts`);
        await tech.setInputFiles("#scripts-import-file", {
          name: "scripts.xml",
          mimeType: "application/xml",
          buffer: Buffer.from(
            '<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaaaa">]><scripts version="1"/>',
          ),
        });
        await clickAndWait(tech, "#scripts-transfer button[type=submit]");
        const refusal = await tech.locator("#scripts-transfer .flash.error").textContent();
        assert.match(refusal ?? "", /DOCTYPE or ENTITY declaration.*Nothing was imported\./);
        const [stored] = await t.deps.db.select({ n: count() }).from(scripts);
        assert.equal(stored.n, 1, "only the admin's nested script");
        for (const [width, height] of SIZES) {
          await tech.setViewportSize({ width, height });
          await tech.screenshot({ path: `${SHOTS}/scripts_refused_${width}.png`, fullPage: true });
        }
      });
    } finally {
      await t.close();
    }
  },
});
