/**
 * Where to send a browser after sign-in, a language change and the like, when the target
 * comes from the request (`?next=`, a hidden `back` field). Only a path on this site is
 * accepted; anything else gives `undefined`, and the caller uses its own default.
 *
 * Browsers are generous with what they read as "another host": `//evil`, `/\evil` and
 * `/\t/evil` (tabs and newlines are dropped from URLs before parsing) all leave the site,
 * and a newline in a Location header fails the response. So the rules are strict: one
 * leading `/`, then no `/` or `\` right after it, no backslash anywhere, no control or
 * white-space character (C0, DEL, C1, Unicode spaces and line separators) — checked on the
 * value and again on it percent-decoded once, so an encoded variant does not slip by.
 */
export function localRedirectPath(target: string | null | undefined): string | undefined {
  if (typeof target !== "string" || !_isLocalPath(target)) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(target);
  } catch {
    return undefined;
  }
  return _isLocalPath(decoded) ? target : undefined;
}

/** Longest target kept; a real page path is far shorter. */
const MAX_TARGET = 2048;
// C0, DEL, C1, every white space (Unicode spaces, U+2028/U+2029, BOM) and bidi controls.
// deno-lint-ignore no-control-regex -- refusing control characters is the point
const UNSAFE_CHARACTER = /[\u0000-\u001f\u007f-\u009f\s\u200b-\u200f\u202a-\u202e\u2066-\u2069]/u;

function _isLocalPath(path: string): boolean {
  return path.length > 0 && path.length <= MAX_TARGET && path[0] === "/" &&
    path[1] !== "/" && !path.includes("\\") && !UNSAFE_CHARACTER.test(path);
}
