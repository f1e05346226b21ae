import type { Context, MiddlewareHandler } from "hono";
import { Refusal } from "../refusal/mod.ts";
import type { AppEnv } from "./types.ts";

/** What a form or a JSON body may weigh where no route asks for more. */
export const DEFAULT_BODY_BYTES = 64 * 1024;

/** No cap: a route that streams whatever size it was told (and checks it itself). */
const UNCAPPED = Number.MAX_SAFE_INTEGER;

/** Room for the multipart boundaries and part headers around an uploaded file. */
const MULTIPART_OVERHEAD = 128 * 1024;

/** One row of the body-cap table: a path pattern (`:param` is one segment, a trailing `/*` any rest). */
export interface BodyCap {
  readonly path: string;
  readonly maxBytes: number;
}

/**
 * The one table of request-body caps. Everything not listed gets `DEFAULT_BODY_BYTES`.
 * Uploads get the configured file limit (FILE_LIMIT_MB) plus multipart overhead; the routes'
 * own, friendlier 413 for a declared length stays the first answer a browser sees.
 */
export function bodyCaps(options: { fileBytes: number }): BodyCap[] {
  const upload = options.fileBytes + MULTIPART_OVERHEAD;
  return [
    { path: "/s/:token/files", maxBytes: upload },
    { path: "/console/sessions/:id/files", maxBytes: upload },
    { path: "/console/sessions/:id/remote/screenshot", maxBytes: upload },
    // File-manager transfers stream any size (the agent stops at the announced size);
    // a text file to save is 2 MiB at most, JSON-escaped.
    // The same routes under /x are an external technician's (modules/external).
    { path: "/console/sessions/:id/file-manager/transfers/:tid/data", maxBytes: UNCAPPED },
    { path: "/x/console/sessions/:id/file-manager/transfers/:tid/data", maxBytes: UNCAPPED },
    { path: "/agent/file-data/:ticket", maxBytes: UNCAPPED },
    { path: "/console/sessions/:id/file-manager/text", maxBytes: 8 * 1024 * 1024 },
    { path: "/x/console/sessions/:id/file-manager/text", maxBytes: 8 * 1024 * 1024 },
    // replies.xml may be 512 KiB (modules/replies MAX_IMPORT_BYTES).
    { path: "/console/replies/import", maxBytes: 640 * 1024 },
    // Script libraries: a script (256 KiB) and its resource (1 MiB) per form; scripts.xml
    // up to 8 MiB (modules/scripts MAX_SCRIPTS_XML_BYTES).
    { path: "/console/scripts", maxBytes: 2 * 1024 * 1024 },
    { path: "/console/scripts/*", maxBytes: 9 * 1024 * 1024 },
    { path: "/admin/scripts", maxBytes: 2 * 1024 * 1024 },
    { path: "/admin/scripts/*", maxBytes: 9 * 1024 * 1024 },
    // Group settings carry the terms text (10,000 characters, up to 9 bytes each encoded).
    { path: "/admin/groups/*", maxBytes: 256 * 1024 },
    // The organisation's logo: 256 KiB (modules/admin LOGO_MAX_BYTES) and the form around it.
    { path: "/admin/organisation/logo", maxBytes: 320 * 1024 },
    // A calling card's logo: the same 256 KiB (modules/calling_cards) and its form.
    { path: "/admin/calling-cards/:channelId", maxBytes: 320 * 1024 },
    { path: "/api/*", maxBytes: 256 * 1024 },
  ];
}

/**
 * Caps every request body before anything reads it, so no route, middleware (CSRF reads
 * forms) or parser buffers more than its route allows. A declared Content-Length over the
 * cap is refused at once; a body without one (chunked) is counted while it streams and the
 * stream fails at the cap, so nothing past it is read. Either way the answer is 413. Runs
 * before the session and CSRF middleware.
 * Not hono's `bodyLimit`: it reads a chunked body whole into memory before the route runs
 * (an upload would sit there, up to FILE_LIMIT_MB) and knows one cap, not a table of routes.
 */
export function bodyLimit(
  caps: readonly BodyCap[],
  options: { fallback?: number } = {},
): MiddlewareHandler<AppEnv> {
  const fallback = options.fallback ?? DEFAULT_BODY_BYTES;
  const table = caps.map((cap) => ({ pattern: _pattern(cap.path), maxBytes: cap.maxBytes }));
  return async (c, next) => {
    const raw = c.req.raw;
    if (!raw.body) return await next();
    const max = table.find((row) => row.pattern.test(c.req.path))?.maxBytes ?? fallback;
    // Uncapped (file-manager data): the body stays the server's own byte stream, which its
    // route reads in large pieces (a counting stream around it costs a hop per 64 KiB).
    if (max >= UNCAPPED) return await next();
    const declared = raw.headers.get("content-length");
    if (declared !== null && !(Number(declared) <= max)) {
      // Not a byte is read: the socket is closed after the answer.
      await raw.body.cancel().catch(() => {});
      _tooLarge(c, max);
    }
    const counter = { over: false };
    c.req.raw = new Request(raw, {
      body: raw.body.pipeThrough(_counting(max, counter)),
      duplex: "half",
    } as RequestInit);
    await next();
    // Whatever the reader made of its failed stream (a 400 form, a 403 CSRF), it was too big.
    if (counter.over) _tooLarge(c, max);
  };
}

/** A stream that passes at most `max` bytes and fails on the chunk that goes past it. */
export function _counting(max: number, counter: { over: boolean }): TransformStream<
  Uint8Array,
  Uint8Array
> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > max) {
        counter.over = true;
        controller.error(new RangeError(`Request body over ${max} bytes`));
        return;
      }
      controller.enqueue(chunk);
    },
  });
}

/** The 413, thrown for app.onError to render like every refusal. */
function _tooLarge(c: Context<AppEnv>, max: number): never {
  // A fresh response: nothing of what the handler answered may leak into the 413.
  c.res = undefined as unknown as Response;
  c.finalized = false;
  throw new Refusal(413, "errors.tooLarge", {
    params: { max: _size(max) },
    headers: { connection: "close" },
  });
}

function _size(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${Math.floor(bytes / (1024 * 1024))} MiB`
    : `${Math.floor(bytes / 1024)} KiB`;
}

function _pattern(path: string): RegExp {
  const rest = path.endsWith("/*");
  const body = (rest ? path.slice(0, -2) : path).split("/").map((segment) =>
    segment.startsWith(":") ? "[^/]+" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  ).join("/");
  return new RegExp(`^${body}${rest ? "(?:/.*)?" : "/?"}$`);
}
