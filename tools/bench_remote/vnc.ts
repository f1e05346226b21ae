// The baseline contender: x11vnc on the bench display, websockify bridging it to a
// WebSocket and serving noVNC (Debian's /usr/share/novnc), and noVNC's vnc_lite.html as the
// viewer with scaling off (its <canvas> holds the remote screen at 1:1). Everything at its
// defaults: noVNC's encodings (Tight, JPEG quality 6, compression level 2), and x11vnc's
// polling with XDAMAGE hints. -noxdamage is not needed: Xvfb runs no compositing manager,
// so XDAMAGE reports every change and no update is lost; in paired runs -noxdamage moved
// the figures within run-to-run noise.
//
// Known x11vnc behaviour that shows in the typing figures: it trusts an XDAMAGE rectangle
// only up to -xd_area (20000 px); larger ones are hints, confirmed by its scanline polling,
// which can find the changed 32×32 tiles over more than one pass — hence torn presentations
// and a p50 one frame (~17 ms) longer. Chromium reports one bounding box per frame, and a
// typing frame (two 128×128 stamps plus the glyph) is larger than 20000 px. With
// -xd_area 0, a paired run measured typing p50 50 ms instead of 67 and no torn frames.
//
// Bytes received: the viewer page's WebSocket is wrapped (init script) and the payload size
// of every `message` event is added up — the WebSocket payload as noVNC sees it, without
// WebSocket framing or TCP/IP headers.
// CPU charged: x11vnc and websockify (the harness adds the process websockify forks for
// each connection). The viewer browser's CPU is reported separately by the harness.
import type { BenchEnv, Contender, RunningContender } from "./contender.ts";
import { freePort, spawn, type Spawned, waitForPort, which } from "./proc.ts";

const NOVNC_DIR = "/usr/share/novnc";

// Not a subclass: noVNC checks that send/close/… are own properties of the channel's
// direct prototype, so the wrapper hands out genuine WebSocket objects.
const COUNT_WEBSOCKET_BYTES = `(() => {
  const Native = globalThis.WebSocket;
  let bytes = 0;
  globalThis.__benchWsBytes = () => bytes;
  function CountingWebSocket(url, protocols) {
    const ws = protocols === undefined ? new Native(url) : new Native(url, protocols);
    ws.addEventListener("message", (e) => {
      const d = e.data;
      bytes += typeof d === "string" ? new TextEncoder().encode(d).length
        : d instanceof Blob ? d.size : d.byteLength;
    });
    return ws;
  }
  CountingWebSocket.prototype = Native.prototype;
  for (const k of ["CONNECTING", "OPEN", "CLOSING", "CLOSED"]) CountingWebSocket[k] = Native[k];
  globalThis.WebSocket = CountingWebSocket;
})();`;

export interface VncOptions {
  /** Contender name (default "vnc"). */
  name?: string;
  /** Extra x11vnc arguments, e.g. ["-noxdamage"] (none by default). */
  x11vncArgs?: string[];
  /**
   * Self-test of the harness's <video> path: hand the decoder a <video> playing
   * `canvas.captureStream()` of noVNC's canvas instead of the canvas itself (adds the
   * capture's own delay; not a contender to compare).
   */
  viaVideo?: boolean;
}

/** An x11vnc + websockify + noVNC contender; `vncContender` is the one at defaults. */
export function makeVncContender(options: VncOptions = {}): Contender {
  return { name: options.name ?? "vnc", start: (env) => startVnc(env, options) };
}

export const vncContender: Contender = makeVncContender();

async function startVnc(env: BenchEnv, options: VncOptions): Promise<RunningContender> {
  const x11vnc = which("x11vnc");
  if (!x11vnc) throw new Error("x11vnc not found (apt-get install x11vnc)");
  // Debian's websockify script runs on /usr/bin/python3, where its module is; a `python3`
  // earlier on PATH (pyenv) may not have it, so prefer the script.
  const websockify = which("/usr/bin/websockify", "websockify");
  try {
    await Deno.stat(`${NOVNC_DIR}/vnc_lite.html`);
  } catch {
    throw new Error(`${NOVNC_DIR}/vnc_lite.html not found (apt-get install novnc)`);
  }

  const procs: Spawned[] = [];
  const stopAll = () => Promise.all(procs.map((p) => p.kill())).then(() => {});
  try {
    const rfbPort = freePort();
    procs.push(
      await spawn("x11vnc", x11vnc, [
        "-display",
        env.display,
        "-shared",
        "-forever",
        "-nopw",
        "-localhost",
        "-rfbport",
        String(rfbPort),
        ...(options.x11vncArgs ?? []),
      ]),
    );
    await waitForPort(rfbPort, 20_000, "x11vnc");

    const wsPort = freePort();
    const wsArgs = ["--web", NOVNC_DIR, `127.0.0.1:${wsPort}`, `127.0.0.1:${rfbPort}`];
    procs.push(
      websockify
        ? await spawn("websockify", websockify, wsArgs)
        : await spawn("websockify", "/usr/bin/python3", ["-m", "websockify", ...wsArgs]),
    );
    await waitForPort(wsPort, 20_000, "websockify");

    const page = await env.browser.newPage();
    await page.addInitScript(COUNT_WEBSOCKET_BYTES);
    await page.goto(
      `http://127.0.0.1:${wsPort}/vnc_lite.html?host=127.0.0.1&port=${wsPort}&scale=false`,
    );
    await page.waitForFunction(
      ({ width, height }) => {
        const status = document.getElementById("status")?.textContent ?? "";
        const canvas = document.querySelector("#screen canvas") as HTMLCanvasElement | null;
        return status.startsWith("Connected") && canvas?.width === width &&
          canvas.height === height;
      },
      { width: env.width, height: env.height },
      { timeout: 20_000 },
    );
    if (options.viaVideo) {
      await page.evaluate(async () => {
        const canvas = document.querySelector("#screen canvas") as HTMLCanvasElement;
        const video = document.createElement("video");
        video.id = "benchVideo";
        video.muted = true;
        video.srcObject = canvas.captureStream(60);
        video.style.cssText = "position:fixed;left:0;top:0;width:480px;opacity:0.99";
        document.body.append(video);
        await video.play();
      });
    }
    return {
      page,
      source: options.viaVideo ? "#benchVideo" : "#screen canvas",
      pids: () => procs.map((p) => p.pid),
      bytesReceived: () =>
        page.evaluate(() =>
          (globalThis as unknown as { __benchWsBytes(): number }).__benchWsBytes()
        ),
      async stop() {
        await page.close().catch(() => {});
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
