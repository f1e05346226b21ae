/**
 * Which codec the agent encodes the screen in (issue 14): H.264 when the agent can (its hello's
 * `codecs`) and every viewer of the session — technicians, collaborators, monitoring admins,
 * guests, watching or not yet — said its browser decodes it (the island's `codecs`), else VP8,
 * which every browser decodes. One VP8-only viewer turns the whole session to VP8 (each frame
 * goes to every viewer untranscoded); it leaving turns it back. No viewer: VP8, the agent's own
 * start, so an agent nobody watches is never told anything.
 *
 * A viewer that has not said yet is left out until it asks for the picture: its island says
 * `codecs` first thing on its socket, a few milliseconds after the server counts it in — counted
 * as VP8 meanwhile, a second Chromium window opening on an H.264 session told the agent VP8 and
 * H.264 again at once (two encoder switches, every viewer offered twice). One that watches
 * without having said (an older island) counts as VP8.
 *
 * And which codec each viewer's peer is offered while the agent switches: the agent was told a
 * codec (`next`) and still sends the old one (`current`) until its next frame. A viewer that
 * opens then is offered `next` — a VP8-only browser joining an H.264 session is offered VP8
 * straight away, not the H.264 it cannot decode and then VP8 one round trip later. A peer keeps
 * its offer while it is in either codec (it gets the frames now, or will shortly); one in
 * neither — the choice went back before the agent switched — is offered again.
 */
import type { VideoCodec } from "../../protocol/mod.ts";
import type { RelayCodec } from "./relay.ts";

/** What is known of one side: the codecs it named, or undefined when it named none (VP8). */
export interface CodecSide {
  readonly codecs?: readonly VideoCodec[];
}

/** A viewer as the choice sees it: also whether it wants the picture. */
export interface CodecViewer extends CodecSide {
  readonly watching?: boolean;
}

const can = (side: CodecSide, codec: VideoCodec) =>
  codec === "vp8" || (side.codecs ?? []).includes(codec);

export function chooseCodec(agent: CodecSide | null, viewers: Iterable<CodecViewer>): VideoCodec {
  if (!agent || !can(agent, "h264")) return "vp8";
  let any = false;
  for (const viewer of viewers) {
    if (viewer.codecs === undefined && !viewer.watching) continue; // not said yet
    if (!can(viewer, "h264")) return "vp8";
    any = true;
  }
  return any ? "h264" : "vp8";
}

/**
 * The picture's codecs as the viewers' peers see them: the frames' codec now (with a browser
 * share's parameters), and the one the agent was told and has not switched to yet (null: none).
 */
export interface PictureCodecs {
  readonly current: RelayCodec;
  readonly next: VideoCodec | null;
}

/** The same codec with the same parameters (a browser share's must match its browser's). */
export const sameCodec = (a: RelayCodec, b: RelayCodec): boolean =>
  a.name === b.name && (a.parameters ?? "") === (b.parameters ?? "");

/** The codec a new peer is offered: the one the frames will come in. */
export function offerCodec(picture: PictureCodecs): RelayCodec {
  return picture.next ? { name: picture.next } : picture.current;
}

/** Whether a peer offered `codec` must be offered again: it gets no frames now nor after. */
export function peerOutdated(codec: RelayCodec, picture: PictureCodecs): boolean {
  if (sameCodec(codec, picture.current)) return false;
  return picture.next === null || !sameCodec(codec, { name: picture.next });
}
