import { Secret, TOTP } from "otpauth";
import QRCode from "qrcode";

/** RFC 6238 with the parameters every authenticator app supports: SHA-1, 6 digits, 30 s. */
const PERIOD = 30;

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totp(secret: string, label = "", issuer = "") {
  return new TOTP({
    issuer,
    label,
    algorithm: "SHA1",
    digits: 6,
    period: PERIOD,
    secret: Secret.fromBase32(secret),
  });
}

export function totpUri(secret: string, options: { issuer: string; account: string }): string {
  return totp(secret, options.account, options.issuer).toString();
}

/** The QR code of the otpauth:// URI as an inline SVG string (no script, CSP-safe). */
export async function totpQrSvg(uri: string): Promise<string> {
  return await QRCode.toString(uri, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
}

/**
 * The time step `code` is valid for (±1 step of drift), or undefined. The caller stores
 * the step and refuses any later code for the same or an earlier step (replay).
 */
export function matchTotp(secret: string, code: string, now: Date): number | undefined {
  const token = code.replace(/\s+/g, "");
  if (!/^\d{6}$/.test(token)) return undefined;
  const delta = totp(secret).validate({ token, timestamp: now.getTime(), window: 1 });
  if (delta === null) return undefined;
  return Math.floor(now.getTime() / 1000 / PERIOD) + delta;
}

/** The code for `now`; used by tests and by nothing in production. */
export function currentTotp(secret: string, now: Date): string {
  return totp(secret).generate({ timestamp: now.getTime() });
}
