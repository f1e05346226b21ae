/**
 * The shapes of /api/v1/sessions: a session as one caller sees it (its visible queue rows,
 * each with that technician's status), the creation request and answer, and chat lines.
 * Dates are ISO 8601 strings; log events carry an i18n key and values, not English text.
 */
import { z } from "@hono/zod-openapi";
import type { LogLine, QueueRow, SupportSession } from "../support/mod.ts";
import { isSessionStatus, SESSION_STATUSES } from "../sessions/mod.ts";

export const Status = z.enum(SESSION_STATUSES).openapi("SessionStatus");

export const SessionEntry = z.object({
  id: z.uuid(),
  status: Status,
  visibility: z.enum(["own", "group", "channel", "monitored"]).openapi({
    description: "Why the caller sees this row: its own, its group's, a channel it serves, " +
      "or a technician it monitors",
  }),
  technicianId: z.uuid().nullable(),
  technicianName: z.string().nullable(),
  since: z.iso.datetime(),
  note: z.string().openapi({ description: "The transfer note, if any" }),
  fromTechnicianId: z.uuid().nullable(),
}).openapi("SessionEntry");

export const Session = z.object({
  id: z.uuid(),
  number: z.number().int(),
  customerName: z.string(),
  kind: z.enum(["private", "channel"]),
  method: z.enum(["pin", "link", "email", "sms", "channel", "unattended", "lan"]),
  channel: z.string().nullable().openapi({ description: "The channel's name" }),
  createdAt: z.iso.datetime(),
  endedAt: z.iso.datetime().nullable(),
  customerState: z.enum(["pending", "connected", "lost", "left"]),
  entries: z.array(SessionEntry).openapi({
    description: "The queue rows the caller sees now; empty once it has ended its part",
  }),
}).openapi("Session");

export const SessionCreate = z.object({
  method: z.enum(["pin", "link"]),
  customerName: z.string().trim().min(1).max(100),
  fields: z.record(z.string().min(1).max(100), z.string().max(500)).optional()
    .refine((f) => Object.keys(f ?? {}).length <= 50, "At most 50 fields")
    .openapi({ description: "Custom field values by name" }),
}).openapi("SessionCreate");

export const SessionCreated = z.object({
  id: z.uuid(),
  number: z.number().int(),
  pin: z.string().regex(/^\d{6}$/).nullable(),
  link: z.string(),
  pinExpiresAt: z.iso.datetime().nullable(),
  status: Status,
}).openapi("SessionCreated");

export const StatusQuery = z.object({
  status: Status.optional().openapi({
    description: "Only sessions with a row of yours in this status",
  }),
});

export const ChatQuery = z.object({
  after: z.coerce.number().int().min(0).optional().openapi({
    description:
      "Only lines after this place in the log (the `next` of the previous page). Places follow " +
      "the order lines were committed in, so paging on never skips a line that committed late",
  }),
  limit: z.coerce.number().int().min(1).max(500).optional().openapi({
    description: "At most this many lines (default 200)",
  }),
});

export const ChatLine = z.object({
  id: z.number().int(),
  seq: z.number().int().openapi({
    description: "The line's place in the log, in commit order: what `after` and `next` count",
  }),
  at: z.iso.datetime(),
  kind: z.enum(["chat", "status", "event", "file", "url"]),
  author: z.enum(["technician", "customer", "system"]),
  authorName: z.string(),
  text: z.string().nullable().openapi({
    description: "The message (chat), the address (url) or the file name (file)",
  }),
  key: z.string().nullable().openapi({
    description: "The i18n key of a status change or event, e.g. status.active",
  }),
  data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
}).openapi("ChatLine");

export const ChatPage = z.object({
  lines: z.array(ChatLine),
  next: z.number().int().openapi({ description: "Pass as `after` to read on" }),
}).openapi("ChatPage");

export const ChatPost = z.object({ text: z.string().min(1).max(4000) }).openapi("ChatPost");

/** The sender's key for one message: a request sent again with it is stored once. */
export const IdempotencyKey = z.object({
  "idempotency-key": z.string().regex(/^[A-Za-z0-9_-]{8,64}$/).optional().openapi({
    description: "8–64 letters, digits, - or _, new for each message: a request resent with " +
      "the same key (say after a dropped connection) is stored once and answers the same id",
  }),
});

export const SessionId = z.object({ id: z.uuid() });

/** The error responses every session route can give. */
export const json = <T extends z.ZodType>(schema: T) => ({
  content: { "application/json": { schema } },
});

/** A session with the rows the caller sees (`rows` all belong to `session`). */
export function sessionOut(session: SupportSession, rows: QueueRow[], channel: string | null) {
  return {
    id: session.id,
    number: session.number,
    customerName: session.customerName,
    kind: session.kind,
    method: session.method,
    channel,
    createdAt: session.createdAt.toISOString(),
    endedAt: session.endedAt?.toISOString() ?? null,
    customerState: session.customerState,
    entries: rows.map(({ entry, visibility, names }) => ({
      id: entry.id,
      status: isSessionStatus(entry.status) ? entry.status : "removed" as const,
      visibility,
      technicianId: entry.userId,
      technicianName: entry.userId ? names.get(entry.userId) ?? null : null,
      since: entry.statusSince.toISOString(),
      note: entry.note,
      fromTechnicianId: entry.fromUserId,
    })),
  };
}

/** Rows (oldest session first) → one session each, keeping that order. */
export function groupBySession(rows: QueueRow[]) {
  const bySession = new Map<string, QueueRow[]>();
  for (const row of rows) {
    const list = bySession.get(row.session.id) ?? [];
    list.push(row);
    bySession.set(row.session.id, list);
  }
  return [...bySession.values()].map((list) =>
    sessionOut(list[0].session, list, list[0].channelName)
  );
}

export function lineOut(line: LogLine) {
  const keyed = line.kind === "status" || line.kind === "event";
  return {
    id: line.id,
    seq: line.seq ?? line.id,
    at: line.at.toISOString(),
    kind: line.kind,
    author: line.author,
    authorName: line.authorName,
    text: keyed ? null : line.body,
    key: keyed ? line.body : null,
    data: line.data,
  };
}
