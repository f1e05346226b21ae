import type { HonoRequest, MiddlewareHandler } from "hono";
import type { AppEnv } from "./types.ts";

// C0 controls but TAB, LF and CR; DEL and the C1 controls; the bidi embeddings, overrides
// and isolates that make text read differently from what it is ("txt.exe" shown backwards).
// deno-lint-ignore no-control-regex
const UNWANTED = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text as we store and show it: lone surrogates become U+FFFD and control characters
 * (except TAB, LF, CR) and bidi overrides are dropped. PostgreSQL refuses NUL in `text`
 * and `jsonb` and lone surrogates in `jsonb`, and no person types any of these; invalid
 * UTF-8 is already U+FFFD once a body is decoded.
 */
export function cleanText(value: string): string {
  return value.toWellFormed().replace(UNWANTED, "");
}

/** `cleanText` on every string, key and file name in a parsed JSON value. */
export function cleanJson(value: unknown): unknown {
  if (typeof value === "string") return cleanText(value);
  if (Array.isArray(value)) return value.map(cleanJson);
  if (value === null || typeof value !== "object") return value;
  // fromEntries defines own properties, so a "__proto__" key stays a plain key.
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [cleanText(key), cleanJson(inner)]),
  );
}

/**
 * Upload routes read a plain form's file as a stream (modules/support `readUpload`) and clean
 * its name themselves (`safeFileName`, modules/files): parsing it here would hold the whole
 * file in memory and block the event loop while it parses (1.4 s for 24 MB).
 */
const STREAMED_UPLOADS = [/^\/s\/[^/]+\/files\/?$/, /^\/console\/sessions\/[^/]+\/files\/?$/];

/**
 * Cleans every text input once, where request bodies enter the app, so no route can forget:
 * url-encoded and multipart forms (fields and file names) and JSON bodies are parsed here
 * and the cleaned result is what `readForm`, `parseBody` and the API's validators read
 * (Hono caches a parsed body per request). Raw uploads (not a form) are left alone, and a
 * body that does not parse is left for the route to refuse with its own 400. Runs after the
 * body caps, so nothing here reads past them.
 */
export function cleanTextInputs(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const type = (c.req.header("content-type") ?? "").split(";")[0].trim().toLowerCase();
    if (type === "multipart/form-data" && STREAMED_UPLOADS.some((path) => path.test(c.req.path))) {
      return await next();
    }
    if (type === "application/x-www-form-urlencoded" || type === "multipart/form-data") {
      const parsed = await c.req.formData().catch(() => null);
      if (parsed) _bodyCache(c.req).formData = Promise.resolve(_cleanForm(parsed));
    } else if (/^application\/([\w.-]+\+)?json$/.test(type)) {
      const text = await c.req.text().catch(() => null);
      if (text !== null) _bodyCache(c.req).text = Promise.resolve(_cleanJsonText(text));
    }
    await next();
  };
}

/** Hono keeps each parsed body as a promise here (its type says the value). */
function _bodyCache(req: HonoRequest): Record<string, Promise<unknown>> {
  return req.bodyCache as unknown as Record<string, Promise<unknown>>;
}

function _cleanForm(form: FormData): FormData {
  const out = new FormData();
  for (const [key, value] of form) {
    if (typeof value === "string") out.append(cleanText(key), cleanText(value));
    else {
      const name = cleanText(value.name);
      const file = name === value.name
        ? value
        : new File([value], name, { type: value.type, lastModified: value.lastModified });
      out.append(cleanText(key), file);
    }
  }
  return out;
}

function _cleanJsonText(text: string): string {
  try {
    return JSON.stringify(cleanJson(JSON.parse(text)));
  } catch {
    return text; // not JSON: the route's validator refuses it
  }
}
