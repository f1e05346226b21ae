// Languages through the real parts (SPEC L1/L2): a technician whose account is in Japanese
// works a session in a Japanese console; the customer's browser asks for Russian (a customer
// language: the customer's side only) and gets the PIN page and the session page in Russian,
// chats, then picks Arabic in the page's menu and the page turns right to left; a staff page
// for the same Russian browser falls to the next staff language it asks for, then English.
// Every string compared is read from the locale files through the translator, and the log
// must show no `i18n.english` line (a customer's page that fell back to English).
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { users } from "../../modules/auth/mod.ts";
import { translator } from "../../modules/i18n/mod.ts";
import { findByToken, startSession } from "../../modules/support/mod.ts";
import { agentStrings } from "../../agent/strings.ts";
import { startXvfb } from "../../agent/platform/xvfb_test_support.ts";
import { startTestApp } from "../support/app.ts";
import { closeAgentWorld, runAgent } from "../support/agent_e2e.ts";
import { eventually } from "../support/eventually.ts";
import { browserTest, signInPage, withBrowser } from "../support/browser.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { carolSession, technician } from "../support/sessions.ts";

const SHOTS = "/tmp/shots";

browserTest(
  "browser: a Japanese console, a Russian customer who switches to Arabic (right to left)",
  async (t) => {
    const kenji = await technician(t, { name: "Kenji" });
    await t.deps.db.update(users).set({ language: "ja" }).where(eq(users.id, kenji.id));
    const session = await carolSession(t, kenji, "pin");
    const [ja, ru, ar] = [translator("ja"), translator("ru"), translator("ar")];
    await Deno.mkdir(SHOTS, { recursive: true });

    await withBrowser(t, async ({ base, newPage }) => {
      // --- The technician: the account's language wins over the browser's English. ---
      const tech = await newPage({ locale: "en-US" });
      await signInPage(tech, base, kenji.email, TECH_PASSWORD);
      await tech.setViewportSize({ width: 1366, height: 768 });
      await tech.goto(`${base}/console`);
      assert.equal(await tech.getAttribute("html", "lang"), "ja");
      assert.equal(await tech.getAttribute("html", "dir"), "ltr");
      assert.equal(
        (await tech.locator("header.topbar nav a[href='/console']").textContent())?.trim(),
        ja("nav.console"),
      );

      // --- The customer, whose browser asks for Russian: the PIN page in Russian. ---
      const customer = await newPage({ locale: "ru-RU" });
      await customer.setViewportSize({ width: 1366, height: 768 });
      await customer.goto(`${base}/pin`);
      assert.equal(await customer.getAttribute("html", "lang"), "ru");
      assert.equal(await customer.locator("h1").textContent(), ru("customer.pin.title"));
      assert.equal(
        (await customer.locator("#customer-lang option[selected]").textContent())?.trim(),
        "Русский",
      );
      await customer.screenshot({ path: `${SHOTS}/lang-pin-ru-1366.png` });
      await customer.fill("#pin", session.pin!);
      await Promise.all([
        customer.waitForURL(/\/s\//),
        customer.locator("form[action='/pin'] button[type=submit]").click(),
      ]);
      assert.equal(
        (await customer.locator(".session-number").textContent())?.trim(),
        ru("customer.sessionNumber", { number: session.number }),
      );
      await customer.locator("#customer-chat-form textarea").fill(
        "Здравствуйте, принтер не печатает",
      );
      await customer.locator("#customer-chat-form button[type=submit]").click();

      // --- The technician picks it up; the workspace names the customer's language. ---
      // (.first(): the page shows the line at once, then the server's copy replaces it.)
      await customer.locator("#customer-log").getByText("Здравствуйте, принтер не печатает")
        .first().waitFor();
      await startSession(t.deps, kenji, session.id);
      await tech.goto(`${base}/console/sessions/${session.id}`);
      await tech.locator(".workspace-head .customer-language").waitFor();
      assert.equal(
        await tech.locator(".workspace-head .customer-language").getAttribute("title"),
        ja("workspace.customerLanguage", { language: "Русский" }),
      );
      await tech.locator(`#log-${session.id}`).getByText(
        "Здравствуйте, принтер не печатает",
      ).waitFor();
      await tech.screenshot({ path: `${SHOTS}/lang-console-ja-1366.png` });
      await tech.setViewportSize({ width: 1920, height: 1080 });
      await tech.screenshot({ path: `${SHOTS}/lang-console-ja-1920.png` });

      // --- The customer picks Arabic: the page turns right to left, in Arabic. ---
      await Promise.all([
        customer.waitForURL(/\/s\//),
        customer.locator("#customer-lang").selectOption("ar"),
      ]);
      await customer.waitForFunction(() => document.documentElement.lang === "ar");
      assert.equal(await customer.getAttribute("html", "dir"), "rtl");
      assert.equal(
        (await customer.locator(".session-number").textContent())?.trim(),
        ar("customer.sessionNumber", { number: session.number }),
      );
      await customer.locator("#customer-log").getByText("Здравствуйте, принтер не печатает")
        .waitFor();
      await customer.screenshot({ path: `${SHOTS}/lang-customer-ar-1366.png` });
      await customer.setViewportSize({ width: 1920, height: 1080 });
      await customer.screenshot({ path: `${SHOTS}/lang-customer-ar-1920.png` });

      // --- A staff page for a Russian browser: the next staff language it asks for. ---
      const signInLang = async (accept: string) => {
        const html = await (await fetch(`${base}/signin`, {
          headers: { "accept-language": accept },
        })).text();
        return /<html lang="([^"]+)"/.exec(html)?.[1];
      };
      assert.equal(await signInLang("ru-RU,ru;q=0.9,de;q=0.5"), "de");
      assert.equal(await signInLang("ru-RU,ru;q=0.9"), "en");
      assert.equal(await signInLang("zh-HK,en;q=0.5"), "zh-Hant");

      assert.deepEqual([...tech.errors, ...customer.errors], []);
    });
    const english = t.logLines.filter((line) => line.includes('"i18n.english"'));
    assert.deepEqual(english, [], "a customer's page showed English");
  },
);

