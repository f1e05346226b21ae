/**
 * What the browser-share end-to-end tests (Chromium's and Firefox's customer) share: on the
 * customer's page, a codec put first as a page of our own could ask; in the technician's remote
 * view (Chromium), the frames its `<video>` decoded, the codec its peer receives, and how much
 * of the picture is a given colour — a mark the test painted on the customer's screen, so the
 * pixels shown are known to be the customer's.
 */
import type { Page } from "playwright-core";
import { signInPage } from "./browser.ts";
import { TECH_PASSWORD } from "./org.ts";

/**
 * An init script for the customer's page: the codec `globalThis.shareCodec` names ("VP9",
 * "H264") goes first in every transceiver's preferences; unset, the browser's own order (VP8
 * first in Chromium and Firefox).
 */
export function preferCodec() {
  const add = RTCPeerConnection.prototype.addTransceiver;
  RTCPeerConnection.prototype.addTransceiver = function (
    this: RTCPeerConnection,
    ...args: Parameters<RTCPeerConnection["addTransceiver"]>
  ) {
    const transceiver = add.apply(this, args);
    const wanted = (globalThis as { shareCodec?: string }).shareCodec;
    const codecs = RTCRtpSender.getCapabilities("video")?.codecs ?? [];
    const first = codecs.filter((c) => wanted && c.mimeType === `video/${wanted}`);
    if (first.length) {
      transceiver.setCodecPreferences([...first, ...codecs.filter((c) => !first.includes(c))]);
    }
    return transceiver;
  };
}

/**
 * An init script for the sharing browser (the customer's, or the technician's showing their own
 * screen): Chromium's fake display has no size of its own and serves what is
 * asked — the page asks for the screen at its own size up to 4K, so it would encode 3840×2160 (a
 * few frames a second here). The fake stands for a 1280×720 screen: the page's request is kept in
 * `askedFor` (the test checks it) and capped at that size — or at `globalThis.fakeScreen`
 * ([width, height]) when a test sets it (another screen picked).
 */
export function fakeScreenSize() {
  const original = MediaDevices.prototype.getDisplayMedia;
  MediaDevices.prototype.getDisplayMedia = function (
    this: MediaDevices,
    options?: DisplayMediaStreamOptions,
  ) {
    (globalThis as { askedFor?: unknown }).askedFor = options;
    const asked = globalThis as { asks?: number };
    asked.asks = (asked.asks ?? 0) + 1;
    const video = typeof options?.video === "object" ? options.video : {};
    const [width, height] = (globalThis as { fakeScreen?: [number, number] }).fakeScreen ??
      [1280, 720];
    return original.call(this, {
      ...options,
      video: { ...video, width: { max: width }, height: { max: height } },
    });
  };
}

/** Frames the remote view's `<video>` has decoded so far. */
export const decodedFrames = (page: Page): Promise<number> =>
  page.evaluate(() =>
    document.querySelector("video")?.getVideoPlaybackQuality().totalVideoFrames ?? 0
  );

/** The `<video>`'s picture size, "1920x1080". */
export const videoSize = (page: Page): Promise<string> =>
  page.evaluate(() => {
    const video = document.querySelector("video");
    return video ? `${video.videoWidth}x${video.videoHeight}` : "";
  });

/** An init script for a page: every peer connection kept, for `rtpCodec`. */
export function keepPeers() {
  const Original = RTCPeerConnection;
  const peers: RTCPeerConnection[] = [];
  (globalThis as { peers?: RTCPeerConnection[] }).peers = peers;
  globalThis.RTCPeerConnection = function (config?: RTCConfiguration) {
    const pc = new Original(config);
    peers.push(pc);
    return pc;
  } as unknown as typeof RTCPeerConnection;
  globalThis.RTCPeerConnection.prototype = Original.prototype;
}

/**
 * In a page: the codec of its video over its connected peers (`keepPeers`), from their
 * statistics — "inbound-rtp" for what the remote view receives, "outbound-rtp" for what the
 * customer's browser sends ("video/VP8"); "" before any.
 */
export async function rtpCodec(kind: "inbound-rtp" | "outbound-rtp"): Promise<string> {
  const pcs = (globalThis as { peers?: RTCPeerConnection[] }).peers ?? [];
  for (const pc of pcs.filter((p) => p.connectionState === "connected")) {
    const stats = await pc.getStats();
    for (const report of stats.values()) {
      if (report.type === kind && report.kind === "video" && report.codecId) {
        return stats.get(report.codecId)?.mimeType as string;
      }
    }
  }
  return "";
}

/** `rtpCodec` in a Chromium page. */
export const peerCodec = (page: Page, kind: "inbound-rtp" | "outbound-rtp"): Promise<string> =>
  page.evaluate(rtpCodec, kind);

/**
 * The share of the remote view's current picture within 64 of `rgb` on each channel, 0–1: lossy
 * video moves colours (Firefox's VP9 at its starting bit rate shows magenta as 255, 38, 252).
 */
