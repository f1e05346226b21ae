/**
 * The terms of an unattended-access request (SPEC C8): what the technician asks for, checked,
 * and resolved into the access window the customer approves and the grant keeps. Pure: the
 * clock is a parameter. Local dates and times are read in the chosen IANA zone with Temporal,
 * so a window across a daylight-saving change keeps its wall-clock times (a range's days start
 * at local midnight, "3 days" is three calendar days there).
 *
 * With the customer's own credentials the window may last two weeks at most and must end.
 */
import { base64url } from "../tokens/mod.ts";
import { fromBase64url } from "../../protocol/mod.ts";
import { isTimeZone } from "./window.ts";
import {
  AUTH_MODES,
  type AuthMode,
  type ResolvedTerms,
  WINDOW_KINDS,
  type WindowKind,
} from "../../protocol/unattended_request.ts";

export const MAX_CREDENTIAL_DAYS = 14;
export const MAX_DAYS = 3650;

/** What the technician asked for, before the window is fixed. */
export interface RequestedTerms {
  authMode: AuthMode;
  kind: WindowKind;
  /** `days`, and `daily` for how long the daily window holds (null: no end). */
  days: number | null;
  /** `range` (and optionally `daily`): local dates, the end date included. */
  from: string | null;
  until: string | null;
  /** `daily`: local clock times, minutes after midnight; weekdays 0 (Sunday) – 6. */
  dailyStart: number | null;
  dailyEnd: number | null;
  weekdays: number[];
  timeZone: string;
  zoneOf: "technician" | "customer";
}

/** A reason key under `unattendedRequest.bad.*` (every one a clear refusal). */
export type TermsProblem =
  | "authMode"
  | "kind"
  | "days"
  | "dates"
  | "pastRange"
  | "dailyTimes"
  | "weekdays"
  | "zone"
  | "tooLong"
  | "noEnd";

export type TermsResult =
  | { ok: true; terms: RequestedTerms }
  | { ok: false; problem: TermsProblem };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Reads the dialog's form: every field checked, nothing guessed. */
export function parseTerms(
  form: Record<string, string | string[] | undefined>,
  zones: { technician: string | null; customer: string | null },
): TermsResult {
  const one = (key: string) => {
    const value = form[key];
    return (Array.isArray(value) ? value[0] : value)?.trim() ?? "";
  };
  const authMode = one("authMode");
  if (!(AUTH_MODES as readonly string[]).includes(authMode)) return _no("authMode");
  const kind = one("kind");
  if (!(WINDOW_KINDS as readonly string[]).includes(kind)) return _no("kind");
  const zoneOf = one("zoneOf") === "customer" ? "customer" : "technician";
  const timeZone = zoneOf === "customer" ? zones.customer : zones.technician;
  if (!timeZone || !isTimeZone(timeZone)) return _no("zone");
  const terms: RequestedTerms = {
    authMode: authMode as AuthMode,
    kind: kind as WindowKind,
    days: null,
    from: null,
    until: null,
    dailyStart: null,
    dailyEnd: null,
    weekdays: [],
    timeZone,
    zoneOf,
  };
  if (kind === "days" || (kind === "daily" && one("days") !== "")) {
    const days = Number(one("days"));
    if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) return _no("days");
    terms.days = days;
  }
  if (kind === "range") {
    const from = one("from"), until = one("until");
    if (!_date(from) || !_date(until) || until < from) return _no("dates");
    terms.from = from;
    terms.until = until;
  }
  if (kind === "daily") {
    const start = _clock(one("start")), end = _clock(one("end"));
    // An end before the start runs past midnight; equal would be an empty (or endless) day.
    if (start === null || end === null || end === start) return _no("dailyTimes");
    // One checkbox per weekday (`wd0` Sunday … `wd6`), as a plain form sends them.
    const list = [0, 1, 2, 3, 4, 5, 6].filter((d) => one(`wd${d}`) !== "");
    if (list.length === 0 || list.some((d) => !Number.isInteger(d) || d < 0 || d > 6)) {
      return _no("weekdays");
    }
    terms.dailyStart = start;
    terms.dailyEnd = end;
    terms.weekdays = [...new Set(list)].sort();
  }
  return { ok: true, terms };
}

/**
 * Fixes the window at `now` (the request, and again at the approval): from now for N days,
 * the range's local days, or no end. Refuses a range that is over and, with the customer's
 * credentials, anything without an end or longer than two weeks.
 */
export function resolveTerms(
  terms: RequestedTerms,
  now: Date,
): { ok: true; resolved: ResolvedTerms } | { ok: false; problem: TermsProblem } {
  const zone = terms.timeZone;
  const start = Temporal.Instant.fromEpochMilliseconds(now.getTime()).toZonedDateTimeISO(zone);
  let fromAt = start;
  let untilAt: Temporal.ZonedDateTime | null = null;
  if (terms.days !== null) untilAt = start.add({ days: terms.days });
  if (terms.kind === "range" && terms.from && terms.until) {
    fromAt = Temporal.PlainDate.from(terms.from).toZonedDateTime(zone);
    untilAt = Temporal.PlainDate.from(terms.until).add({ days: 1 }).toZonedDateTime(zone);
    if (Temporal.ZonedDateTime.compare(untilAt, start) <= 0) return _no("pastRange");
  }
  if (terms.authMode === "customer_credentials") {
    if (untilAt === null) return _no("noEnd");
    // Two weeks from the window's start (now, or a range's first day).
    const latest = (Temporal.ZonedDateTime.compare(fromAt, start) > 0 ? fromAt : start)
      .add({ days: MAX_CREDENTIAL_DAYS });
    if (Temporal.ZonedDateTime.compare(untilAt, latest) > 0) return _no("tooLong");
  }
  return {
    ok: true,
    resolved: {
      authMode: terms.authMode,
      kind: terms.kind,
      fromAt: _iso(fromAt),
      untilAt: untilAt ? _iso(untilAt) : null,
      dailyStart: terms.dailyStart,
      dailyEnd: terms.dailyEnd,
      weekdays: terms.weekdays,
      timeZone: zone,
      zoneOf: terms.zoneOf,
    },
  };
}

/** The terms as one canonical string (fixed key order), what the digest is taken over. */
export function canonicalTerms(resolved: ResolvedTerms): string {
  return JSON.stringify([
    resolved.authMode,
    resolved.kind,
    resolved.fromAt,
    resolved.untilAt,
    resolved.dailyStart,
    resolved.dailyEnd,
    resolved.weekdays,
    resolved.timeZone,
    resolved.zoneOf,
  ]);
}

/** SHA-256 (base64url) of the request id and the canonical terms. */
export async function termsDigest(requestId: string, resolved: ResolvedTerms): Promise<string> {
  const bytes = new TextEncoder().encode(`${requestId}\n${canonicalTerms(resolved)}`);
  return base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
}

export { fromBase64url };

/** "09:30" → 570, else null. */
function _clock(text: string): number | null {
  const match = CLOCK.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

function _date(text: string): boolean {
  if (!DATE.test(text)) return false;
  try {
    return Temporal.PlainDate.from(text, { overflow: "reject" }).toString() === text;
  } catch {
    return false;
  }
}

function _iso(at: Temporal.ZonedDateTime): string {
  return at.toInstant().toString({ smallestUnit: "second" });
}

function _no(problem: TermsProblem): { ok: false; problem: TermsProblem } {
  return { ok: false, problem };
}
