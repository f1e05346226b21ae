/**
 * The organisation's name and logo in Chromium (issue 13): the master admin renames the
 * organisation and uploads a logo through Admin Center → Organisation; the customer's PIN
 * page and support page, and the console's header, show both (the image really loads: same
 * origin, allowed by the CSP)
 * at 1366×768 and 1920×1080, with no CSP violation or script error. SCREENSHOT_DIR=<dir>
 * keeps screenshots of both pages at both sizes.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { Page } from "playwright-core";
import { ADMIN } from "../support/app.ts";
import { browserTest, clickAndWait, signInPage, withBrowser } from "../support/browser.ts";
import { technician, workingSession } from "../support/sessions.ts";

const SIZES = [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }];

/** A PNG drawn by the browser itself: a fixture built in code, not a copied file. */
async function drawLogo(page: Page): Promise<Uint8Array> {
  const base64 = await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(240, 80);
    const g = canvas.getContext("2d")!;
    g.fillStyle = "#0b6e4f";
    g.fillRect(0, 0, 240, 80);
    g.fillStyle = "#ffffff";
    g.font = "bold 36px sans-serif";
    g.fillText("JANSEN", 40, 54);
    const bytes = new Uint8Array(await (await canvas.convertToBlob()).arrayBuffer());
    return btoa(String.fromCharCode(...bytes));
  });
  return Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
}

async function shoot(page: Page, name: string) {
  const dir = Deno.env.get("SCREENSHOT_DIR");
  if (dir) await page.screenshot({ path: `${dir}/${name}.png` });
}

/** The header's logo has loaded (a blocked or broken image has no natural width). */
async function logoLoaded(page: Page) {
  return await page.locator("header .org-logo").evaluate((img) =>
    (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth === 240
  );
}

browserTest(
  "browser: the organisation's name and logo from the Admin Center show on customer pages",
  async (t) => {
    const tech = await technician(t);
    const session = await workingSession(t, tech);
    await withBrowser(t, async ({ base, newPage }) => {
      const admin = await newPage();
      await signInPage(admin, base, ADMIN.email, ADMIN.password);
      await admin.goto(`${base}/admin/organisation`);
      await admin.fill("#org-name", "Jansen IT-hulp");
      await clickAndWait(admin, "form[action='/admin/organisation'] button[type=submit]");
      const png = await drawLogo(admin);
      await admin.setInputFiles("#org-logo", {
        name: "logo.png",
        mimeType: "image/png",
        buffer: Buffer.from(png),
      });
      await clickAndWait(admin, "form[action='/admin/organisation/logo'] button[type=submit]");
      assert.equal(await admin.locator(".org-logo-preview").count(), 1);
      assert.equal(await admin.locator("header .org-name").textContent(), "Jansen IT-hulp");
      for (const size of SIZES) {
        await admin.setViewportSize(size);
        await shoot(admin, `admin-organisation-${size.width}`);
      }
      await admin.goto(`${base}/console`);
      assert.ok(await logoLoaded(admin), "the console's header shows the logo");
      for (const size of SIZES) {
        await admin.setViewportSize(size);
        await shoot(admin, `console-logo-${size.width}`);
      }
      assert.deepEqual(admin.errors, []);

      const customer = await newPage();
      for (const path of ["/pin", `/s/${session.token}`]) {
        await customer.goto(`${base}${path}`);
        assert.equal(await customer.locator("header .org-name").textContent(), "Jansen IT-hulp");
        assert.ok(await logoLoaded(customer), `${path}: the logo loads`);
        for (const size of SIZES) {
          await customer.setViewportSize(size);
          const name = path === "/pin" ? "pin" : "customer";
          await shoot(customer, `${name}-logo-${size.width}`);
        }
      }
      assert.equal(
        await customer.locator("header a[href='/signin']").count(),
        0,
        "the customer's own page has no technician sign-in in its header",
      );
      await customer.goto(`${base}/pin`);
      await clickAndWait(customer, "header a[href='/signin']");
      assert.equal(new URL(customer.url()).pathname, "/signin");
      assert.deepEqual(customer.errors, []);
    });
  },
);
