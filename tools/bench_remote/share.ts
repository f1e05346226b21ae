// The zero-install browser share as a contender (issue 18): no support app — the customer's
// own Chromium, on the bench display, opens the Instant Chat page (PIN entered at /pin) and
// presses "Share my screen"; `getDisplayMedia` takes the WHOLE X screen (the workload page),
// static/customer_share.js sends it over WebRTC to the server's werift peer
// (modules/remote/browser_share.ts), and the technician's island — the same console, island
// and decoder as `rescue` — shows it. View only: the share itself is the consent.
//
// The customer's browser is a real capture of the real screen, not Chromium's fake stream:
// headless (no window of its own on the display, so nothing covers the workload), with
// DISPLAY set to the bench display, where Chromium's desktop capturer (WebRTC's X11 screen
// capturer) grabs the root window; `--auto-select-desktop-capture-source=Entire screen`
// answers the picker as a person choosing the whole screen would (the name Chromium gives a
// single X screen, hence LANGUAGE=en). `--use-fake-ui-for-media-stream` is NOT used: it
// skips the picker and hands out a fake display (a moving test pattern).
//
// Bytes received: the island's inbound RTP video (product.ts). CPU charged: the server
// process and the customer's whole browser (capture and VP8 encode happen there, as the
// agent's grab and encode are charged to `rescue`).
import type { BenchEnv, Contender, RunningContender } from "./contender.ts";
import {
  type ProductServer,
  runningProduct,
  startAndOpenIsland,
  startProductServer,
  technicianWithPin,
  videoAtScreenSize,
} from "./product.ts";
import { launchViewerBrowser, type ViewerBrowser } from "./viewer_browser.ts";
import { CHROMIUM_FLAGS } from "../../tests/support/browser.ts";

const CHROMIUM = "/usr/bin/chromium";
const CAPTURE_FLAGS = [
  "--auto-select-desktop-capture-source=Entire screen",
  // A page that is not in front keeps capturing and encoding at full rate.
  "--disable-background-timer-throttling",
  "--disable-renderer-backgrounding",
  "--mute-audio",
];

export const shareContender: Contender = { name: "share", start: startShare };

async function startShare(env: BenchEnv): Promise<RunningContender> {
  let server: ProductServer | undefined;
  let customer: ViewerBrowser | undefined;
  const stopAll = async () => {
    await customer?.close();
    await server?.stop();
  };
  try {
    server = await startProductServer();
    const { page, pin } = await technicianWithPin(env.browser, server.base);

    await internWmState(env.display);
    // The customer enters the PIN in their own browser: the Instant Chat page.
    customer = await launchViewerBrowser(CHROMIUM, [...CHROMIUM_FLAGS, ...CAPTURE_FLAGS], true, {
      name: "share-customer-chromium",
      env: { DISPLAY: env.display, LANGUAGE: "en", LANG: "en_US.UTF-8" },
    });
    const context = customer.browser.contexts()[0] ?? await customer.browser.newContext();
    context.setDefaultTimeout(30_000);
    const chat = await context.newPage();
    await chat.goto(`${server.base}/pin`);
    await chat.fill("input[name=pin]", pin);
    await Promise.all([
      chat.waitForURL((url) => url.pathname.startsWith("/s/")),
      chat.click("button[type=submit]"),
    ]);

    // The technician starts the session and opens its island; the customer shares the whole
    // screen (a share is taken only while a technician works the session).
    const view = await startAndOpenIsland(page);
    await chat.locator("#browser-share-start").click();
    await chat.locator("#browser-share-stop").waitFor().catch(async (error) => {
      const said = await chat.textContent("#browser-share-status").catch(() => "");
      throw new Error(`the customer's page did not share: "${said}" (${error})`);
    });
    await view.locator(".rv-view[data-state=granted]").waitFor();
    await view.locator(".rv-actual").click();
    // The whole X screen at its own size (Chromium's fake display would be 1280×720 and carry
    // no stamps for the decoder).
    await videoAtScreenSize(page, env);
    return runningProduct(page, { server: server.server.pid, customer: customer.pid }, stopAll);
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * Interns the atom WM_STATE on the bench display (set on the root window and removed again:
 * the atom stays). Chromium's picker lists the windows too, and WebRTC's X11 window list asks
 * each for WM_STATE through an atom looked up "only if it exists" — on a display that never
 * had a window manager it does not, the request names atom 0, and the headless customer
 * browser (no X error handler of its own) is ended by Xlib's default one on the BadAtom. Any
 * desktop a customer has runs a window manager, which creates it.
 */
async function internWmState(display: string): Promise<void> {
  for (
    const args of [["-f", "WM_STATE", "32c", "-set", "WM_STATE", "0"], ["-remove", "WM_STATE"]]
  ) {
    const done = await new Deno.Command("xprop", {
      args: ["-root", ...args],
      env: { DISPLAY: display },
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!done.success) {
      throw new Error(
        `xprop ${args.join(" ")}: ${new TextDecoder().decode(done.stderr)}`,
      );
    }
  }
}
