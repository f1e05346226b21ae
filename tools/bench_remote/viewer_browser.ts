// The headless viewer browser, driven by Playwright over CDP but WITHOUT Playwright's
// network instrumentation.
//
// Why: Playwright sends `Network.enable` to every page, and Chromium then reports every
// request and WebSocket frame to it over DevTools, payload included. noVNC receives its
// stream as WebSocket frames and turns every JPEG rectangle into a `data:` URL image, so
// each megabyte of VNC data became several MB of DevTools JSON (webSocketFrameReceived,
// requestWillBeSent and responseReceived carrying the whole data: URL), serialized by the
// viewer's renderer and browser processes and parsed by the harness: on this 2-core machine
// that was ~60 % of a core taken from the system under test, and it cut noVNC's frame rate
// by more than half. A contender with a different transport would pay a different price,
// so the comparison would be skewed.
//
// How: Chromium is started here with --remote-debugging-port on loopback and Playwright
// connects through a small WebSocket relay (`chromium.connectOverCDP`) that answers every
// `Network.*` command itself with an empty result instead of forwarding it. Chromium's
// network agents are never enabled, so no such events are produced at all. Consequence for
// contenders: page.route(), page.on("request" | "response" | "websocket") and the Response
// returned by page.goto() (null) do not work in the viewer context; count bytes inside the
// page or at the transport. `quiet: false` keeps Playwright's normal behaviour (the
// harness's --cdp-network flag), to see the difference.
//
// The share contender (share.ts) starts its customer's browser here too (`name`, `env` with
// the bench display): the same quiet CDP, and a process whose CPU can be charged.
import { type Browser, chromium } from "playwright-core";
import { sleep, spawn, type Spawned } from "./proc.ts";

export interface ViewerBrowser {
  browser: Browser;
  /** Pid of the Chromium main process (its renderers etc. are descendants). */
  pid: number;
  close(): Promise<void>;
}

export async function launchViewerBrowser(
  executablePath: string,
  args: string[],
  quiet = true,
  options: { name?: string; env?: Record<string, string> } = {},
): Promise<ViewerBrowser> {
  const userDataDir = await Deno.makeTempDir({ prefix: "bench-remote-viewer-" });
  let proc: Spawned | undefined;
  let relay: Deno.HttpServer | undefined;
  const sockets = new Set<WebSocket>();
  const close = async () => {
    for (const s of sockets) s.close();
    await relay?.shutdown().catch(() => {});
    await proc?.kill();
    await Deno.remove(userDataDir, { recursive: true }).catch(() => {});
  };
  try {
    proc = await spawn(options.name ?? "viewer-chromium", executablePath, [
      "--headless",
      ...args,
      `--user-data-dir=${userDataDir}`,
      "--remote-debugging-address=127.0.0.1",
      "--remote-debugging-port=0",
      "about:blank",
    ], options.env);
    // Chromium writes "<port>\n<browser target path>" once it listens.
    let port = 0;
    let path = "";
    const deadline = performance.now() + 20_000;
    while (!port) {
      if (performance.now() > deadline) throw new Error("viewer Chromium did not start");
      try {
        const [p, t] = (await Deno.readTextFile(`${userDataDir}/DevToolsActivePort`)).split("\n");
        if (t?.startsWith("/devtools/browser/")) [port, path] = [Number(p), t.trim()];
      } catch {
        // not yet
      }
      if (!port) await sleep(50);
    }
    const upstreamUrl = `ws://127.0.0.1:${port}${path}`;
    let endpoint = upstreamUrl;
    if (quiet) {
      const server = Deno.serve(
        { port: 0, hostname: "127.0.0.1", onListen() {} },
        (req) => relayConnection(req, upstreamUrl, sockets),
      );
      relay = server;
      endpoint = `ws://127.0.0.1:${server.addr.port}/`;
    }
    const browser = await chromium.connectOverCDP(endpoint);
    const pid = proc.pid;
    return {
      browser,
      pid,
      async close() {
        await browser.close().catch(() => {});
        await close();
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Relays one CDP client to Chromium, answering `Network.*` commands itself. */
function relayConnection(req: Request, upstreamUrl: string, sockets: Set<WebSocket>): Response {
  const { socket: client, response } = Deno.upgradeWebSocket(req, { idleTimeout: 0 });
  const upstream = new WebSocket(upstreamUrl);
  sockets.add(client);
  sockets.add(upstream);
  const pending: string[] = [];
  upstream.onopen = () => {
    for (const m of pending) upstream.send(m);
    pending.length = 0;
  };
  upstream.onmessage = (e) => {
    if (client.readyState === WebSocket.OPEN) client.send(e.data);
  };
  client.onmessage = (e) => {
    const text = typeof e.data === "string" ? e.data : new TextDecoder().decode(e.data);
    const msg = JSON.parse(text) as { id?: number; method?: string; sessionId?: string };
    if (msg.method?.startsWith("Network.")) {
      client.send(JSON.stringify({ id: msg.id, result: {}, sessionId: msg.sessionId }));
      return;
    }
    if (upstream.readyState === WebSocket.OPEN) upstream.send(text);
    else pending.push(text);
  };
  const shut = () => {
    for (const s of [client, upstream]) {
      sockets.delete(s);
      if (s.readyState === WebSocket.OPEN || s.readyState === WebSocket.CONNECTING) s.close();
    }
  };
  client.onclose = shut;
  upstream.onclose = shut;
  upstream.onerror = shut;
  return response;
}
