import { join } from "node:path";

export interface Config {
  port: number;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string | undefined;
  smtpUrl: string | undefined;
  /**
   * The generic HTTP SMS gateway (SMS_GATEWAY_URL, http or https); unset → text messages
   * wait in the SMS outbox as `held`. Optional so hand-built test configs need not name it.
   */
  smsGatewayUrl?: string;
  /** SMS_GATEWAY_AUTH: the `Authorization` header value sent to the gateway. A secret. */
  smsGatewayAuth?: string;
  /** SMS_GATEWAY_TEMPLATE: the request body, with `{{to}}` and `{{body}}` placeholders. */
  smsGatewayTemplate?: string;
  /** FILE_LIMIT_MB: the largest file sent in a session, either way (default 25 MB). */
  fileLimitBytes?: number;
  bootstrapAdmin: { email: string; password: string } | undefined;
  /** HMAC key for CSRF tokens; generated once and kept in DATA_DIR/secrets.json. */
  cookieSecret: string;
  /**
   * AES-256-GCM key (base64url, 32 bytes) that seals TOTP seeds in the database; generated
   * once and kept in DATA_DIR/secrets.json, so a copy of the database alone reveals no seed.
   * Optional so hand-built test configs need not name it (2FA then refuses to work).
   */
  totpKey?: string;
  /** True when the public URL is https: cookies get `Secure` and the `__Host-` prefix. */
  secureCookies: boolean;
  version: string;
}

export interface LoadConfigOptions {
  env?: Record<string, string | undefined>;
}

export const VERSION = "0.1.0";

/** Reads the environment; throws a RangeError naming the variable when a value is invalid. */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<Config> {
  const env = options.env ?? Deno.env.toObject();
  const port = parsePort(env.PORT);
  const publicUrl = parsePublicUrl(env.PUBLIC_URL, port);
  const dataDir = env.DATA_DIR?.trim() || "./data";
  const email = env.RESCUE_ADMIN_EMAIL?.trim();
  const password = env.RESCUE_ADMIN_PASSWORD;
  if ((email && !password) || (!email && password)) {
    throw new RangeError("RESCUE_ADMIN_EMAIL and RESCUE_ADMIN_PASSWORD must be set together");
  }
  const sms = parseSmsGateway(env);
  await Deno.mkdir(dataDir, { recursive: true });
  const secrets = await loadSecrets(dataDir);
  return {
    port,
    publicUrl,
    dataDir,
    databaseUrl: env.DATABASE_URL?.trim() || undefined,
    smtpUrl: env.SMTP_URL?.trim() || undefined,
    ...sms,
    fileLimitBytes: parseFileLimit(env.FILE_LIMIT_MB),
    bootstrapAdmin: email && password ? { email, password } : undefined,
    cookieSecret: cookieSecret(env.RESCUE_COOKIE_SECRET) ?? secrets.cookieSecret,
    totpKey: secrets.totpKey,
    secureCookies: publicUrl.startsWith("https:"),
    version: VERSION,
  };
}

function parseFileLimit(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") return 25 * 1024 * 1024;
  const mb = Number(raw);
  if (!Number.isInteger(mb) || mb < 1 || mb > 2048) {
    throw new RangeError("FILE_LIMIT_MB must be a whole number of megabytes from 1 to 2048");
  }
  return mb * 1024 * 1024;
}

function cookieSecret(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === "") return undefined;
  if (raw.length < 32) {
    throw new RangeError("RESCUE_COOKIE_SECRET must be at least 32 characters long");
  }
  return raw;
}

type SmsGatewayFields = Pick<
  Config,
  "smsGatewayUrl" | "smsGatewayAuth" | "smsGatewayTemplate"
>;

/** SMS_GATEWAY_*: the URL must be http(s); the other two mean nothing without it. */
function parseSmsGateway(env: Record<string, string | undefined>): SmsGatewayFields {
  const raw = env.SMS_GATEWAY_URL?.trim();
  const auth = env.SMS_GATEWAY_AUTH?.trim() || undefined;
  const template = env.SMS_GATEWAY_TEMPLATE?.trim() || undefined;
  if (!raw) {
    if (auth || template) {
      throw new RangeError("SMS_GATEWAY_AUTH and SMS_GATEWAY_TEMPLATE need SMS_GATEWAY_URL");
    }
    return {};
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // The value may carry an API key in its query string: never echo it.
    throw new RangeError("SMS_GATEWAY_URL must be an absolute http or https URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new RangeError(`SMS_GATEWAY_URL must use http or https, not ${url.protocol}`);
  }
  if (template !== undefined) checkSmsTemplate(template);
  return { smsGatewayUrl: raw, smsGatewayAuth: auth, smsGatewayTemplate: template };
}

/** Both placeholders must be there; a JSON template must still be JSON once filled in. */
function checkSmsTemplate(template: string): void {
  if (!template.includes("{{to}}") || !template.includes("{{body}}")) {
    throw new RangeError("SMS_GATEWAY_TEMPLATE must contain {{to}} and {{body}}");
  }
  if (!/^[[{]/.test(template)) return;
  try {
    JSON.parse(template.replaceAll("{{to}}", "x").replaceAll("{{body}}", "x"));
  } catch {
    throw new RangeError(
      "SMS_GATEWAY_TEMPLATE starts like JSON but is not valid JSON (write placeholders inside quotes)",
    );
  }
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") return 8080;
  if (!/^\d+$/.test(raw.trim())) {
    throw new RangeError(`PORT must be an integer between 0 and 65535, got "${raw}"`);
  }
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`PORT must be an integer between 0 and 65535, got "${raw}"`);
  }
  return port;
}

function parsePublicUrl(raw: string | undefined, port: number): string {
  const value = raw?.trim() || `http://localhost:${port}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new RangeError(`PUBLIC_URL must be an absolute URL, got "${value}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new RangeError(`PUBLIC_URL must use http or https, got "${value}"`);
  }
  return url.origin + url.pathname.replace(/\/+$/, "");
}

interface Secrets {
  cookieSecret: string;
  totpKey: string;
}

/**
 * Reads DATA_DIR/secrets.json, creating it (mode 0600) on first start; a secret added in a
 * later version (totpKey) is generated and written once, keeping the others. Deleting the
 * file loses the TOTP key: every enrolled person must then enrol again.
 */
async function loadSecrets(dataDir: string): Promise<Secrets> {
  const path = join(dataDir, "secrets.json");
  let stored: Partial<Secrets> | undefined;
  try {
    const parsed = JSON.parse(await Deno.readTextFile(path));
    if (typeof parsed.cookieSecret !== "string" || parsed.cookieSecret.length < 32) {
      throw new TypeError("cookieSecret is missing or shorter than 32 characters");
    }
    if (parsed.totpKey !== undefined && !isAesKey(parsed.totpKey)) {
      throw new TypeError("totpKey is not 32 bytes in base64url");
    }
    stored = parsed;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      throw new Error(`Cannot read ${path}; fix or delete it`, { cause: error });
    }
  }
  if (stored?.cookieSecret && stored.totpKey) return stored as Secrets;
  const secrets = {
    ...stored,
    cookieSecret: stored?.cookieSecret ?? randomSecret(),
    totpKey: stored?.totpKey ?? randomAesKey(),
  };
  await Deno.writeTextFile(path, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

function randomAesKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
}

function isAesKey(value: unknown): boolean {
  return typeof value === "string" && /^[A-Za-z0-9_-]{43}$/.test(value);
}

function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
