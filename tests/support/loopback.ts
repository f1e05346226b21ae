/**
 * The parts of the browser tests' support that need no app and no database: Chromium's flags
 * and `serveLoopback`. Kept apart from browser.ts (which builds test apps) so a test that only
 * needs these — the agent's consent page, serveLoopback's own test, a fake server — does not
 * reach a database in the import graph tools/db_tests.ts follows, and is not run a second
 * time on PostgreSQL. browser.ts re-exports them.
 */

/**
 * The flags Debian's Chromium needs on this machine, headless or under Xvfb. No name but
 * localhost resolves: a page that asks for another host (oidc-provider's login page links
 * Google's fonts) fails at once on this machine instead of reaching out; addresses such as
 * 127.0.0.1 need no name.
 */
export const CHROMIUM_FLAGS = [
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export const CHROMIUM_ARGS = ["--headless", ...CHROMIUM_FLAGS];

/**
 * The tests' browser: Chromium's headless shell (Debian's chromium-headless-shell, the same
 * Blink and V8 without the browser's window, toolbar and their compositing). It costs half the
 * CPU of the full browser run headless — `tests/e2e/remote_cursor_test.ts`: Chromium's
 * processes 19.0 CPU-s with the full browser, 7.7–8.6 with the shell, the file 21 s → 16–17 s —
 * and the tests' browsers are a third of CI's CPU. It shares a screen from the page with
 * Chromium's fake capture as the full browser does; a story that needs what only the full browser
 * has (capturing a real X display) launches `CHROMIUM` instead.
 */
export const CHROMIUM_HEADLESS = "/usr/bin/chromium-headless-shell";

/** The full browser, for what the headless shell lacks. */
export const CHROMIUM = "/usr/bin/chromium";

/**
 * `handler` served on a free loopback port. `close()`, once the clients are gone, waits
 * until every handler has returned and every response is done (sent or dropped) — no
 * handler may still be at work when a test closes the app's database — and then stops the
 * listener. What may still hold the listener then is a WebSocket upgrade answered after
 * its client went (a workspace opening its remote-view socket as the test ends; on
 * PostgreSQL, under load, that handler's queries take long enough): Deno's `shutdown()`
 * waits forever for a socket that never opens nor closes, so it is cut after a moment. The
 * orphan keeps neither the test nor the process alive.
 */
export function serveLoopback(
  handler: Deno.ServeHandler,
): { base: string; close(): Promise<void> } {
  const inFlight = new Set<Promise<void>>();
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (req, info) => {
    const answer = Promise.resolve(handler(req, info));
    const done = answer.then(() => info.completed, () => {}).catch(() => {});
    inFlight.add(done);
    done.finally(() => inFlight.delete(done));
    return answer;
  });
  return {
    base: `http://127.0.0.1:${server.addr.port}`,
    close: async () => {
      while (inFlight.size > 0) await Promise.all(inFlight);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const cut = new Promise((resolve) => timer = setTimeout(resolve, 1_000));
      await Promise.race([server.shutdown(), cut]);
      clearTimeout(timer);
    },
  };
}
