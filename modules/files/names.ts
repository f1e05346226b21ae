/**
 * File names people give are labels, never paths: the store finds content by its hash. They
 * still travel back in a `Content-Disposition` header and into a browser's save dialog, so
 * they are cleaned once (no control or bidi characters, no separators, no leading dots) and
 * encoded so no quote, CR/LF or non-ASCII character can break out of the header.
 */

const NAME_MAX = 200;

/** The name as it is stored and shown: printable, no path separators, at most 200 characters. */
export function safeFileName(raw: string): string {
  const cleaned = [...raw.toWellFormed()]
    .map((ch) => /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}/\\]/u.test(ch) ? "_" : ch)
    .slice(0, NAME_MAX)
    .join("")
    .trim()
    .replace(/^\.+/, (dots) => "_".repeat(dots.length));
  return cleaned || "file";
}

/**
 * `attachment` with an ASCII fallback name and the exact UTF-8 one (RFC 6266, RFC 8187):
 * whatever the name holds, the header stays one well-formed line.
 */
export function attachmentDisposition(name: string): string {
  const safe = safeFileName(name);
  const ascii = safe.replace(/[^\x20-\x7e]|["\\%;]/g, "_");
  const utf8 = encodeURIComponent(safe).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}
