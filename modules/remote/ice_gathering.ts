/**
 * Our side's SDP with every candidate in it (no trickle: one message each way) — both the
 * technicians' peers (relay.ts) and the browser's receiving peer (screen_receiver.ts) send it
 * after their local description. Gathering host candidates on loopback is quick; after
 * `GATHER_TIMEOUT_MS` what was gathered goes anyway.
 */
import type { RTCPeerConnection } from "werift";

export const GATHER_TIMEOUT_MS = 2_000;

/** Waits until `pc` has gathered its candidates (or the timeout), then its local SDP. */
export async function gatheredSdp(pc: RTCPeerConnection): Promise<string> {
  if (pc.iceGatheringState !== "complete") {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, GATHER_TIMEOUT_MS);
      pc.iceGatheringStateChange.subscribe((state) => {
        if (state === "complete") {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }
  return pc.localDescription!.sdp;
}