export const colourShare = (page: Page, rgb: [number, number, number]): Promise<number> =>
  page.evaluate(([r, g, b]) => {
    const video = document.querySelector("video");
    if (!video || !video.videoWidth) return 0;
    const canvas = document.createElement("canvas");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const context = canvas.getContext("2d")!;
    context.drawImage(video, 0, 0);
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let near = 0;
    for (let i = 0; i < data.length; i += 4) {
      const close = Math.abs(data[i] - r) < 64 && Math.abs(data[i + 1] - g) < 64 &&
        Math.abs(data[i + 2] - b) < 64;
      if (close) near++;
    }
    return near / (data.length / 4);
  }, rgb);

/** Waits until the remote view's peer receives `codec` ("VP9") and has decoded 10 more frames. */
export async function receiving(tech: Page, codec: string, timeout = 20_000) {
  await tech.waitForFunction(
    async (name) => {
      const pcs = (globalThis as { peers?: RTCPeerConnection[] }).peers ?? [];
      for (const pc of pcs.filter((p) => p.connectionState === "connected")) {
        for (const r of (await pc.getStats()).values()) {
          if (r.type === "codec" && r.mimeType === `video/${name}`) return true;
        }
      }
      return false;
    },
    codec,
    { timeout },
  );
  const from = await decodedFrames(tech);
  await tech.waitForFunction(
    (n) => (document.querySelector("video")?.getVideoPlaybackQuality().totalVideoFrames ?? 0) > n,
    from + 10,
    { timeout },
  );
}

/**
 * The technician's remote view of `sessionId` in a page of their own (signed in, 1366×768,
 * keeping its peers for `peerCodec`), once it shows a share: view only, view granted.
 */
export async function technicianView(
  newPage: () => Promise<Page & { errors: string[] }>,
  base: string,
  email: string,
  sessionId: string,
): Promise<Page & { errors: string[] }> {
  const tech = await newPage();
  await tech.addInitScript(keepPeers);
  await signInPage(tech, base, email, TECH_PASSWORD);
  await tech.setViewportSize({ width: 1366, height: 768 });
  await tech.goto(`${base}/console/sessions/${sessionId}/remote`);
  await tech.locator(".rv-view-only").waitFor();
  await tech.locator(".rv-view[data-state=granted]").waitFor();
  return tech;
}

/**
 * After the customer stopped: the technician's view drops its view-only notice, shows view as
 * revoked and decodes no more frames; `agentGone` says the server's stand-in went too.
 */
export async function viewEnded(tech: Page, agentGone: () => boolean): Promise<void> {
  await tech.locator(".rv-view-only").waitFor({ state: "detached" });
  await tech.locator(".rv-view[data-state=revoked]").waitFor({ state: "attached" });
  if (!agentGone()) throw new Error("the share's stand-in for the agent is still there");
  const stopped = await decodedFrames(tech);
  await tech.waitForTimeout(500);
  const more = await decodedFrames(tech) - stopped;
  if (more > 1) throw new Error(`${more} frames decoded after stop`);
}

/**
 * In the customer's page: every text the share's status line shows, with the state of the
 * newest peer connection (`keepPeers`) and what `#remote-consent` says of view at that moment,
 * and every change of that view, in `globalThis.statusLog` (ms since the page's start).
 */
export function recordShareStatus() {
  const log: { ms: number; text: string; state: string; view: string }[] = [];
  (globalThis as { statusLog?: typeof log }).statusLog = log;
  addEventListener("DOMContentLoaded", () => {
    const line = document.getElementById("browser-share-status");
    const consent = document.getElementById("remote-consent");
    const note = () => {
      const peers = (globalThis as { peers?: RTCPeerConnection[] }).peers ?? [];
      log.push({
        ms: Math.round(performance.now()),
        text: line?.textContent ?? "",
        state: peers.at(-1)?.connectionState ?? "none",
        view: consent?.dataset.view ?? "",
      });
    };
    if (line) {
      new MutationObserver(note).observe(line, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    }
    if (consent) {
      new MutationObserver(note).observe(consent, {
        attributes: true,
        attributeFilter: ["data-view"],
      });
    }
  });
}

/**
 * The first answer `page` gets from `url` (a glob) carries a wrong ICE password, as a handshake
 * lost for good would leave it: that peer never connects, and the page must offer again by
 * itself. Later answers pass as they are. Returns how many offers were answered so far.
 */
export async function firstAnswerBroken(page: Page, url: string): Promise<() => number> {
  let offers = 0;
  await page.route(url, async (route) => {
    const response = await route.fetch();
    const answer = await response.json();
    if (offers++ === 0) {
      answer.sdp = answer.sdp.replace(/^a=ice-pwd:.*$/gm, `a=ice-pwd:${"x".repeat(24)}`);
    }
    await route.fulfill({ response, json: answer });
  });
  return () => offers;
}
