/**
 * Debian's Firefox ESR driven over WebDriver BiDi, for the end-to-end tests that need a real
 * Firefox (the customer's screen share, tests/e2e/browser_firefox_share_test.ts). Stock Firefox
 * speaks BiDi itself (`--remote-debugging-port`); playwright-core's "moz-firefox" channel does
 * not drive it: 1.65 sends commands ESR 153 lacks (`emulation.setMediaFeaturesOverride`). So
 * this is a small client — one page, what the tests use: navigate, evaluate, a real click
 * (pointer actions: the page gets a user activation, as getDisplayMedia needs), viewport,
 * screenshots, init scripts, and the page's errors.
 */

/** Where the test's Firefox binary is, when Debian's `firefox-esr` is installed. */
export const FIREFOX_ESR = "/usr/bin/firefox-esr";

/**
 * Preferences for every test profile: no first-run pages, and no request beyond loopback —
 * updates, telemetry, remote settings, captive-portal and connectivity checks off, and any other
 * web address sent to a closed local port (loopback itself bypasses the proxy).
 */
const QUIET_PREFS: Record<string, unknown> = {
  "app.update.disabledForTesting": true,
  "browser.aboutwelcome.enabled": false,
  "browser.shell.checkDefaultBrowser": false,
  "browser.startup.homepage_override.mstone": "ignore",
  "browser.startup.page": 0,
  "browser.safebrowsing.update.enabled": false,
  "browser.region.network.url": "",
  "browser.region.update.enabled": false,
  "datareporting.policy.dataSubmissionEnabled": false,
  "datareporting.healthreport.uploadEnabled": false,
  "extensions.update.enabled": false,
  "media.gmp-manager.updateEnabled": false,
  "network.captive-portal-service.enabled": false,
  "network.connectivity-service.enabled": false,
  "network.dns.disablePrefetch": true,
  "network.predictor.enabled": false,
  "network.proxy.type": 1,
  "network.proxy.http": "127.0.0.1",
  "network.proxy.http_port": 9,
  "network.proxy.ssl": "127.0.0.1",
  "network.proxy.ssl_port": 9,
  "services.settings.server": "data:,#remote-settings-dummy/v1",
  "toolkit.telemetry.enabled": false,
};

/** A BiDi "remote value" back into plain data (what `evaluate` returns). */
type RemoteValue = { type: string; value?: unknown };

export interface FirefoxPage {
  /** Errors the page reported (uncaught exceptions, console.error). */
  readonly errors: string[];
  goto(url: string): Promise<void>;
  /** Runs `fn(arg)` in the page (a promise is awaited); returns its result as plain data. */
  evaluate<T, A = undefined>(fn: (arg: A) => T | Promise<T>, arg?: A): Promise<T>;
  /** Waits until `fn(arg)` is truthy in the page (polled), or throws after `timeoutMs`. */
  waitFor<A = undefined>(fn: (arg: A) => unknown, arg?: A, timeoutMs?: number): Promise<void>;
  /** A real click (pointer moved onto the element's centre, pressed, released). */
  click(selector: string): Promise<void>;
  /** Runs `fn` in every document before its own scripts. */
  addInitScript(fn: () => void): Promise<void>;
  setViewport(width: number, height: number): Promise<void>;
  /** A PNG of the viewport, or of the whole document with `fullPage`. */
  screenshot(path: string, options?: { fullPage?: boolean }): Promise<void>;
}

export interface Firefox {
  page: FirefoxPage;
  close(): Promise<void>;
}

