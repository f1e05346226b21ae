/**
 * The Lens e2e stories' shared set-up (tests/e2e/browser_lens*_test.ts): the customer's phone is
 * a page of its own Chromium with the fake camera and microphone (a moving pattern and a beep)
 * at a phone's size (390×844, touch, isMobile), and the technician starts a Lens session on the
 * console's Lens page.
 */
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import type { AppDeps } from "../../modules/http/mod.ts";
import { lensRegistry } from "../../modules/lens/mod.ts";
import { CHROMIUM_ARGS, CHROMIUM_HEADLESS, signInPage } from "./browser.ts";
import { TECH_PASSWORD } from "./org.ts";

/** Chromium's fake camera and microphone, allowed without asking. */
export const FAKE_MEDIA = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"];

/** The phone's Chromium (the test closes it). */
export async function launchPhoneBrowser(): Promise<Browser> {
  return await chromium.launch({
    executablePath: CHROMIUM_HEADLESS,
    headless: true,
    args: [...CHROMIUM_ARGS, ...FAKE_MEDIA],
  });
}

/** A phone's browsing context: 390×844, touch, isMobile, in `locale`. */
export async function phoneContext(browser: Browser, locale = "en-US"): Promise<BrowserContext> {
  return await browser.newContext({
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    locale,
  });
}

/** A Lens link (it names the app's public address) as the test server at `base` serves it. */
export const onTestServer = (link: string, base: string) => link.replace(/^https?:\/\/[^/]+/, base);

/**
 * The technician `who` signs in on `tech`, opens the console's Lens page and starts a Lens
 * session: the customer's link and the server's session.
 */
export async function startLensSession(
  deps: AppDeps,
  tech: Page,
  base: string,
  who: { id: string; email: string },
) {
  await signInPage(tech, base, who.email, TECH_PASSWORD);
  await tech.goto(`${base}/console/lens`);
  await tech.locator("[data-lens-start]").click();
  const link = await tech.locator("#lens-link").inputValue();
  const session = lensRegistry(deps).ofTechnician(who.id)!;
  return { link, session };
}
