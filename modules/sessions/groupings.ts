/**
 * Named groups of statuses that several places ask about, kept here beside the statuses so
 * the console, the services and the API cannot drift apart. The sets take any string, so a
 * status read from storage can be looked up as it is.
 */
import type { SessionStatus } from "./status.ts";

/**
 * The technician is working the session: chat, files, notes, inline edit (SPEC T1–T5) — a
 * collaborator too, within its session permissions (K3).
 */
export const WORKING_STATUSES: ReadonlySet<string> = new Set<SessionStatus>([
  "active",
  "on_hold",
  "reconnecting",
  "offline",
  "rebooting",
  "collaborating",
]);

/** A row with a session tab in the console (SPEC Q5): working, or collaborating. */
export const TAB_STATUSES: ReadonlySet<string> = new Set<SessionStatus>([
  ...(WORKING_STATUSES as ReadonlySet<SessionStatus>),
  "collaborating",
]);

/** What counts against a group's limit of concurrently active sessions; held ones don't (Q5). */
export const LIMITED_STATUSES: readonly SessionStatus[] = [
  "active",
  "collaborating",
  "reconnecting",
  "rebooting",
  "offline",
];

/**
 * An own row the customer closed, or that timed out, while it was worked: its console tab stays,
 * read-only, until the technician clears the row with End (SPEC Q8 "Closed → Removed (End)").
 * Not working: no permission, limit or monitoring check reads this set.
 */
export const ENDED_TAB_STATUSES: ReadonlySet<string> = new Set<SessionStatus>([
  "closed",
  "timed_out",
]);

/**
 * Whether an own row keeps its tab after it ended: ended (`ENDED_TAB_STATUSES`), and not while
 * Outgoing — that session was handed to a colleague, no longer this technician's to read; its
 * row stays only to be cleared with End.
 */
export function keepsEndedTab(entry: { status: string; previous: string | null }): boolean {
  return ENDED_TAB_STATUSES.has(entry.status) && entry.previous !== "outgoing";
}
