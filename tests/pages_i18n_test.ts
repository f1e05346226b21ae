// Every page a signed-in admin or technician can open renders in English and in Dutch,
// with no translation key left showing (a missing key would print as "org.something").
// engine-one: it checks the words of pages; the rows it makes are only there to reach them.
import assert from "node:assert/strict";
import { defaultPermissions } from "../modules/permissions/mod.ts";
import { LANGUAGES, languageTag, STAFF_LANGUAGES, textDirection } from "../modules/i18n/mod.ts";
import { ADMIN, startTestApp } from "./support/app.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "./support/org.ts";
import { masterAdmin } from "./support/org.ts";
import { technician, workingSession } from "./support/sessions.ts";
import { setGroupSettings } from "../modules/org/mod.ts";
import {
  createPrivateSession,
  customerLeft,
  pushUrl,
  setChatEnabled,
  storeFile,
  technicianChat,
} from "../modules/support/mod.ts";
import { DEFAULT_FILE_LIMIT } from "../modules/support/test_support.ts";

const KEY_LEAK =
  /\b(?:app|common|nav|errors|signin|twofa|setup|console|account|admin|audit|api|org|roles|presence|permissions|permissionCategories|groupSettings|mail|sms|channels|fields|webhooks)\.[a-zA-Z_]+\b/;

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
      "/console/options",
      "/console/replies",
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
      "/admin/sms",
      "/admin/audit",
      "/admin/audit/integrity",
      "/admin/webhooks",
      "/admin/security",
      "/admin/sso",
    ];
    for (const lang of STAFF_LANGUAGES) {
      const admin = t.client();
      admin.headers["accept-language"] = lang;
      await admin.signIn(ADMIN.email, ADMIN.password);
      for (const path of pages) {
        const res = await admin.get(path);
        assert.equal(res.status, 200, `${lang} ${path}`);
        const html = await res.text();
        assert.match(
          html,
          new RegExp(`<html lang="${languageTag(lang)}" dir="${textDirection(lang)}">`),
          `${lang} ${path}`,
        );
        // The audit log lists action names (auth.signin, …) as data, not as labels.
        const text = path === "/admin/audit"
          ? visibleText(
            html.replace(/<tbody>[\s\S]*<\/tbody>/, "").replace(/<select[\s\S]*?<\/select>/, ""),
          )
          // The webhook form names each event type as data too (audit.recorded).
          : visibleText(html.replace(/<code[^>]*>[^<]*<\/code>/g, ""));
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

// The customer's pages have their own key families (customer, log, status, chat, files).
const CUSTOMER_KEY_LEAK =
  /\b(?:app|common|errors|customer|log|status|chat|files|sessions)\.[a-zA-Z_]+\b/;

Deno.test("customer pages (PIN, terms, Instant Chat, goodbye) render in every language without leaking keys", async () => {
  const t = await startTestApp();
  try {
    const tech = await technician(t, {
      name: "Ann",
      permissions: [...defaultPermissions(), "chatToggle", "pushUrls"],
    });
    const session = await workingSession(t, tech, "pin");
    await technicianChat(t.deps, tech, session.id, "Hello");
    await pushUrl(t.deps, tech, session.id, "https://example.com/help");
    await storeFile(
      t.deps,
      session,
      {
        name: "fix.txt",
        type: "text/plain",
        bytes: new Uint8Array([1, 2, 3]),
      },
      { direction: "to_customer", user: tech },
      DEFAULT_FILE_LIMIT,
    );
    await setChatEnabled(t.deps, tech, session.id, false);
    const ended = (await createPrivateSession(t.deps, tech, {
      method: "link",
      customerName: "Dan",
      fields: {},
    })).session;
    await customerLeft(t.deps, ended);
    const strict = await technician(t);
    await setGroupSettings(t.deps.db, strict.groupId!, {
      termsEnabled: true,
      termsText: "Terms.",
    }, { actor: await masterAdmin(t), ip: "127.0.0.1", now: t.clock.now() });
    const terms = (await createPrivateSession(t.deps, strict, {
      method: "link",
      customerName: "Eve",
      fields: {},
    })).session;
    const pages = ["/pin", `/s/${session.token}`, `/s/${ended.token}`, `/s/${terms.token}`];
    for (const lang of LANGUAGES) {
      const customer = t.client();
      customer.headers["accept-language"] = lang;
      for (const path of pages) {
        const res = await customer.get(path);
        assert.equal(res.status, 200, `${lang} ${path}`);
        const html = await res.text();
        assert.match(
          html,
          new RegExp(`<html lang="${languageTag(lang)}" dir="${textDirection(lang)}">`),
          `${lang} ${path}`,
        );
        const leak = CUSTOMER_KEY_LEAK.exec(visibleText(html));
        assert.equal(leak, null, `${lang} ${path} shows the key ${leak?.[0]}`);
      }
    }
  } finally {
    await t.close();
  }
});
