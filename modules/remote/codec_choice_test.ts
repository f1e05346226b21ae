import { deepEqual as assertEquals } from "node:assert/strict";
import { chooseCodec } from "./codec_choice.ts";

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
  const viewers = new Set<{ codecs?: readonly ("vp8" | "h264")[] }>([both, { ...both }]);
  assertEquals(chooseCodec(both, viewers), "h264");
  const firefox = { ...vp8Only };
  viewers.add(firefox);
  assertEquals(chooseCodec(both, viewers), "vp8");
  viewers.delete(firefox);
  assertEquals(chooseCodec(both, viewers), "h264");
  // An island that never reported (an older one) counts as VP8 only.
  const old = { ...silent };
  viewers.add(old);
  assertEquals(chooseCodec(both, viewers), "vp8");
});
