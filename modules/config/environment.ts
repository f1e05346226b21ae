import { z } from "zod";

const FILE_LIMIT_MESSAGE = "FILE_LIMIT_MB must be a whole number of megabytes from 1 to 2048";

/**
 * Every environment variable the server reads, one entry each: its parse, its default and
 * the message that names it when the value is wrong. Nothing else in the server reads the
 * environment (`Deno.env`); add a variable here and carry it on `Config`. A blank value
 * counts as unset. (Deno itself reads `OTEL_DENO`, `OTEL_*`: documented in the README.)
 */
export const ENVIRONMENT = z.object({
  PORT: _optional(
    z.string().trim().regex(/^\d{1,5}$/, { error: _portMessage }).transform(Number)
      .refine((port) => port <= 65535, { error: _portMessage }),
  ).default(8080),
  HOST: _optional(z.string().trim()).default("0.0.0.0"),
  PUBLIC_URL: _optional(
    z.string().trim().refine(_isHttpUrl, {
      error: (issue) => `PUBLIC_URL must be an absolute http or https URL, got "${issue.input}"`,
    }),
  ),
  DATA_DIR: _optional(z.string().trim()).default("./data"),
  // HTTPS from this process (HTTP/2 by ALPN): the certificate (with its chain) and its key, PEM.
  TLS_CERT_FILE: _optional(z.string().trim()),
  TLS_KEY_FILE: _optional(z.string().trim()),
  // The authority (PEM) the support app trusts besides the customer's system's: a private CA.
  TLS_CA_FILE: _optional(z.string().trim()),
  // Plain HTTP on this port answers with a redirect to PUBLIC_URL (needs the two above).
  HTTP_REDIRECT_PORT: _optional(
    z.string().trim().regex(/^\d{1,5}$/, { error: _redirectPortMessage }).transform(Number)
      .refine((port) => port >= 1 && port <= 65535, { error: _redirectPortMessage }),
  ),
  DATABASE_URL: _optional(z.string().trim()),
  SMTP_URL: _optional(z.string().trim()),
  SMTP_FROM: _optional(z.string().trim()),
  // The value may carry an API key in its query string: the message never echoes it.
  SMS_GATEWAY_URL: _optional(
    z.string().trim().refine(_isHttpUrl, "SMS_GATEWAY_URL must be an absolute http or https URL"),
  ),
  SMS_GATEWAY_AUTH: _optional(z.string().trim()),
  SMS_GATEWAY_TEMPLATE: _optional(
    z.string().trim()
      .refine(
        (t) => t.includes("{{to}}") && t.includes("{{body}}"),
        "SMS_GATEWAY_TEMPLATE must contain {{to}} and {{body}}",
      )
      .refine(
        _isJsonWhenItLooksLikeIt,
        "SMS_GATEWAY_TEMPLATE starts like JSON but is not valid JSON (write placeholders inside quotes)",
      ),
  ),
  FILE_LIMIT_MB: _optional(
    z.string().trim().regex(/^\d+$/, FILE_LIMIT_MESSAGE).transform(Number)
      .refine((mb) => mb >= 1 && mb <= 2048, FILE_LIMIT_MESSAGE),
  ).default(25),
  RESCUE_ADMIN_EMAIL: _optional(z.string().trim()),
  // The organisation the bootstrap admin creates; unset → "My organisation" in LANG's language.
  RESCUE_ORG_NAME: _optional(
    z.string().trim().max(100, "RESCUE_ORG_NAME may be at most 100 characters"),
  ),
  // The system locale (nl_NL.UTF-8): only its language is used, for the bootstrap's defaults.
  LANG: _optional(z.string().trim()),
  // Not trimmed: spaces may be part of a password.
  RESCUE_ADMIN_PASSWORD: z.string().optional().transform((value) => value || undefined),
  RESCUE_COOKIE_SECRET: z.string().optional().transform((value) => value || undefined)
    .refine(
      (value) => value === undefined || value.length >= 32,
      "RESCUE_COOKIE_SECRET must be at least 32 characters long",
    ),
  // Where the other instances of a cluster reach this one (relayed viewers, customer pages).
  INSTANCE_URL: _optional(
    z.string().trim().refine(_isHttpUrl, "INSTANCE_URL must be an absolute http or https URL"),
  ),
  // Signs requests one instance relays to another; unset → derived from the cookie secret.
  RESCUE_CLUSTER_SECRET: z.string().optional().transform((value) => value || undefined)
    .refine(
      (value) => value === undefined || value.length >= 32,
      "RESCUE_CLUSTER_SECRET must be at least 32 characters long",
    ),
  RESCUE_TRUST_PROXY: z.string().optional().transform((value) => value === "1"),
  RESCUE_LOG: z.string().optional().transform((value) => value !== "off"),
  // Webhook endpoints on this machine or the local network: refused unless allowed here.
  WEBHOOK_ALLOW_PRIVATE: z.enum(["", "none", "loopback", "private"]).optional()
    .transform((value) => value === "loopback" || value === "private" ? value : "none"),
  // Not trimmed, like the other secrets; short tokens are guessable.
  METRICS_TOKEN: z.string().optional().transform((value) => value || undefined).refine(
    (value) => value === undefined || value.length >= 16,
    "METRICS_TOKEN must be at least 16 characters long",
  ),
}).check((ctx) => {
  const env = ctx.value;
  if (Boolean(env.RESCUE_ADMIN_EMAIL) !== Boolean(env.RESCUE_ADMIN_PASSWORD)) {
    _refuse(ctx, "RESCUE_ADMIN_EMAIL and RESCUE_ADMIN_PASSWORD must be set together");
  }
  if (Boolean(env.TLS_CERT_FILE) !== Boolean(env.TLS_KEY_FILE)) {
    _refuse(
      ctx,
      "TLS_CERT_FILE and TLS_KEY_FILE must be set together (both for HTTPS, neither for plain HTTP)",
    );
  }
  if (env.HTTP_REDIRECT_PORT !== undefined && !env.TLS_CERT_FILE) {
    _refuse(ctx, "HTTP_REDIRECT_PORT needs TLS_CERT_FILE and TLS_KEY_FILE (it redirects to HTTPS)");
  }
  if (env.HTTP_REDIRECT_PORT !== undefined && env.HTTP_REDIRECT_PORT === env.PORT) {
    _refuse(ctx, `HTTP_REDIRECT_PORT must differ from PORT (both are ${env.PORT})`);
  }
  if (env.TLS_CERT_FILE && /^http:/i.test(env.PUBLIC_URL ?? "")) {
    _refuse(
      ctx,
      "PUBLIC_URL must be https://… when the server speaks HTTPS itself (TLS_CERT_FILE is set)",
    );
  }
  if (!env.SMS_GATEWAY_URL && (env.SMS_GATEWAY_AUTH || env.SMS_GATEWAY_TEMPLATE)) {
    _refuse(ctx, "SMS_GATEWAY_AUTH and SMS_GATEWAY_TEMPLATE need SMS_GATEWAY_URL");
  }
});

