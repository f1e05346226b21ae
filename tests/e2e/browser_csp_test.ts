/**
 * engine-neutral: it audits rendered pages in Chromium; no check here depends on the database engine.
 * No page logs a Content Security Policy violation or a script error (issue 13): every kind
 * of page in headless Chromium — sign-in, PIN, channel form, the terms, Instant Chat and
 * goodbye pages of a customer, the console, a session's workspace, console options and
 * replies, My account, every Admin Center page, an error page. Violations are caught twice:
 * the page's `securitypolicyviolation` events, and the console errors Chromium logs for them.
 * On the customer page the chat box is resized before a message is sent: htmx used to copy
 * the resized box's `style` attribute onto the swapped-in form, a `style-src-attr` violation.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { ADMIN } from "../support/app.ts";
import { browserTest, clickAndWait, withBrowser } from "../support/browser.ts";
import { masterAdmin, TECH_PASSWORD } from "../support/org.ts";
import { technician } from "../support/sessions.ts";
import { setGroupSettings } from "../../modules/org/mod.ts";
import { channelForm, createChannelVia } from "../../modules/channels/test_fixtures.ts";
import { createPrivateSession, endSession, startSession } from "../../modules/support/mod.ts";

type Checked = Page & { errors: string[] };

/** Reports every CSP violation of every document the page loads into `found`. */
async function watchCsp(page: Page, found: string[]) {
  await page.exposeFunction("reportCsp", (line: string) => found.push(line));
  await page.addInitScript(() =>
    document.addEventListener("securitypolicyviolation", (e) =>
      // deno-lint-ignore no-explicit-any
      (globalThis as any).reportCsp(
        `${location.pathname}: ${e.violatedDirective} from ${e.sourceFile}:${e.lineNumber}`,
      ))
  );
}

/** Opens `path` and waits for its scripts; returns the path for the list of pages seen. */
async function visit(page: Checked, base: string, path: string) {
  const response = await page.goto(`${base}${path}`);
  assert.ok(response, path);
  await page.waitForFunction(() => "htmx" in globalThis);
  return path;
}

browserTest("browser: no page logs a CSP violation or a script error", async (t) => {
  const tech = await technician(t, { name: "Ann" });
  const audit = { actor: await masterAdmin(t), ip: "127.0.0.1", now: t.clock.now() };
  await setGroupSettings(t.deps.db, tech.groupId!, {
    termsEnabled: true,
    termsText: "Be nice.",
  }, audit);
  const admin = t.client();
  await admin.signIn(ADMIN.email, ADMIN.password);
  const form = channelForm({ groupId: tech.groupId! });
  delete form.hoursEnabled; // open around the clock
  const channel = await createChannelVia({ t, admin, orgId: tech.orgId }, form);
  const { session } = await createPrivateSession(t.deps, tech, {
    method: "pin",
    customerName: "Carol",
    fields: {},
  });

  await withBrowser(t, async ({ base, newPage }) => {
    const violations: string[] = [];
    const pages: Checked[] = [];
    const open = async () => {
      const page = await newPage();
      await watchCsp(page, violations);
      pages.push(page);
      return page;
    };
    const seen: string[] = [];

    // Anyone: sign-in, PIN, channel form, an error page.
    const visitor = await open();
    for (const path of ["/signin", "/pin", `/c/${channel.slug}`]) {
      seen.push(await visit(visitor, base, path));
    }
    const lost = await open();
    seen.push(await visit(lost, base, "/no-such-page"));

    // The customer: PIN → terms → Instant Chat (a resized box, a message) → goodbye.
    const customer = await open();
    await visit(customer, base, "/pin");
    await customer.fill("input[name=pin]", session.pin!);
    await clickAndWait(customer, "button[type=submit]");
    await customer.locator("button[name=decision][value=accept]").waitFor();
    seen.push("/s/:token (terms)");
    await clickAndWait(customer, "button[name=decision][value=accept]");
    const box = (await customer.locator("#customer-chat-input").boundingBox())!;
    await customer.mouse.move(box.x + box.width - 3, box.y + box.height - 3);
    await customer.mouse.down();
    await customer.mouse.move(box.x + box.width - 3, box.y + box.height + 60, { steps: 5 });
    await customer.mouse.up();
    assert.match(await customer.getAttribute("#customer-chat-input", "style") ?? "", /height/);
    await customer.fill("#customer-chat-input", "Hello");
    await customer.press("#customer-chat-input", "Enter");
    await customer.locator(".log-line[data-kind=chat]", { hasText: "Hello" }).first().waitFor();
    await customer.locator("#customer-chat-input:focus").waitFor();
    seen.push("/s/:token (chat)");

    // The technician: console, the session's workspace, options, replies, account.
    const ann = await open();
    await visit(ann, base, "/signin");
    await ann.fill("#email", tech.email);
    await ann.fill("#password", TECH_PASSWORD);
    await clickAndWait(ann, "button[type=submit]");
    await startSession(t.deps, tech, session.id);
    seen.push(await visit(ann, base, "/console"));
    seen.push(await visit(ann, base, `/console/sessions/${session.id}`));
    await ann.locator(`#log-${session.id} .log-line`, { hasText: "Hello" }).first().waitFor();
    // The detached remote view: the island alone, no htmx (it sizes the video by the CSSOM).
    await ann.goto(`${base}/console/sessions/${session.id}/remote`);
    await ann.locator(".remote-view .rv-invite").waitFor();
    seen.push("/console/sessions/:id/remote");
    for (const path of ["/console/options", "/console/replies", "/account"]) {
      seen.push(await visit(ann, base, path));
    }

    // The master admin: every Admin Center page.
    const boss = await open();
    await visit(boss, base, "/signin");
    await boss.fill("#email", ADMIN.email);
    await boss.fill("#password", ADMIN.password);
    await clickAndWait(boss, "form[action='/signin'] button[type=submit]");
    const group = `/admin/groups/${tech.groupId}`;
    for (
      const path of [
        "/admin/groups",
        group,
        `${group}/settings`,
        `${group}/permissions`,
        "/admin/technicians",
        "/admin/channels",
        "/admin/channels/new",
        `/admin/channels/${channel.id}`,
        "/admin/channels/callbacks",
        "/admin/fields",
        "/admin/outbox",
        "/admin/sms",
        "/admin/audit",
        "/admin/audit/integrity",
        "/admin/webhooks",
        "/admin/organisation",
        "/admin/security",
        "/admin/sso",
      ]
    ) seen.push(await visit(boss, base, path));

    // The session ends: the customer's page says so, and a reload is the goodbye page.
    await endSession(t.deps, tech, session.id);
    await customer.locator("#ended-notice").waitFor({ state: "visible" });
    await visit(customer, base, `/s/${session.token}`);
    await customer.locator(".customer-ended").waitFor();
    seen.push("/s/:token (goodbye)");

    assert.equal(seen.length, 31, seen.join(", "));
    assert.deepEqual(violations, []);
    // The one error expected: the error page's own status, logged by Chromium.
    assert.deepEqual(lost.errors, [
      "console: Failed to load resource: the server responded with a status of 404 (Not Found)",
    ]);
    assert.deepEqual(pages.filter((page) => page !== lost).flatMap((page) => page.errors), []);
  });
});
