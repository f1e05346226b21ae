/**
 * Never a black box that says "connected": while this island watches, view is granted and the
 * support app is there, a picture must come, and when it does not the island asks again. Fed
 * once a second (with the stats):
 * - the connection is up but no frame decoded for 2 s: a keyframe (the one asked for when the
 *   peer connected may have been lost, and on a still screen nothing else would come), at most
 *   every 2 s;
 * - no frame decoded 6 s after the wait began — no offer came, our answer went to a peer the
 *   server had replaced, ICE or DTLS never finished on a busy machine —: `reoffer`, a new peer
 *   and offer from the server. Each further wait is twice as long (at most 30 s), so a slow
 *   connection is not cut off again and again.
 * The wait ends with the first decoded frame; a picture that stalls later is stats.ts's.
 */

export const KEYFRAME_AFTER_MS = 2_000;
export const REOFFER_AFTER_MS = 6_000;
export const REOFFER_MAX_MS = 30_000;

export interface PictureSample {
  /** performance.now() */
  now: number;
  /** This island watches, view is granted, the support app is connected, the socket is open. */
  wanted: boolean;
  /** A frame of the current peer decoded (or the video has a size). */
  picture: boolean;
  /** The current peer's connection state (null: no peer). */
  connection: RTCPeerConnectionState | null;
}

export type PictureAsk = "keyframe" | "reoffer" | null;

export class PictureWatch {
  /** When the wait for a picture began (null: not waiting). */
  #since: number | null = null;
  #connectedAt: number | null = null;
  #keyframeAt = -Infinity;
  #wait = REOFFER_AFTER_MS;

  /** A new offer arrived: its connection gets a whole wait of its own. */
  offered(now: number): void {
    if (this.#since !== null) this.#since = now;
    this.#connectedAt = null;
  }

  /** What to ask the server for now, if anything. */
  sample(s: PictureSample): PictureAsk {
    if (!s.wanted || s.picture) {
      this.#since = this.#connectedAt = null;
      this.#wait = REOFFER_AFTER_MS;
      return null;
    }
    this.#since ??= s.now;
    this.#connectedAt = s.connection === "connected" ? this.#connectedAt ?? s.now : null;
    if (s.now - this.#since >= this.#wait) {
      this.#since = s.now;
      this.#connectedAt = null;
      this.#wait = Math.min(REOFFER_MAX_MS, this.#wait * 2);
      return "reoffer";
    }
    const connectedFor = this.#connectedAt === null ? 0 : s.now - this.#connectedAt;
    if (connectedFor >= KEYFRAME_AFTER_MS && s.now - this.#keyframeAt >= KEYFRAME_AFTER_MS) {
      this.#keyframeAt = s.now;
      return "keyframe";
    }
    return null;
  }
}
