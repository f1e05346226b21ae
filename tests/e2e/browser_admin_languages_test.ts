// The Admin Center in every staff language at 1366×768, for the master admin (the most
// sections): the sections' tabs are one line that needs no sideways scrolling (the Organisation
// tab was cut at the edge in German, French, Spanish and Brazilian Portuguese, whose "Audit log"
// was two or three words), and the groups page and a group's permissions page are no wider than
// the window. Screenshots go to $SHOTS as ADMIN_<lang>_<page>.png.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { users } from "../../modules/auth/mod.ts";
import { languageTag, STAFF_LANGUAGES } from "../../modules/i18n/mod.ts";
import { ADMIN } from "../support/app.ts";
import { browserTest, signInPage, withBrowser } from "../support/browser.ts";
import { makeGroup } from "../support/org.ts";

const SHOTS = Deno.env.get("SHOTS");

browserTest("browser: the Admin Center's tabs fit one line in every staff language", async (t) => {
  const group = await makeGroup(t, { name: "Helpdesk Noord-Brabant en Zeeland" });
  await withBrowser(t, async ({ base, newPage }) => {
    const page = await newPage();
    await page.setViewportSize({ width: 1366, height: 768 });
    await signInPage(page, base, ADMIN.email, ADMIN.password);
    const problems: string[] = [];
    for (const lang of STAFF_LANGUAGES) {
      await t.deps.db.update(users).set({ language: lang }).where(eq(users.email, ADMIN.email));
      for (
        const [name, path] of [["groups", "/admin/groups"], [
          "permissions",
          `/admin/groups/${group.id}/permissions`,
        ]]
      ) {
        await page.goto(`${base}${path}`);
        assert.equal(await page.getAttribute("html", "lang"), languageTag(lang));
        const m = await page.evaluate(() => {
          const nav = document.querySelector<HTMLElement>(".admin-nav")!;
          const box = nav.getBoundingClientRect();
          return {
            scrolls: nav.scrollWidth - nav.clientWidth,
            cut: [...nav.children].filter((tab) =>
              tab.getBoundingClientRect().right > box.right + 1
            )
              .map((tab) => tab.textContent),
            wide: document.documentElement.scrollWidth - innerWidth,
          };
        });
        if (m.scrolls > 0) problems.push(`${lang} ${name}: the tabs scroll ${m.scrolls}px`);
        if (m.cut.length) problems.push(`${lang} ${name}: tabs cut ${m.cut}`);
        if (m.wide > 0) problems.push(`${lang} ${name}: the page is ${m.wide}px too wide`);
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/ADMIN_${lang}_${name}.png` });
      }
    }
    assert.deepEqual(problems, []);
    assert.deepEqual(page.errors, []);
  });
});
