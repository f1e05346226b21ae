import type { Config } from "../config/mod.ts";

/** One text message for a gateway: the number as stored in the outbox, and the text. */
export interface SmsMessage {
  to: string;
  body: string;
}

/**
 * Something that hands a text message to a carrier. `send` resolves once the provider has
 * accepted the message and rejects (with an Error whose message is safe to show admins)
 * when it has not; the outbox turns rejections into retries.
 */
export interface SmsGateway {
  send(message: SmsMessage): Promise<void>;
}

export interface HttpSmsGatewayOptions {
  /** Where to POST; may carry a provider's API key in its query string (never logged). */
  url: string;
  /** The `Authorization` header value (`Bearer …`, `Basic …`), if the provider wants one. */
  auth?: string;
  /**
   * The request body with `{{to}}` and `{{body}}` placeholders. A template starting with
   * `{` or `[` is JSON (values are JSON-escaped, so put the placeholders inside quotes);
   * anything else is a form (`to={{to}}&text={{body}}`, values URL-encoded). Default:
   * `{"to":"{{to}}","body":"{{body}}"}`.
   */
  template?: string;
  /** Give up on a silent provider after this long; default 10 s. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * The generic HTTP provider: one POST per message, any 2xx is success, anything else (or
 * no answer within the timeout) is an error naming the status. Error messages mention the
 * gateway's origin and path, never its query string or the Authorization value.
 */
export function httpSmsGateway(options: HttpSmsGatewayOptions): SmsGateway {
  const url = new URL(options.url);
  const where = `${url.origin}${url.pathname}`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    async send(message) {
      const { body, contentType } = _render(options.template, message);
      const headers: Record<string, string> = { "content-type": contentType };
      if (options.auth) headers.authorization = options.auth;
      let res: Response;
      try {
        res = await fetch(url, {
          method: "POST",
          headers,
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        if (error instanceof DOMException && error.name === "TimeoutError") {
          throw new Error(`SMS gateway ${where} did not answer within ${timeoutMs} ms`);
        }
        throw new Error(`SMS gateway ${where} unreachable: ${_redact(_reason(error), url, where)}`);
      }
      // Read the body so the connection is released; a short excerpt helps the admin.
      const answer = (await res.text().catch(() => "")).trim().slice(0, 200);
      if (!res.ok) {
        const detail = answer ? `: ${_redact(answer, url, where)}` : "";
        throw new Error(`SMS gateway answered ${res.status} ${res.statusText}${detail}`.trim());
      }
    },
  };
}

/** The gateway `config` describes (SMS_GATEWAY_*), or undefined when none is configured. */
export function configuredSmsGateway(
  config: Pick<Config, "smsGatewayUrl" | "smsGatewayAuth" | "smsGatewayTemplate">,
): SmsGateway | undefined {
  if (!config.smsGatewayUrl) return undefined;
  return httpSmsGateway({
    url: config.smsGatewayUrl,
    auth: config.smsGatewayAuth,
    template: config.smsGatewayTemplate,
  });
}

function _render(template: string | undefined, message: SmsMessage) {
  if (template === undefined) {
    return { body: JSON.stringify(message), contentType: "application/json" };
  }
  const json = /^\s*[[{]/.test(template);
  const escape = json
    ? (value: string) => JSON.stringify(value).slice(1, -1)
    : (value: string) => encodeURIComponent(value);
  const body = template.replace(
    /\{\{(to|body)\}\}/g,
    (_, name: "to" | "body") => escape(message[name]),
  );
  return {
    body,
    contentType: json ? "application/json" : "application/x-www-form-urlencoded",
  };
}

/** fetch says only "fetch failed"; the cause says why (refused, DNS, TLS). */
function _reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause ? `${error.message}: ${cause}` : error.message;
}

/** Network errors quote the URL; keep its query string (often an API key) out of them. */
function _redact(text: string, url: URL, where: string): string {
  return url.search ? text.replaceAll(url.href, where).replaceAll(url.search, "") : text;
}
