/**
 * The name a recording's part is downloaded under: what it is, when it began and whose screen,
 * and which part — `recording-2026-12-06-1432UTC-carol-de-vries-part2.mkv`. The time is UTC and
 * says so: the server knows no one's time zone (modules/i18n's `formatMoment` writes UTC too),
 * and a name without its zone would be read as the reader's own. The file on disk keeps its
 * own name (the session id first); this one is only the label.
 */

/** The customer's name as a file name's part: letters and digits in lower case, accents
 * dropped, any run of other characters one `-`, at most 40 characters; "" when none is left. */
export function nameSlug(name: string): string {
  return name.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
}

/** The download name of part `part` (from 1) of a recording begun at `startedAt`. */
export function recordingFileName(
  part: { startedAt: Date; number: number; extension: string },
  customerName: string,
): string {
  const iso = part.startedAt.toISOString(); // 2026-12-06T14:32:…Z
  const when = `${iso.slice(0, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}UTC`;
  const slug = nameSlug(customerName);
  return `recording-${when}${slug ? `-${slug}` : ""}-part${part.number}.${part.extension}`;
}
