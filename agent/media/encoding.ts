// What both screen encoders (vp8.ts, h264.ts) share: the quality presets' names, bitrates
// scaled from their 1080p30 figure, argument checks, how often a dirty-area conversion falls
// back to a full pass, and joining a frame's output parts into one buffer.

export type QualityPreset = "greyscale" | "low" | "normal" | "high";

/**
 * Dirty-area encodes (only the changed areas converted and compared) fall back to a full pass
 * this often, so a change the caller failed to report is picked up within about a second.
 */
export const FULL_PASS_EVERY = 30;

/** A bitrate given for 1920×1080 at 30 fps, scaled linearly with pixels × fps (50 at least). */
export function scaledKbps(kbps1080p30: number, width: number, height: number, fps: number) {
  const scale = (width * height * fps) / (1920 * 1080 * 30);
  return Math.max(50, Math.round(kbps1080p30 * scale));
}

export function checkPreset(
  preset: string,
  presets: Record<QualityPreset, unknown>,
): asserts preset is QualityPreset {
  if (!(preset in presets)) throw new RangeError(`unknown quality preset: ${preset}`);
}

export function checkKbps(kbps: number): void {
  if (!Number.isFinite(kbps) || kbps < 1 || kbps > 1_000_000) {
    throw new RangeError(`bitrate out of range: ${kbps} kbps`);
  }
}

/** A frame's output parts (packets, layers) as one buffer; a single part as it is. */
export function joinParts(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    data.set(p, off);
    off += p.length;
  }
  return data;
}
