// The support app's question for view says beforehand what the server said of recording, in the
// customer's language, in Chromium: "will be recorded" with the red dot of a recording for a
// group that records always, a plain line that the technician may record for one that lets
// them choose, nothing for a group that does not record.
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, CHROMIUM_HEADLESS } from "../support/loopback.ts";
import { ConsentPage } from "../../agent/consent_page.ts";
import { stillAgent } from "../../agent/test_support.ts";
import { agentStrings } from "../../agent/strings.ts";

Deno.test({
  name: "consent window: the question for view says beforehand whether it will or may be recorded",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const browser = await chromium.launch({
      executablePath: CHROMIUM_HEADLESS,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    try {
      const cases = [
        ["en", 1366, 768, "always", "The technician's view of your screen will be recorded."],
        ["nl", 1920, 1080, "always", "Wat de technicus van uw scherm ziet, wordt opgenomen."],
        ["en", 1366, 768, "optional", "Your technician may record their view of your screen."],
        ["en", 1366, 768, undefined, null],
      ] as const;
      for (const [lang, width, height, recording, said] of cases) {
        let page: ConsentPage | null = null;
        const agent = stillAgent({ onChange: () => page?.changed() });
        page = new ConsentPage({
          agent,
          strings: agentStrings(lang),
          lang,
          server: "support.example",
          chatUrl: "",
        });
        const tab = await browser.newPage({ viewport: { width, height } });
        try {
          await tab.goto(page.url);
          await agent.handle({ type: "request", capability: "view", recording });
          const question = tab.locator(".question[data-capability=view]");
          await question.waitFor();
          const notice = question.locator(".will-record");
          if (said === null) {
            assert.equal(await notice.count(), 0, "nothing said of recording");
            continue;
          }
          assert.ok((await notice.textContent())?.startsWith(said), recording);
          const dot = await notice.evaluate((el) => getComputedStyle(el, "::before").width);
          assert.equal(
            dot,
            recording === "always" ? "12px" : "auto",
            "the red dot only for always",
          );
          await tab.screenshot({ path: `/tmp/shots/fix-agent-question-${recording}-${lang}.png` });
        } finally {
          await tab.close();
          agent.end("test over");
          await page.close();
        }
      }
    } finally {
      await browser.close();
    }
  },
});
