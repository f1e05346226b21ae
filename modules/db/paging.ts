/**
 * A page request made safe for SQL: the page size between 1 and 200 (50 by default), the
 * page between 1 and the last page of `total` rows. Anything else — negative, fractional,
 * not a number, past the end (`?page=99999999999999999999`) — lands on the nearest valid
 * page instead of an OFFSET the database refuses.
 */
export function clampPage(
  query: { page?: number; pageSize?: number },
  total: number,
): { page: number; pageSize: number } {
  const whole = (n: number | undefined, fallback: number) =>
    n !== undefined && Number.isFinite(n) ? Math.trunc(n) : fallback;
  const pageSize = Math.min(Math.max(whole(query.pageSize, 50), 1), 200);
  const last = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(whole(query.page, 1), 1), last);
  return { page, pageSize };
}
