/**
 * Bounds and presets that the schemas (`messages.ts`, `viewer_schema.ts`) and the browser island
 * share. Plain data, no zod: the island imports this file, and its bundle carries no validator.
 */

/** Colour quality presets (SPEC R2); "auto" adapts to measured bandwidth and round trip. */
export const QUALITY_PRESETS = ["auto", "high", "normal", "low", "greyscale"] as const;
export type QualityPreset = typeof QUALITY_PRESETS[number];

/**
 * The codecs an agent may encode the screen in and a viewer may decode it from (issue 14): VP8
 * everywhere, H.264 (constrained baseline, packetization-mode 1) where the agent loads OpenH264
 * and the viewer's browser decodes it. An agent or island that names none means VP8 only.
 */
export const VIDEO_CODECS = ["vp8", "h264"] as const;
export type VideoCodec = typeof VIDEO_CODECS[number];

/** Clipboard text, either way, in UTF-16 code units (`string.length`). */
export const CLIPBOARD_MAX_CHARS = 60_000;
/** The largest screen coordinate (X11's limit). */
export const COORD_MAX = 32_767;
/** The most wheel notches one `wheel` message may carry, per axis. */
export const WHEEL_MAX = 100;
/** The largest keysym: Unicode characters sit at 0x1000000 + code point. */
export const KEYSYM_MAX = 0x10ffff + 0x1000000;

/** The most screens (monitors) an agent lists; more are left out (the whole desktop still is). */
export const SCREENS_MAX = 16;
/** A screen's id as the agent names it (X11: the RandR monitor's name, e.g. "DP-1"). */
export const SCREEN_ID_PATTERN = /^[A-Za-z0-9_.:~-]{1,32}$/;

/** Whether a value is one of the quality presets. */
export function isQualityPreset(value: unknown): value is QualityPreset {
  return (QUALITY_PRESETS as readonly unknown[]).includes(value);
}

/**
 * The whiteboard's pens (SPEC R4): a few colours by name, each its RGB on the customer's screen.
 * Names travel, so the agent never draws a colour the technician's toolbar does not offer.
 */
export const WHITEBOARD_COLORS = {
  red: "#e0201b",
  yellow: "#f5c400",
  green: "#1fa33a",
  blue: "#1f5fe0",
  black: "#111111",
  white: "#ffffff",
} as const;
export type WhiteboardColor = keyof typeof WHITEBOARD_COLORS;
/** The pen widths the toolbar offers (screen pixels on the customer's side); the protocol allows 1–32. */
export const WHITEBOARD_WIDTHS = [3, 6, 12] as const;
export const WHITEBOARD_WIDTH_MAX = 32;
/** The most points one `stroke` message carries; a longer line goes as several, each starting where the last ended. */
export const STROKE_POINTS_MAX = 128;
/**
 * The laser pointer's dot on the customer's screen: its diameter (screen pixels) and colour. The
 * technician's window draws its own preview of the dot the same size, so the two coincide.
 */
export const LASER_DIAMETER = 18;
export const LASER_COLOR = "#ff1a1a";

/**
 * Why the agent cannot capture the customer's screen for now (`capture`): `secure_desktop` —
 * Windows shows the secure desktop (a UAC prompt, the lock or the sign-in screen), which only a
 * system service may read; the picture comes back when the customer answers or signs in —, or
 * `failed`: anything else (the system's words in `detail`, for the log).
 */
export const CAPTURE_PAUSE_REASONS = ["secure_desktop", "failed"] as const;
export type CapturePauseReason = typeof CAPTURE_PAUSE_REASONS[number];
