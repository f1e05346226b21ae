/**
 * A session's whole log as CSV for an admin (SPEC S1 "chat logs"): every line with its time in
 * the reader's time zone, who wrote it and what — chat verbatim, events and status changes in
 * the reader's language. Only a session of the reader's scope; any other is a 404.
 */
import type { Database } from "../db/mod.ts";
import { isTranslationKey, type TranslationKey, type Translator } from "../i18n/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { isTechniciansOnly, loadSession, readLog } from "../support/mod.ts";
import { type CsvCell, toCsv } from "./csv.ts";
import type { ReportScope } from "./service.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The local time of `at` in `tz`, as `YYYY-MM-DD HH:MM:SS`. */
function _localTime(at: Date, tz: string): string {
  return new Intl.DateTimeFormat("sv-SE", {
    timeZone: tz,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).format(at);
}

export async function chatLogCsv(
  db: Database,
  options: { scope: ReportScope; sessionId: string; t: Translator; tz: string },
): Promise<{ number: number; csv: string }> {
  const { scope, t, tz } = options;
  if (!UUID.test(options.sessionId)) throw new Refusal(404, "sessions.notFound");
  const session = await loadSession(db, options.sessionId);
  const inScope = session.orgId === scope.orgId &&
    (scope.groupIds === "all" || (session.groupId !== null &&
      scope.groupIds.includes(session.groupId)));
  if (!inScope) throw new Refusal(404, "sessions.notFound");
  const lines = await readLog(db, session.id);
  const rows: CsvCell[][] = lines.map((line) => [
    _localTime(line.at, tz),
    t(`reports.log.authors.${line.author}`),
    line.authorName,
    t(`reports.log.kinds.${line.kind}`),
    line.kind !== "chat" && isTranslationKey(line.body)
      ? t(line.body, line.data)
      // The technicians' private chat (modules/collaboration) says so in the admin's export.
      : isTechniciansOnly(line)
      ? `${t("collaboration.techniciansOnly")}: ${line.body}`
      : line.body,
  ]);
  const header = ["time", "author", "name", "kind", "text"].map((k) =>
    t(`reports.log.columns.${k}` as TranslationKey)
  );
  return { number: session.number, csv: toCsv(header, rows) };
}
