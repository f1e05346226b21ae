/**
 * Headless Debian Chromium through playwright-core, with the flags this machine needs, and
 * the real app served over HTTP on a free loopback port.
 */
import { type Browser, chromium, type Page } from "playwright-core";
import { startTestApp, type TestApp } from "./app.ts";
import { customerStreams } from "../../modules/support/mod.ts";
import { CHROMIUM_ARGS, CHROMIUM_HEADLESS, serveLoopback } from "./loopback.ts";

export {
  CHROMIUM,
  CHROMIUM_ARGS,
  CHROMIUM_FLAGS,
  CHROMIUM_HEADLESS,
  serveLoopback,
} from "./loopback.ts";

/** A test over a fresh app, closed after; a browser's sockets and timers outlive Deno's
 * sanitizers, so they are off. */
export function browserTest(
  name: string,
  fn: (t: TestApp) => Promise<void>,
  options: Parameters<typeof startTestApp>[0] & {
    /** A short grace for customer streams; the test then waits for their timers at the end. */
    graceMs?: number;
    /** Skip the test (say why where it is called). */
    ignore?: boolean;
  } = {},
) {
  const { graceMs, ignore, ...appOptions } = options;
  Deno.test({
    name,
    ignore,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const t = await startTestApp(appOptions);
      if (graceMs !== undefined) customerStreams(t.deps).options.graceMs = graceMs;
      try {
        await fn(t);
      } finally {
        if (graceMs !== undefined) await customerStreams(t.deps).idle();
        await t.close();
      }
    },
  });
}

export interface BrowserRun {
  base: string;
  browser: Browser;
  /** A fresh page in its own context (own cookies), collecting console errors. */
  newPage(options?: { locale?: string }): Promise<Page & { errors: string[] }>;
}

export async function withBrowser(t: TestApp, fn: (run: BrowserRun) => Promise<void>) {
  const server = serveLoopback(t.app.fetch);
  const browser = await chromium.launch({
    executablePath: CHROMIUM_HEADLESS,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    await fn({
      base: server.base,
      browser,
      newPage: async (options = {}) => {
        const context = await browser.newContext({ locale: options.locale ?? "en-US" });
        // Every wait is for a condition, so a long limit costs nothing when the page is quick;
        // CI's machine is shared and runs several test files at once: at load 33 on 2 CPUs a
        // sign-in's navigation took over 10 s.
        context.setDefaultTimeout(30_000);
        const page = Object.assign(await context.newPage(), { errors: [] as string[] });
        page.on("console", (msg) => {
          if (msg.type() !== "error") return;
          page.errors.push(`console: ${msg.text()}`);
          // Chromium's "Failed to load resource" does not name it: the log does, for a failure.
          const url = msg.location().url;
          if (url && msg.text().startsWith("Failed to load resource")) {
            console.error(`  · ${msg.text()}: ${url}`);
          }
        });
        page.on("pageerror", (error) => page.errors.push(`pageerror: ${error.message}`));
        return page;
      },
    });
  } finally {
    await browser.close();
    await server.close();
  }
}

/** Signs `page` in through the sign-in form at `base` (password only) and waits for where
 * it lands. */
export async function signInPage(page: Page, base: string, email: string, password: string) {
  await page.goto(`${base}/signin`);
  await page.fill("#email", email);
  await page.fill("#password", password);
  await clickAndWait(page, "form[action='/signin'] button[type=submit]");
}

/** Clicks and waits for the navigation it causes. */
export async function clickAndWait(page: Page, selector: string) {
  await Promise.all([page.waitForNavigation(), page.locator(selector).click()]);
}
