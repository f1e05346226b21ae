/**
 * The WebRTC side of the view: the server offers (ICE already gathered, no trickle), we answer
 * once our own gathering is done (at most 1 s) and hand the video track to the page. One peer
 * at a time; an offer superseded while we were answering is dropped. The answer names the offer
 * it answers (`id`): the server ignores one whose peer it has replaced meanwhile.
 */

const ICE_WAIT_MS = 1_000;

export interface PeerEvents {
  track(track: MediaStreamTrack): void;
  /** Our answer to offer `id`, to send to the server. */
  answer(sdp: string, id: number): void;
  connected(): void;
  failed(error?: unknown): void;
}

export type PeerFactory = () => RTCPeerConnection;

function iceGathered(pc: RTCPeerConnection, ms: number): Promise<void> {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      pc.removeEventListener("icegatheringstatechange", check);
      resolve();
    };
    const check = () => pc.iceGatheringState === "complete" && done();
    const timer = setTimeout(done, ms);
    pc.addEventListener("icegatheringstatechange", check);
  });
}

/** Asks the receiver to show frames as soon as they are decoded (no jitter buffer target). */
function lowLatency(receiver: RTCRtpReceiver) {
  const r = receiver as RTCRtpReceiver & { jitterBufferTarget?: number; playoutDelayHint?: number };
  try {
    r.jitterBufferTarget = 0;
  } catch { /* not supported */ }
  if ("playoutDelayHint" in r) {
    try {
      r.playoutDelayHint = 0;
    } catch { /* not supported */ }
  }
}

export class VideoPeer {
  #pc: RTCPeerConnection | null = null;
  #seq = 0;

  constructor(
    private readonly events: PeerEvents,
    private readonly create: PeerFactory = () => new RTCPeerConnection({}),
  ) {}

  get connection(): RTCPeerConnection | null {
    return this.#pc;
  }

  async answer(sdp: string, id: number): Promise<void> {
    this.close();
    const seq = this.#seq;
    const pc = this.create();
    this.#pc = pc;
    pc.ontrack = (event) => {
      lowLatency(event.receiver);
      this.events.track(event.track);
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === "failed") this.events.failed();
      if (pc.connectionState === "connected") this.events.connected();
    };
    try {
      await pc.setRemoteDescription({ type: "offer", sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      await iceGathered(pc, ICE_WAIT_MS);
      if (seq !== this.#seq || this.#pc !== pc) return;
      this.events.answer(pc.localDescription?.sdp ?? "", id);
    } catch (error) {
      if (seq !== this.#seq) return;
      this.events.failed(error);
    }
  }

  /** Ends the peer; an answer still being made for it is not sent. */
  close(): void {
    this.#seq++;
    const pc = this.#pc;
    this.#pc = null;
    if (!pc) return;
    pc.ontrack = pc.onconnectionstatechange = null;
    pc.close();
  }

  /** The inbound video stream's RTP statistics and codec, or null (no peer, closed, none yet). */
  async inboundVideo(): Promise<InboundVideo | null> {
    const pc = this.#pc;
    if (!pc || pc.connectionState === "closed") return null;
    try {
      return inboundVideoOf(await pc.getStats());
    } catch {
      return null; // closed meanwhile
    }
  }
}

/** An `inbound-rtp` report with the MIME type of the codec it is decoded with ("video/H264"). */
export type InboundVideo = RTCInboundRtpStreamStats & { codec?: string };

/**
 * The video stream received, from a peer's statistics: its `inbound-rtp` report and the codec
 * that report names (`codecId` → the `codec` report's `mimeType`) — what the browser actually
 * decodes, whatever the server meant to send.
 */
export function inboundVideoOf(
  report: Pick<RTCStatsReport, "forEach" | "get">,
): InboundVideo | null {
  let inbound: RTCInboundRtpStreamStats | null = null;
  report.forEach((r) => {
    if (r.type === "inbound-rtp" && r.kind === "video") inbound = r;
  });
  if (!inbound) return null;
  const found: RTCInboundRtpStreamStats = inbound;
  const mimeType = found.codecId ? report.get(found.codecId)?.mimeType : undefined;
  return typeof mimeType === "string" ? { ...found, codec: mimeType } : found;
}
