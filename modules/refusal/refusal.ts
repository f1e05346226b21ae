import type { TranslationKey } from "../i18n/mod.ts";

/** The statuses a refusal answers with (client errors, and 500 for the catch-all). */
export type RefusalStatus = 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 422 | 423 | 429 | 500;

/** The optional parts of a refusal. */
export interface RefusalOptions {
  /** Placeholders of the message (`{{seconds}}`, `{{permission}}`…). */
  params?: Record<string, unknown>;
  /** Response headers that go with it (Retry-After). */
  headers?: Record<string, string>;
  /** What happened, for logs and tests; never shown to the person (the key is). */
  reason?: string;
}

/**
 * A request the service turns down, and what to tell the person: `key` is the i18n key of
 * the message, `status` the HTTP status every surface answers it with. Services throw it
 * and know nothing of HTTP beyond the number; `app.onError` renders it once — a page, an
 * htmx fragment or an RFC 9457 problem document.
 */
export class Refusal extends Error {
  readonly params: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    readonly status: RefusalStatus,
    readonly key: TranslationKey,
    options: RefusalOptions = {},
  ) {
    super(options.reason ?? key);
    this.name = "Refusal";
    this.params = options.params ?? {};
    this.headers = options.headers ?? {};
  }
}