Deno.test({
  name: "e2e: the support app on an Arabic system speaks Arabic, right to left, and the " +
    "technician's workspace says the customer reads Arabic",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const xvfb = await startXvfb({ width: 1024, height: 768 });
    const work = await Deno.makeTempDir({ prefix: "rescue-lang-e2e-" });
    const t = await startTestApp();
    let agent: Deno.ChildProcess | null = null;
    try {
      const kenji = await technician(t, { name: "Kenji" });
      await t.deps.db.update(users).set({ language: "ja" }).where(eq(users.id, kenji.id));
      const session = await carolSession(t, kenji, "pin");
      const arabic = agentStrings("ar").page;
      await withBrowser(t, async ({ base, newPage }) => {
        (t.deps.config as { publicUrl: string }).publicUrl = base;
        const run = runAgent({
          pin: session.pin!,
          server: base,
          display: xvfb.display,
          stateDir: `${work}/agent-state`,
          env: { LANG: "ar_EG.UTF-8" },
        });
        agent = run.agent;
        const appWindow = await newPage();
        await appWindow.setViewportSize({ width: 1366, height: 768 });
        await appWindow.goto(await run.page);
        assert.equal(await appWindow.getAttribute("html", "lang"), "ar");
        assert.equal(await appWindow.getAttribute("html", "dir"), "rtl");
        assert.equal(await appWindow.locator("h1").textContent(), arabic.title);
        assert.equal(await appWindow.locator(".trust").textContent(), arabic.trust);
        await appWindow.locator("#status", { hasText: arabic.connected }).waitFor();
        await appWindow.screenshot({ path: `${SHOTS}/lang-agent-ar-1366.png` });

        // The app's hello told the server which language the customer reads.
        await eventually(
          "the session records Arabic",
          async () => (await findByToken(t.deps, session.token))?.customerLanguage === "ar",
        );
        await startSession(t.deps, kenji, session.id);
        const tech = await newPage();
        await signInPage(tech, base, kenji.email, TECH_PASSWORD);
        await tech.setViewportSize({ width: 1366, height: 768 });
        await tech.goto(`${base}/console/sessions/${session.id}`);
        assert.equal(
          await tech.locator(".workspace-head .customer-language").textContent(),
          "العربية",
        );
        assert.deepEqual([...appWindow.errors, ...tech.errors], []);
      });
    } finally {
      await closeAgentWorld({ agent, app: t, xvfb, work });
    }
  },
});
