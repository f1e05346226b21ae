/**
 * What the customer's page may send about its device (static/customer_device.js): each value
 * the browser exposes, or null where it does not — never a guess. Checked strictly: known
 * fields only, strings short and printable, numbers finite and within what a real device can
 * report; anything else is refused whole with the first offending field named.
 */
import { z } from "zod";

/** No control characters: a value is shown back to a technician. */
const _printable = (s: string) => !/\p{Cc}/u.test(s);
const text = (max: number) => z.string().min(1).max(max).refine(_printable, "control character");
const int = (min: number, max: number) => z.number().int().min(min).max(max);
const real = (min: number, max: number) => z.number().min(min).max(max);
/** Seconds the browser reports for a battery; null where it says "unknown" (Infinity). */
const seconds = int(0, 10 * 365 * 86_400).nullable();

export const ORIENTATIONS = [
  "portrait-primary",
  "portrait-secondary",
  "landscape-primary",
  "landscape-secondary",
] as const;
export const EFFECTIVE_TYPES = ["slow-2g", "2g", "3g", "4g"] as const;

export const deviceReportSchema = z.strictObject({
  /** `navigator.userAgentData` with its high-entropy values. */
  hints: z.strictObject({
    platform: text(64).nullable(),
    platformVersion: text(64).nullable(),
    model: z.string().max(128).refine(_printable, "control character").nullable(),
    mobile: z.boolean().nullable(),
    brands: z.array(z.strictObject({ brand: text(64), version: text(64) })).max(10),
  }).nullable(),
  battery: z.strictObject({
    level: real(0, 1),
    charging: z.boolean(),
    chargingTime: seconds,
    dischargingTime: seconds,
  }).nullable(),
  network: z.strictObject({
    effectiveType: z.enum(EFFECTIVE_TYPES).nullable(),
    downlinkMbps: real(0, 100_000).nullable(),
    rttMs: int(0, 600_000).nullable(),
    saveData: z.boolean().nullable(),
  }).nullable(),
  online: z.boolean(),
  screen: z.strictObject({
    width: int(1, 100_000),
    height: int(1, 100_000),
    pixelRatio: real(0.1, 20),
    orientation: z.enum(ORIENTATIONS).nullable(),
    angle: int(0, 359).nullable(),
    touchPoints: int(0, 256),
    viewportWidth: int(0, 100_000),
    viewportHeight: int(0, 100_000),
  }),
  languages: z.array(text(35)).max(20),
  timeZone: text(64).nullable(),
  memoryGb: real(0, 4096).nullable(),
  cores: int(1, 4096).nullable(),
  storage: z.strictObject({
    usageBytes: int(0, Number.MAX_SAFE_INTEGER),
    quotaBytes: int(0, Number.MAX_SAFE_INTEGER),
  }).nullable(),
  /** The page's own measurement: a small request to this server and back. */
  serverRttMs: int(0, 60_000).nullable(),
});

export type DeviceReport = z.infer<typeof deviceReportSchema>;

/** The parsed report, or the path of the first field that is wrong (`screen.width`). */
export function parseDeviceReport(
  value: unknown,
): { ok: true; report: DeviceReport } | { ok: false; field: string } {
  const parsed = deviceReportSchema.safeParse(value);
  if (parsed.success) return { ok: true, report: parsed.data };
  const issue = parsed.error.issues[0];
  const path = issue?.path.map(String).join(".") ?? "";
  // An unknown key names itself; a body that is not an object has no path.
  const keys = issue && "keys" in issue && Array.isArray(issue.keys) ? issue.keys : [];
  const field = [path, ...keys.map(String)].filter(Boolean).join(".") || "body";
  return { ok: false, field: field.slice(0, 80) };
}
