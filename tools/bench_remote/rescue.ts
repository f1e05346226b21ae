// The product as a contender: the real server process (main.ts on a freshly seeded PGlite),
// the real agent (agent/main.ts: X11 over FFI; H.264 over OpenH264 since the viewer's Chromium
// decodes it, VP8 over libvpx where OpenH264 is missing) on the bench display,
// joined by PIN, and the technician's console in the headless viewer browser — signed in,
// the session started, Desktop view requested and allowed on the customer's page. The
// decoder reads the island's `<video class="rv-video">` (the WebRTC track, decoded by
// Chromium, at the remote screen's native size).
//
// Bytes received: the island's inbound RTP video (product.ts). CPU charged: the server
// process and the agent process.
import { AGENT_V8_FLAGS } from "../../agent/v8_flags.ts";
import type { BenchEnv, Contender, RunningContender } from "./contender.ts";
import {
  extraFlags,
  type ProductServer,
  ROOT,
  runningProduct,
  startAndOpenIsland,
  startProductServer,
  technicianWithPin,
  videoAtScreenSize,
} from "./product.ts";
import { spawn, type Spawned } from "./proc.ts";

export const rescueContender: Contender = { name: "rescue", start: startRescue };

async function startRescue(env: BenchEnv): Promise<RunningContender> {
  let server: ProductServer | undefined;
  let agent: Spawned | undefined;
  const stopAll = async () => {
    await agent?.kill();
    await server?.stop();
  };
  try {
    server = await startProductServer();
    const { page, pin } = await technicianWithPin(env.browser, server.base);

    // The customer runs the agent with it.
    agent = await spawn("rescue-agent", Deno.execPath(), [
      "run",
      "-A",
      AGENT_V8_FLAGS, // as every start of the agent
      ...extraFlags("BENCH_AGENT_FLAGS"),
      `${ROOT}agent/main.ts`,
      "--pin",
      pin,
      "--server",
      server.base,
      "--no-open",
      "--stats",
      // BENCH_CODECS=vp8: the agent offers only VP8 (what a browser without H.264 gets).
      ...(Deno.env.get("BENCH_CODECS") ? ["--codecs", Deno.env.get("BENCH_CODECS")!] : []),
      "--state-dir",
      `${server.dataDir}/agent`,
    ], { DISPLAY: env.display });
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
    const view = await startAndOpenIsland(page);
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
    await videoAtScreenSize(page, env);
    await customer.close();
    return runningProduct(page, { server: server.server.pid, agent: agent.pid }, stopAll);
  } catch (error) {
    await stopAll();
    throw error;
  }
}
