/**
 * Helpers of the cluster end-to-end test (tests/e2e/cluster_test.ts): polling, the real agent
 * as a child process, and what the technician's browser knows of its WebRTC peers — so that a
 * picture that does not come says where it stuck (no answer, ICE, no frames).
 */
import type { Page } from "playwright-core";
import type { ClusterInstance } from "../../tools/cluster/harness.ts";

/** Polls `check` (a throw counts as "not yet") until it says yes, or throws after `ms`. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, ms = 15_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await Promise.resolve().then(check).catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function exists(path: string) {
  return await Deno.stat(path).then(() => true, () => false);
}

/** The agent, joining by PIN through `server`; resolves its window's address. */
export function startAgent(
  pin: string,
  server: string,
  display: string,
  work: string,
  step: (line: string) => void,
) {
  const output: string[] = [];
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "agent/main.ts", "--pin", pin, "--server", server, "--no-open"]
      .concat(["--state-dir", `${work}/agent-state`]),
    env: { DISPLAY: display, LANG: "en_GB.UTF-8" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const page = Promise.withResolvers<string>();
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    for await (
      const line of stream.pipeThrough(
        new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>,
      )
    ) {
      output.push(line);
      if (Deno.env.get("E2E_VERBOSE")) step(`agent: ${line.trim()}`);
      const match = /PAGE (\S+)/.exec(line);
      if (match) page.resolve(match[1]);
    }
  };
  collect(child.stdout);
  collect(child.stderr);
  child.status.then((s) => page.reject(new Error(`agent exited (${s.code}): ${output.join("")}`)));
  return { child, output, page: page.promise };
}

/** Frames the technician's browser has decoded so far. */
export function framesDecoded(page: Page): Promise<number> {
  return page.evaluate(() =>
    document.querySelector<HTMLVideoElement>(".rv-video")?.getVideoPlaybackQuality?.()
      .totalVideoFrames ?? 0
  );
}

/** A page script that keeps every RTCPeerConnection the page makes, for `peerReport`. */
export const KEEP_PEERS = `(() => {
  const Native = globalThis.RTCPeerConnection;
  const all = (globalThis.__e2ePeers = []);
  globalThis.RTCPeerConnection = function (...args) {
    const pc = new Native(...args);
    all.push(pc);
    return pc;
  };
  globalThis.RTCPeerConnection.prototype = Native.prototype;
})();`;

/** Each kept peer's states, candidates and candidate pairs, as one line of JSON. */
export function peerReport(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const peers = (globalThis as { __e2ePeers?: RTCPeerConnection[] }).__e2ePeers ?? [];
    const report = await Promise.all(peers.map(async (pc) => {
      const pairs: string[] = [];
      let inbound = 0;
      (await pc.getStats()).forEach((s) => {
        if (s.type === "candidate-pair") pairs.push(`${s.state}${s.nominated ? "*" : ""}`);
        if (s.type === "inbound-rtp") inbound += s.framesDecoded ?? 0;
      });
      const count = (sdp?: string) => (sdp?.match(/a=candidate/g) ?? []).length;
      return {
        connection: pc.connectionState,
        ice: pc.iceConnectionState,
        signaling: pc.signalingState,
        localCandidates: count(pc.localDescription?.sdp),
        remoteCandidates: count(pc.remoteDescription?.sdp),
        pairs,
        framesDecoded: inbound,
      };
    }));
    return JSON.stringify(report);
  });
}

/** Milliseconds after `since` (epoch ms) of the instance's JSON log lines that `match`. */
export async function logTimes(
  instance: ClusterInstance,
  match: (line: { msg?: string; path?: string; status?: number }) => boolean | undefined,
  since: number,
): Promise<number[]> {
  const times: number[] = [];
  for (const text of (await instance.logTail(20_000)).split("\n")) {
    if (!text.startsWith("{")) continue;
    const line = JSON.parse(text);
    const at = Date.parse(line.ts) - since;
    if (at >= 0 && match(line)) times.push(at);
  }
  return times;
}
