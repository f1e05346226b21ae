// What the product's two contenders share (rescue.ts: the support app on the bench display;
// share.ts: the customer's browser sharing that display from the Instant Chat page): a
// freshly seeded server process, the technician's console signed in with a PIN session made,
// the session started and its island opened, the island's video at the screen's size, and the
// bytes that video received.
//
// Bytes received: the sum of `bytesReceived` of the page's inbound RTP video streams (RTP
// payload as WebRTC counts it: without RTP/UDP/IP headers, like the noVNC figure, which is
// the WebSocket payload).
import type { BrowserContext, Locator, Page } from "playwright-core";
import type { RunningContender } from "./contender.ts";
import { freePort, sleep, spawn, type Spawned } from "./proc.ts";

const PASSWORD = "bench password 1234";
export const ROOT = new URL("../../", import.meta.url).pathname;

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

export interface ProductServer {
  base: string;
  dataDir: string;
  server: Spawned;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

/** `main.ts` on a freshly seeded PGlite (tools/bench_seed.ts: one technician), up and healthy. */
export async function startProductServer(): Promise<ProductServer> {
  const dataDir = await Deno.makeTempDir({ prefix: "bench-rescue-" });
  const removeData = () => Deno.remove(dataDir, { recursive: true }).catch(() => {});
  let server: Spawned | undefined;
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
    server = await spawn("rescue-server", Deno.execPath(), [
      "run",
      "-A",
      ...extraFlags("BENCH_SERVER_FLAGS"),
      `${ROOT}main.ts`,
    ], { DATA_DIR: dataDir, PORT: String(port), HOST: "127.0.0.1", PUBLIC_URL: base });
    for (let i = 0;; i++) {
      try {
        if ((await fetch(`${base}/healthz`)).ok) break;
      } catch {
        // not up yet
      }
      if (i > 300) throw new Error("the server did not start");
      await sleep(100);
    }
    const up = server;
    return {
      base,
      dataDir,
      server: up,
      stop: () => up.kill().then(removeData),
    };
  } catch (error) {
    await server?.kill();
    await removeData();
    throw error;
  }
}

/**
 * Extra `deno run` flags for a product process from the environment, split on spaces: e.g.
 * `BENCH_SERVER_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof"` profiles the server (written when
 * it exits at the contender's stop).
 */
export function extraFlags(variable: string): string[] {
  return (Deno.env.get(variable) ?? "").split(" ").filter(Boolean);
}

/** The technician signs in (in the viewer context) and makes a PIN session for the customer. */
export async function technicianWithPin(
  browser: BrowserContext,
  base: string,
): Promise<{ page: Page; pin: string }> {
  const page = await browser.newPage();
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
  return { page, pin };
}

/** Starts the (one) session in the queue and opens its workspace tab: its remote-view island. */
export async function startAndOpenIsland(page: Page): Promise<Locator> {
  const row = page.locator("#queue tbody tr[data-session]").first();
  await row.locator("button[data-action=start]").click();
  const sessionId = (await row.getAttribute("data-session"))!;
  await page.locator(`#session-tabs [data-tab-session="${sessionId}"]`).click();
  return page.locator(`.remote-view[data-session="${sessionId}"]`);
}

/** Waits until the island's `<video>` shows the whole remote screen at its own size. */
export async function videoAtScreenSize(
  page: Page,
  size: { width: number; height: number },
): Promise<void> {
  await page.waitForFunction(
    ({ width, height }) => {
      const video = document.querySelector<HTMLVideoElement>(".rv-video");
      return video?.videoWidth === width && video.videoHeight === height;
    },
    { width: size.width, height: size.height },
    { timeout: 30_000 },
  );
}

/** RTP payload bytes the page's open peer connections received as video so far. */
export function inboundVideoBytes(page: Page): Promise<number> {
  return page.evaluate(async () => {
    let bytes = 0;
    for (const pc of (globalThis as unknown as { __benchPcs: RTCPeerConnection[] }).__benchPcs) {
      if (pc.connectionState === "closed") continue;
      for (const report of (await pc.getStats()).values()) {
        if (report.type === "inbound-rtp" && report.kind === "video") {
          bytes += report.bytesReceived ?? 0;
        }
      }
    }
    return bytes;
  });
}

/**
 * The product as a running contender: the technician's page showing the island's `<video>`,
 * the processes charged for CPU (by name: each is also reported on its own), bytes from the
 * page's peer connections; stopping closes the page and then everything `stopAll` started.
 */
export function runningProduct(
  page: Page,
  parts: Record<string, number>,
  stopAll: () => Promise<void>,
): RunningContender {
  return {
    page,
    source: ".rv-video",
    pointerOverlay: ".rv-cursor",
    pids: () => Object.values(parts),
    pidsByPart: () => Object.fromEntries(Object.entries(parts).map(([name, pid]) => [name, [pid]])),
    bytesReceived: () => inboundVideoBytes(page),
    async stop() {
      await page.close().catch(() => {});
      await stopAll();
    },
  };
}
