// The agent switches codec on the server's `codec` (issue 14): from the next frame, a keyframe of
// the new codec from a new encoder (the old one closed, the preset kept), with the real OpenH264
// and libvpx encoders; it refuses a codec it did not offer, and starts each connection in VP8.
import assert from "node:assert/strict";
import { type AgentMessage, decodeMediaFrame, type VideoCodec } from "../protocol/mod.ts";
import { Agent, type EncoderLike, type Link } from "./agent.ts";
import { H264Encoder } from "./media/h264.ts";
import { Vp8Encoder } from "./media/vp8.ts";
import type { Desktop, Frame } from "./platform/types.ts";

const W = 64, H = 48;

function setup(codecs?: VideoCodec[]) {
  const data = new Uint8Array(W * H * 4).map((_, i) => (i * 7) & 0xff);
  const frame: Frame = { width: W, height: H, stride: W * 4, data };
  const desktop = {
    width: W,
    height: H,
    grab: () => frame,
    cursor: () => null,
    keyboardLayout: () => "us",
    close: () => {},
  } as unknown as Desktop;
  const log: string[] = []; // "open h264", "preset h264 high", "close vp8"
  const agent = new Agent({
    desktop,
    codecs,
    encoder: (width, height, _screen, codec): EncoderLike => {
      const inner: EncoderLike = codec === "h264"
        ? new H264Encoder({ width, height, preset: "normal" })
        : new Vp8Encoder({ width, height, preset: "normal" });
      log.push(`open ${codec}`);
      return {
        codec: inner.codec,
        encode: (bytes, stride, options) => inner.encode(bytes, stride, options),
        empty: inner.empty?.bind(inner),
        refine: inner.refine?.bind(inner),
        setPreset: (preset) => (log.push(`preset ${codec} ${preset}`), inner.setPreset(preset)),
        close: () => (log.push(`close ${codec}`), inner.close()),
      };
    },
  });
  const sent: AgentMessage[] = [];
  const frames: { codec: string; keyframe: boolean }[] = [];
  const link: Link = {
    send: (m) => void sent.push(m),
    sendMedia: (bytes) => {
      const decoded = decodeMediaFrame(bytes);
      assert.ok(decoded.ok);
      frames.push({ codec: decoded.frame.codec, keyframe: decoded.frame.keyframe });
    },
    buffered: () => 0,
  };
  return { agent, log, sent, frames, link };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits (at most 5 s) until `check` holds. */
async function until(check: () => boolean, what: string) {
  const end = performance.now() + 5_000;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function grantView(agent: Agent) {
  await agent.handle({ type: "request", capability: "view" });
  const question = agent.customerState.questions.find((q) => q.capability === "view");
  assert.ok(question && agent.answer("view", question.id, true).ok);
}

Deno.test({
  name: "agent: `codec` switches the encoder at the next frame with a keyframe, keeps the preset",
  ignore: !H264Encoder.available(),
  async fn() {
    const { agent, log, frames, link } = setup(["vp8", "h264"]);
    agent.attach(link);
    await grantView(agent);
    await agent.handle({ type: "quality", preset: "high" });
    await until(() => frames.length > 0, "the first frame");
    assert.deepEqual(frames[0], { codec: "vp8", keyframe: true });

    await agent.handle({ type: "codec", codec: "h264" });
    await until(() => frames.some((f) => f.codec === "h264"), "an H.264 frame");
    const first = frames.findIndex((f) => f.codec === "h264");
    assert.deepEqual(frames[first], { codec: "h264", keyframe: true }, "a keyframe first");
    assert.ok(frames.slice(first).every((f) => f.codec === "h264"), "no VP8 after the switch");
    assert.deepEqual(log.slice(-3), ["close vp8", "open h264", "preset h264 high"]);

    // The same codec again changes nothing; back to VP8 (a VP8-only viewer joined) likewise.
    await agent.handle({ type: "codec", codec: "h264" });
    assert.equal(log.filter((l) => l === "open h264").length, 1);
    const before = frames.length;
    await agent.handle({ type: "codec", codec: "vp8" });
    await until(() => frames.slice(before).some((f) => f.codec === "vp8"), "VP8 again");
    assert.deepEqual(frames.slice(before).find((f) => f.codec === "vp8"), {
      codec: "vp8",
      keyframe: true,
    });
    assert.deepEqual(log.slice(-3), ["close h264", "open vp8", "preset vp8 high"]);

    // A new connection starts in VP8 (what its server assumes) until told otherwise.
    await agent.handle({ type: "codec", codec: "h264" });
    await until(() => frames.at(-1)?.codec === "h264", "H.264 again");
    agent.detach();
    agent.attach(link);
    await until(() => frames.at(-1)?.codec === "vp8", "VP8 on the new connection");
    agent.stop();
  },
});

Deno.test("agent: a codec it did not offer is refused and the picture stays VP8", async () => {
  const { agent, sent, frames, link } = setup(); // offers VP8 only (no OpenH264)
  agent.attach(link);
  await grantView(agent);
  await agent.handle({ type: "codec", codec: "h264" });
  assert.deepEqual(sent.at(-1), { type: "refused", of: "codec", reason: "cannot encode h264" });
  agent.screen.resume();
  await until(() => frames.length >= 2, "two frames");
  assert.ok(frames.every((f) => f.codec === "vp8"), JSON.stringify(frames));
  agent.stop();
});
