import { join } from "node:path";
import { readEnvironment } from "./environment.ts";
import { readCaFile, readTlsFiles, type TlsFiles } from "./tls.ts";

export interface Config {
  port: number;
  /** HOST: the address to listen on (default 0.0.0.0, every interface). */
  host?: string;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string | undefined;
  smtpUrl: string | undefined;
  /** SMTP_FROM: the sender of outgoing mail; unset → `Rescue <no-reply@host of PUBLIC_URL>`. */
  smtpFrom?: string;
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
  /**
   * RESCUE_ADMIN_EMAIL/PASSWORD (with RESCUE_ORG_NAME, and the language of LANG for the
   * default name) create the organisation on first start.
   */
  bootstrapAdmin:
    | { email: string; password: string; orgName?: string; language?: string }
    | undefined;
  /**
   * TLS_CERT_FILE + TLS_KEY_FILE: the server speaks HTTPS itself (Deno.serve negotiates
   * HTTP/2 by ALPN), read and checked at start-up and read again on SIGHUP (modules/listen).
   */
  tls?: TlsFiles;
  /** TLS_CA_FILE: the authority (PEM) every support-app package trusts besides the system's. */
  supportAppCa?: string;
  /** HTTP_REDIRECT_PORT: plain HTTP there answers 308 to the same path on PUBLIC_URL. */
  httpRedirectPort?: number;
  /** False when PUBLIC_URL is unset and links point at localhost (a start-up warning). */
  publicUrlSet?: boolean;
  /** HMAC key for CSRF tokens; generated once and kept in DATA_DIR/secrets.json. */
  cookieSecret: string;
  /**
   * AES-256-GCM key (base64url, 32 bytes) that seals TOTP seeds in the database; generated
   * once and kept in DATA_DIR/secrets.json, so a copy of the database alone reveals no seed.
   * Optional so hand-built test configs need not name it (2FA then refuses to work).
   */
  totpKey?: string;
  /**
   * INSTANCE_URL: where the other instances on the same database reach this one; unset →
   * `http://<HOST or 127.0.0.1>:<PORT>` (`https://` with TLS_CERT_FILE). Optional so hand-built test configs need not name it.
   */
  instanceUrl?: string;
  /**
   * RESCUE_CLUSTER_SECRET: the key of the signature on requests relayed between instances;
   * unset → an HMAC of the cookie secret (which instances of one cluster share anyway).
   */
  clusterSecret?: string;
  /** True when the public URL is https: cookies get `Secure` and the `__Host-` prefix. */
  secureCookies: boolean;
  /** RESCUE_TRUST_PROXY=1: the client address is the first X-Forwarded-For hop. */
  trustProxy?: boolean;
  /** False when RESCUE_LOG=off silences the JSON log. */
  logEnabled?: boolean;
  /**
   * WEBHOOK_ALLOW_PRIVATE: webhook endpoints at loopback (`loopback`), or also private,
   * link-local and other non-public addresses (`private`); unset → only public addresses.
   * Optional so hand-built test configs need not name it (then: none).
   */
  webhookAllowPrivate?: "none" | "loopback" | "private";
  /**
   * METRICS_TOKEN: the bearer token `GET /metrics` asks for; unset → only a scraper on the
   * same machine (loopback, not through a proxy) is answered.
   */
  metricsToken?: string;
  version: string;
}

export interface LoadConfigOptions {
  env?: Record<string, string | undefined>;
}

export const VERSION = "0.1.0";

/**
 * Reads the environment once (through `ENVIRONMENT`, see environment.ts); throws a RangeError
 * naming the variable when a value is invalid, before anything is written.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<Config> {
  const env = readEnvironment(options.env ?? Deno.env.toObject());
  const tls = env.TLS_CERT_FILE && env.TLS_KEY_FILE
    ? await readTlsFiles(env.TLS_CERT_FILE, env.TLS_KEY_FILE)
    : undefined;
  const supportAppCa = env.TLS_CA_FILE ? await readCaFile(env.TLS_CA_FILE) : undefined;
  const scheme = tls ? "https" : "http";
  const publicUrl = _publicUrl(env.PUBLIC_URL ?? `${scheme}://localhost:${env.PORT}`);
  await Deno.mkdir(env.DATA_DIR, { recursive: true });
  const secrets = await loadSecrets(env.DATA_DIR);
  const admin = env.RESCUE_ADMIN_EMAIL && env.RESCUE_ADMIN_PASSWORD
    ? {
      email: env.RESCUE_ADMIN_EMAIL,
      password: env.RESCUE_ADMIN_PASSWORD,
      ...(env.RESCUE_ORG_NAME ? { orgName: env.RESCUE_ORG_NAME } : {}),
      // "pt_BR.UTF-8" → "pt-br": the bootstrap matches it to a staff language (pt-br).
      ...(env.LANG
        ? { language: env.LANG.replace(/[.@].*$/, "").replace("_", "-").toLowerCase() }
        : {}),
    }
    : undefined;
  return {
    port: env.PORT,
    host: env.HOST,
    publicUrl,
    publicUrlSet: env.PUBLIC_URL !== undefined,
    ...(tls ? { tls } : {}),
    ...(supportAppCa ? { supportAppCa } : {}),
    ...(env.HTTP_REDIRECT_PORT !== undefined ? { httpRedirectPort: env.HTTP_REDIRECT_PORT } : {}),
    dataDir: env.DATA_DIR,
    databaseUrl: env.DATABASE_URL,
    smtpUrl: env.SMTP_URL,
    smtpFrom: env.SMTP_FROM,
    ...(env.SMS_GATEWAY_URL
      ? {
        smsGatewayUrl: env.SMS_GATEWAY_URL,
        smsGatewayAuth: env.SMS_GATEWAY_AUTH,
        smsGatewayTemplate: env.SMS_GATEWAY_TEMPLATE,
      }
      : {}),
    fileLimitBytes: env.FILE_LIMIT_MB * 1024 * 1024,
    bootstrapAdmin: admin,
    cookieSecret: env.RESCUE_COOKIE_SECRET ?? secrets.cookieSecret,
    instanceUrl: env.INSTANCE_URL ?? _instanceUrl(scheme, env.HOST, env.PORT),
    ...(env.RESCUE_CLUSTER_SECRET ? { clusterSecret: env.RESCUE_CLUSTER_SECRET } : {}),
    totpKey: secrets.totpKey,
    secureCookies: publicUrl.startsWith("https:"),
    trustProxy: env.RESCUE_TRUST_PROXY,
    logEnabled: env.RESCUE_LOG,
    webhookAllowPrivate: env.WEBHOOK_ALLOW_PRIVATE,
    metricsToken: env.METRICS_TOKEN,
    version: VERSION,
  };
}

/** This instance on the host's own interface, or loopback when it listens on all of them. */
function _instanceUrl(scheme: string, host: string, port: number): string {
  const name = host === "0.0.0.0" || host === "::" || host === "" ? "127.0.0.1" : host;
  return `${scheme}://${name.includes(":") ? `[${name}]` : name}:${port}`;
}

/** The origin plus path, without trailing slashes (`https://x.example/rescue`). */
function _publicUrl(value: string): string {
  const url = new URL(value);
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
