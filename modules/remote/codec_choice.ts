/**
 * Which codec the agent encodes the screen in (issue 14): H.264 when the agent can (its hello's
 * `codecs`) and every viewer of the session — technicians, collaborators, monitoring admins,
 * guests, watching or not yet — said its browser decodes it (the island's `codecs`), else VP8,
 * which every browser decodes. One VP8-only viewer turns the whole session to VP8 (each frame
 * goes to every viewer untranscoded); it leaving turns it back. No viewer: VP8, the agent's own
 * start, so an agent nobody watches is never told anything.
 */
import type { VideoCodec } from "../../protocol/mod.ts";

/** What is known of one side: the codecs it named, or undefined when it named none (VP8). */
export interface CodecSide {
  readonly codecs?: readonly VideoCodec[];
}

const can = (side: CodecSide, codec: VideoCodec) =>
  codec === "vp8" || (side.codecs ?? []).includes(codec);

export function chooseCodec(agent: CodecSide | null, viewers: Iterable<CodecSide>): VideoCodec {
  if (!agent || !can(agent, "h264")) return "vp8";
  let any = false;
  for (const viewer of viewers) {
    if (!can(viewer, "h264")) return "vp8";
    any = true;
  }
  return any ? "h264" : "vp8";
}
