// The product as a contender: the real server process (main.ts on a freshly seeded PGlite),
// the real agent (agent/main.ts: X11 over FFI, VP8 over libvpx) on the bench display,
// joined by PIN, and the technician's console in the headless viewer browser — signed in,
// the session started, Desktop view requested and allowed on the customer's page. The
// decoder reads the island's `<video class="rv-video">` (the WebRTC track, decoded by
// Chromium, at the remote screen's native size).
//
// Bytes received: the sum of `bytesReceived` of the page's inbound RTP video streams (RTP
// payload as WebRTC counts it: without RTP/UDP/IP headers, like the noVNC figure, which is
// the WebSocket payload). CPU charged: the server process and the agent process.
import type { BenchEnv, Contender, RunningContender } from "./contender.ts";
import { freePort, spawn, type Spawned } from "./proc.ts";

const PASSWORD = "bench password 1234";
const ROOT = new URL("../../", import.meta.url).pathname;

/** Keeps every peer connection the page makes, for getStats(). */
const KEEP_PEER_CONNECTIONS = `(() => {
  const Native = globalThis.RTCPeerConnection;
  const all = [];
  globalThis.__benchPcs = all;
  globalThis.RTCPeerConnection = function (...args) {
    const pc = new Native(...args);
    all.push(pc);
    return pc;
  };
  globalThis.RTCPeerConnection.prototype = Native.prototype;
})();`;

export const rescueContender: Contender = { name: "rescue", start: startRescue };

async function startRescue(env: BenchEnv): Promise<RunningContender> {
  const procs: Spawned[] = [];
  const stopAll = () => Promise.all(procs.map((p) => p.kill())).then(() => {});
  const dataDir = await Deno.makeTempDir({ prefix: "bench-rescue-" });
  try {
    const seed = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "tools/bench_seed.ts", dataDir, "1", PASSWORD],
      cwd: ROOT,
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (!seed.success) throw new Error("seeding the bench database failed");
    const port = freePort();
    const base = `http://127.0.0.1:${port}`;
    const server = await spawn("rescue-server", Deno.execPath(), [
      "run",
      "-A",
      `${ROOT}main.ts`,
    ], { DATA_DIR: dataDir, PORT: String(port), HOST: "127.0.0.1", PUBLIC_URL: base });
    procs.push(server);
    for (let i = 0;; i++) {
      try {
        if ((await fetch(`${base}/healthz`)).ok) break;
      } catch {
        // not up yet
      }
      if (i > 300) throw new Error("the server did not start");
      await new Promise((r) => setTimeout(r, 100));
    }

    // The technician signs in and creates a PIN session.
    const page = await env.browser.newPage();
    await page.addInitScript(KEEP_PEER_CONNECTIONS);
    await page.goto(`${base}/signin`);
    await page.fill("#email", "bench-0@example.test");
    await page.fill("#password", PASSWORD);
    await page.click("button[type=submit]");
    await page.waitForURL((url) => url.pathname === "/console");
    await page.waitForFunction(() => "htmx" in globalThis);
    await page.click("button[data-method=pin]");
    await page.fill("#ns-name", "Bench customer");
    await page.click("#new-session-form button[type=submit]");
    const pin = (await page.locator("#created-pin").textContent())!.trim();

    // The customer runs the agent with it.
    const agent = await spawn("rescue-agent", Deno.execPath(), [
      "run",
      "-A",
      `${ROOT}agent/main.ts`,
      "--pin",
      pin,
      "--server",
      base,
      "--no-open",
      "--stats",
      "--state-dir",
      `${dataDir}/agent`,
    ], { DISPLAY: env.display });
    procs.push(agent);
    let pageUrl = "";
    for (let i = 0; i < 200 && !pageUrl; i++) {
      const log = await Deno.readTextFile(agent.log).catch(() => "");
      pageUrl = /PAGE (\S+)/.exec(log)?.[1] ?? "";
      if (!pageUrl) await new Promise((r) => setTimeout(r, 100));
    }
    if (!pageUrl) throw new Error(`the agent did not start (see ${agent.log})`);
    // The customer's window is the agent's own page on loopback (agent/consent_page.ts).
    const customer = await env.browser.newPage();
    await customer.goto(pageUrl);

    // Start the session, open its workspace, ask for Desktop view; the customer allows.
    const row = page.locator("#queue tbody tr[data-session]").first();
    await row.locator("button[data-action=start]").click();
    const sessionId = (await row.getAttribute("data-session"))!;
    await page.locator(`#session-tabs [data-tab-session="${sessionId}"]`).click();
    const view = page.locator(`.remote-view[data-session="${sessionId}"]`);
    await view.locator(".rv-view").click();
    await customer.locator("#allow-view").click({ timeout: 20_000 });
    await view.locator(".rv-actual").click();
    const quality = Deno.env.get("BENCH_QUALITY");
    if (quality) {
      // The quality menu sits in the toolbar's "More" disclosure: open it, choose, close it.
      const more = view.locator("details.rv-more > summary");
      await more.click();
      await view.locator("select.rv-quality").selectOption(quality);
      await more.click();
    }
    await page.waitForFunction(
      ({ width, height }) => {
        const video = document.querySelector<HTMLVideoElement>(".rv-video");
        return video?.videoWidth === width && video.videoHeight === height;
      },
      { width: env.width, height: env.height },
      { timeout: 30_000 },
    );
    await customer.close();
    return {
      page,
      source: ".rv-video",
      pids: () => procs.map((p) => p.pid),
      bytesReceived: () =>
        page.evaluate(async () => {
          let bytes = 0;
          for (
            const pc of (globalThis as unknown as { __benchPcs: RTCPeerConnection[] }).__benchPcs
          ) {
            if (pc.connectionState === "closed") continue;
            for (const report of (await pc.getStats()).values()) {
              if (report.type === "inbound-rtp" && report.kind === "video") {
                bytes += report.bytesReceived ?? 0;
              }
            }
          }
          return bytes;
        }),
      async stop() {
        await page.close().catch(() => {});
        await stopAll();
        await Deno.remove(dataDir, { recursive: true }).catch(() => {});
      },
    };
  } catch (error) {
    await stopAll();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    throw error;
  }
}