/** The environment as read: typed, defaults applied, blanks unset. */
export type Environment = z.output<typeof ENVIRONMENT>;

/** Parses `env`; throws a RangeError whose message names the first wrong variable. */
export function readEnvironment(env: Record<string, string | undefined>): Environment {
  const parsed = ENVIRONMENT.safeParse(env);
  if (parsed.success) return parsed.data;
  // A variable that needs another (path []) is named first: that is the mistake to fix.
  const issues = parsed.error.issues;
  throw new RangeError((issues.find((issue) => issue.path.length === 0) ?? issues[0]).message);
}

function _optional<T extends z.ZodType>(schema: T) {
  return z.preprocess(
    (value) => (typeof value === "string" && value.trim() === "" ? undefined : value),
    schema.optional(),
  );
}

function _refuse(ctx: { issues: unknown[]; value: unknown }, message: string) {
  ctx.issues.push({ code: "custom", message, input: ctx.value });
}

function _portMessage(issue: { input?: unknown }): string {
  return `PORT must be an integer between 0 and 65535, got "${issue.input}"`;
}

function _redirectPortMessage(issue: { input?: unknown }): string {
  return `HTTP_REDIRECT_PORT must be an integer between 1 and 65535, got "${issue.input}"`;
}

function _isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/** A template starting with `{` or `[` is sent as JSON: filled in, it must still parse. */
function _isJsonWhenItLooksLikeIt(template: string): boolean {
  if (!/^[[{]/.test(template)) return true;
  try {
    JSON.parse(template.replaceAll("{{to}}", "x").replaceAll("{{body}}", "x"));
    return true;
  } catch {
    return false;
  }
}
