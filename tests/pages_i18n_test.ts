// Every page a signed-in admin or technician can open renders in English and in Dutch,
// with no translation key left showing (a missing key would print as "org.something").
import assert from "node:assert/strict";
import { LANGUAGES } from "../modules/i18n/mod.ts";
import { ADMIN, startTestApp } from "./support/app.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "./support/org.ts";

const KEY_LEAK =
  /\b(?:app|common|nav|errors|signin|twofa|setup|console|account|admin|audit|api|org|roles|presence|permissions|permissionCategories|groupSettings|mail|channels|fields)\.[a-zA-Z_]+\b/;

function visibleText(html: string): string {
  return html.replace(/<script[\s\S]*?<\/script>/g, "").replace(/<[^>]+>/g, " ");
}

Deno.test("admin and console pages render in every language without leaking keys", async () => {
  const t = await startTestApp();
  try {
    const group = await makeGroup(t, { name: "Helpdesk" });
    const person = await makePerson(t, { groupId: group.id });
    const pages = [
      "/console",
      "/account",
      "/admin/groups",
      `/admin/groups/${group.id}`,
      `/admin/groups/${group.id}/permissions`,
      `/admin/groups/${group.id}/settings`,
      "/admin/technicians",
      "/admin/channels",
      "/admin/channels/new",
      "/admin/channels/callbacks",
      "/admin/fields",
      "/admin/outbox",
      "/admin/audit",
      "/admin/security",
    ];
    for (const lang of LANGUAGES) {
      const admin = t.client();
      admin.headers["accept-language"] = lang;
      await admin.signIn(ADMIN.email, ADMIN.password);
      for (const path of pages) {
        const res = await admin.get(path);
        assert.equal(res.status, 200, `${lang} ${path}`);
        const html = await res.text();
        assert.match(html, new RegExp(`<html lang="${lang}">`), `${lang} ${path}`);
        // The audit log lists action names (auth.signin, …) as data, not as labels.
        const text = path === "/admin/audit"
          ? visibleText(
            html.replace(/<tbody>[\s\S]*<\/tbody>/, "").replace(/<select[\s\S]*?<\/select>/, ""),
          )
          : visibleText(html);
        const leak = KEY_LEAK.exec(text);
        assert.equal(leak, null, `${lang} ${path} shows the key ${leak?.[0]}`);
      }
      const tech = t.client();
      tech.headers["accept-language"] = lang;
      await tech.signIn(person.email, TECH_PASSWORD);
      const html = await (await tech.get("/console")).text();
      assert.equal(KEY_LEAK.exec(visibleText(html)), null);
    }
  } finally {
    await t.close();
  }
});
