/**
 * The automatic quality choice (preset "auto"): which preset the agent should encode at,
 * from what the viewers' WebRTC peers measure (relay.ts).
 */
import type { QualityPreset } from "../../protocol/mod.ts";

/** What one viewer's peer has measured so far (undefined: nothing yet). */
export interface PeerMeasure {
  readonly estimatedBitrate?: number;
  readonly roundTripMs?: number;
}

/**
 * The best-connected viewer decides: a slow viewer skips frames on its own (relay.ts)
 * rather than lowering everyone's picture. No measurement yet means "normal".
 */
export function autoPreset(peers: readonly (PeerMeasure | null)[]): QualityPreset {
  const rates = peers.map((p) => p?.estimatedBitrate ?? 0);
  const rtts = peers.map((p) => p?.roundTripMs ?? 0);
  const best = Math.max(0, ...rates);
  const rtt = Math.min(...rtts, 1_000);
  return best === 0
    ? "normal"
    : best >= 6_000_000 && rtt < 80
    ? "high"
    : best >= 1_500_000
    ? "normal"
    : best >= 500_000
    ? "low"
    : "greyscale";
}