/** Starts Firefox (on `display` when given, headless otherwise) with one page open. */
export async function launchFirefox(
  options: { display?: string; prefs?: Record<string, unknown> } = {},
): Promise<Firefox> {
  const profile = await Deno.makeTempDir({ prefix: "firefox-profile-" });
  const prefs = { ...QUIET_PREFS, ...options.prefs };
  await Deno.writeTextFile(
    `${profile}/user.js`,
    Object.entries(prefs).map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`)
      .join("\n"),
  );
  const child = new Deno.Command(FIREFOX_ESR, {
    args: [
      ...(options.display ? [] : ["--headless"]),
      "--remote-debugging-port=0",
      "--no-remote",
      "--profile",
      profile,
      "about:blank",
    ],
    env: {
      ...(options.display ? { DISPLAY: options.display } : {}),
      MOZ_CRASHREPORTER_DISABLE: "1",
    },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const exited = child.status;
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    await exited;
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  };
  try {
    const endpoint = await _listening(child.stderr, 30_000);
    const bidi = await _connect(`${endpoint}/session`);
    await bidi.send("session.new", { capabilities: {} });
    const errors: string[] = [];
    bidi.onEvent = (method, params) => {
      const entry = params as { level?: string; text?: string };
      if (method === "log.entryAdded" && entry.level === "error") errors.push(entry.text ?? "");
    };
    await bidi.send("session.subscribe", { events: ["log.entryAdded"] });
    const tree = await bidi.send("browsingContext.getTree", {}) as {
      contexts: { context: string }[];
    };
    const page = _page(bidi, tree.contexts[0].context, errors);
    return {
      page,
      close: async () => {
        await Promise.race([
          bidi.send("browser.close", {}).catch(() => {}),
          new Promise((resolve) => setTimeout(resolve, 5_000)),
        ]);
        bidi.close();
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function _page(bidi: _Bidi, context: string, errors: string[]): FirefoxPage {
  const call = async (fn: string, args: unknown[], userActivation = false) => {
    const result = await bidi.send("script.callFunction", {
      functionDeclaration: fn,
      arguments: args.map(_local),
      target: { context },
      awaitPromise: true,
      userActivation,
      resultOwnership: "none",
    }) as { type: string; result?: RemoteValue; exceptionDetails?: { text: string } };
    if (result.type === "exception") {
      throw new Error(`in Firefox: ${result.exceptionDetails?.text}`);
    }
    return result.result!;
  };
  const page: FirefoxPage = {
    errors,
    goto: async (url) => {
      await bidi.send("browsingContext.navigate", { context, url, wait: "complete" });
    },
    evaluate: async (fn, arg) => _plain(await call(String(fn), [arg])) as never,
    waitFor: async (fn, arg, timeoutMs = 30_000) => {
      const until = Date.now() + timeoutMs;
      while (!(await page.evaluate(fn, arg))) {
        if (Date.now() > until) throw new Error(`Firefox: not true in ${timeoutMs} ms: ${fn}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    click: async (selector) => {
      await page.waitFor((s) => {
        const element = document.querySelector<HTMLElement>(s);
        return !!element && element.offsetParent !== null;
      }, selector);
      const element = await call("(s) => document.querySelector(s)", [selector]) as {
        sharedId?: string;
      };
      const origin = { type: "element", element: { sharedId: element.sharedId } };
      await bidi.send("input.performActions", {
        context,
        actions: [{
          type: "pointer",
          id: "mouse",
          actions: [
            { type: "pointerMove", x: 0, y: 0, origin },
            { type: "pointerDown", button: 0 },
            { type: "pointerUp", button: 0 },
          ],
        }],
      });
    },
    addInitScript: async (fn) => {
      await bidi.send("script.addPreloadScript", { functionDeclaration: `() => (${fn})()` });
    },
    setViewport: async (width, height) => {
      await bidi.send("browsingContext.setViewport", { context, viewport: { width, height } });
    },
    screenshot: async (path, options = {}) => {
      const { data } = await bidi.send("browsingContext.captureScreenshot", {
        context,
        origin: options.fullPage ? "document" : "viewport",
      }) as { data: string };
      await Deno.writeFile(path, Uint8Array.from(atob(data), (c) => c.charCodeAt(0)));
    },
  };
  return page;
}

/** Plain data as a BiDi "local value" (the arguments tests pass: JSON-like data). */
function _local(value: unknown): unknown {
  if (value === undefined) return { type: "undefined" };
  if (value === null) return { type: "null" };
  if (typeof value === "string" || typeof value === "boolean") return { type: typeof value, value };
  if (typeof value === "number") return { type: "number", value };
  if (Array.isArray(value)) return { type: "array", value: value.map(_local) };
  if (typeof value === "object") {
    return { type: "object", value: Object.entries(value).map(([k, v]) => [k, _local(v)]) };
  }
  throw new Error(`cannot pass ${typeof value} to Firefox`);
}

/** A BiDi remote value back into plain data (nodes and the like as their type name). */
function _plain(remote: RemoteValue): unknown {
  switch (remote.type) {
    case "undefined":
      return undefined;
    case "null":
      return null;
    case "string":
    case "boolean":
      return remote.value;
    case "number":
      return typeof remote.value === "number" ? remote.value : Number(remote.value);
    case "array":
      return (remote.value as RemoteValue[]).map(_plain);
    case "object":
      return Object.fromEntries(
        (remote.value as [string, RemoteValue][]).map(([k, v]) => [k, _plain(v)]),
      );
    default:
      return remote.type;
  }
}

/** Reads Firefox's stderr until it says where BiDi listens; keeps draining it after. */
async function _listening(stderr: Deno.ChildProcess["stderr"], timeoutMs: number) {
  const lines = stderr.pipeThrough(new TextDecoderStream()).getReader();
  let log = "";
  const timer = setTimeout(() => lines.cancel().catch(() => {}), timeoutMs);
  try {
    while (true) {
      const { value, done } = await lines.read();
      if (done) throw new Error(`Firefox did not start BiDi:\n${log.slice(-2000)}`);
      log += value;
      const match = /WebDriver BiDi listening on (ws:\/\/\S+)/.exec(log);
      if (match) {
        (async () => {
          while (!(await lines.read()).done);
        })().catch(() => {});
        return match[1];
      }
    }
  } finally {
    clearTimeout(timer);
  }
}

interface _Bidi {
  send(method: string, params: unknown): Promise<unknown>;
  onEvent: (method: string, params: unknown) => void;
  close(): void;
}

async function _connect(url: string): Promise<_Bidi> {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = () => reject(new Error(`cannot reach Firefox's BiDi at ${url}`));
  });
  let nextId = 1;
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const bidi: _Bidi = {
    onEvent: () => {},
    send: (method, params) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, { resolve, reject });
        socket.send(JSON.stringify({ id, method, params }));
      }),
    close: () => socket.close(),
  };
  socket.onmessage = (event) => {
    const message = JSON.parse(String(event.data));
    if (message.type === "event") return bidi.onEvent(message.method, message.params);
    const pending = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.type === "error") {
      pending?.reject(new Error(`Firefox ${message.error}: ${message.message}`));
    } else pending?.resolve(message.result);
  };
  socket.onclose = () => {
    for (const pending of waiting.values()) pending.reject(new Error("Firefox closed"));
    waiting.clear();
  };
  return bidi;
}
