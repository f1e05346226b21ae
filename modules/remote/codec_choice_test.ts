import { deepEqual as assertEquals } from "node:assert/strict";
import { chooseCodec, type CodecViewer, offerCodec, peerOutdated } from "./codec_choice.ts";

const both = { codecs: ["vp8", "h264"] as const };
const vp8Only = { codecs: ["vp8"] as const };
const silent = {}; // an older agent or island that names no codecs

Deno.test("codec choice: H.264 only when the agent can and every viewer decodes it", () => {
  assertEquals(chooseCodec(both, [both]), "h264");
  assertEquals(chooseCodec(both, [both, both, both]), "h264");
  // The agent without OpenH264, or an older agent: VP8 whatever the viewers can.
  assertEquals(chooseCodec(vp8Only, [both]), "vp8");
  assertEquals(chooseCodec(silent, [both]), "vp8");
  assertEquals(chooseCodec(null, [both]), "vp8");
  // Nobody watching: VP8, the agent's start (nothing to tell it).
  assertEquals(chooseCodec(both, []), "vp8");
});

Deno.test("codec choice: one VP8-only viewer turns the session to VP8 and back when it leaves", () => {
  const viewers = new Set<CodecViewer>([both, { ...both }]);
  assertEquals(chooseCodec(both, viewers), "h264");
  const firefox = { ...vp8Only };
  viewers.add(firefox);
  assertEquals(chooseCodec(both, viewers), "vp8");
  viewers.delete(firefox);
  assertEquals(chooseCodec(both, viewers), "h264");
  // An island that never reported (an older one) counts as VP8 only once it watches.
  const old = { ...silent, watching: false };
  viewers.add(old);
  assertEquals(chooseCodec(both, viewers), "h264", "not said yet: its island says it first");
  viewers.delete(old);
  viewers.add({ ...old, watching: true });
  assertEquals(chooseCodec(both, viewers), "vp8", "watching without saying: VP8");
});

Deno.test("offerCodec(): a new peer gets the codec the agent was told, before its frames come", () => {
  assertEquals(offerCodec({ current: { name: "h264" }, next: "vp8" }), { name: "vp8" });
  assertEquals(offerCodec({ current: { name: "vp8" }, next: null }), { name: "vp8" });
  // A browser share's codec keeps the parameters its browser agreed.
  const share = { name: "h264", parameters: "profile-level-id=42e01f" } as const;
  assertEquals(offerCodec({ current: share, next: null }), share);
});

Deno.test("peerOutdated(): a peer keeps its offer in the codec coming now or next, no other", () => {
  const switching = { current: { name: "h264" }, next: "vp8" } as const;
  assertEquals(peerOutdated({ name: "h264" }, switching), false, "gets the frames now");
  assertEquals(peerOutdated({ name: "vp8" }, switching), false, "gets them after the switch");
  const settled = { current: { name: "h264" }, next: null } as const;
  assertEquals(peerOutdated({ name: "vp8" }, settled), true, "the switch was called off");
  assertEquals(peerOutdated({ name: "h264" }, settled), false);
  const share = { current: { name: "h264", parameters: "a" }, next: null } as const;
  assertEquals(peerOutdated({ name: "h264", parameters: "b" }, share), true, "other parameters");
});
