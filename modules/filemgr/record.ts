/**
 * Every file-manager operation in the session log and the audit log, in one transaction
 * (`logSessionEvent` with its audit entry): what, where, how many bytes, which SHA-256.
 * Looking into a folder is logged once per folder per 10 minutes, so browsing does not
 * drown the log.
 */
import type { AppDeps } from "../http/mod.ts";
import type { AuditAction } from "../audit/mod.ts";
import {
  auditActor,
  logSessionEvent,
  type SessionActor,
  type SupportSession,
} from "../support/mod.ts";
import type { ServerTransfer } from "./hub.ts";

/** A technician, or an external technician (no user id: named in the audit entry's details). */
export type Actor = SessionActor;

type Data = Record<string, string | number | boolean | null>;

/** Bytes in words a person reads in a log line ("1.5 MiB"). */
export function sizeText(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) (value /= 1024, unit++);
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** At most this many characters of a path list in a log line. */
const LIST_CHARS = 500;

export function listText(paths: readonly string[]): string {
  const text = paths.join(", ");
  return text.length <= LIST_CHARS ? text : `${text.slice(0, LIST_CHARS)}…`;
}

export async function recordFiles(
  deps: AppDeps,
  session: SupportSession,
  actor: Actor,
  what: { key: string; action: AuditAction; data: Data; details: Record<string, unknown> },
) {
  await logSessionEvent(
    deps,
    session,
    what.key,
    { name: actor.name, ...what.data },
    { author: "technician", userId: actor.userId, name: actor.name },
    { action: what.action, ...auditActor(actor, what.details) },
  );
}

const listedAt = new WeakMap<AppDeps, Map<string, number>>();
const LISTED_MS = 10 * 60_000;

export async function recordListed(
  deps: AppDeps,
  session: SupportSession,
  actor: Actor,
  path: string,
) {
  let seen = listedAt.get(deps);
  if (!seen) listedAt.set(deps, seen = new Map());
  const key = `${session.id}\n${path}`;
  const now = Date.now();
  if (now - (seen.get(key) ?? 0) < LISTED_MS) return;
  seen.set(key, now);
  if (seen.size > 10_000) {
    for (const [k, at] of seen) if (now - at >= LISTED_MS) seen.delete(k);
  }
  await recordFiles(deps, session, actor, {
    key: "log.files.listed",
    action: "session.files_read",
    data: { path },
    details: { op: "list", path },
  });
}

/** A transfer that ended (done, failed, cancelled): one line and one audit entry. */
export async function recordTransfer(deps: AppDeps, session: SupportSession, t: ServerTransfer) {
  if (t.logged) return;
  t.logged = true;
  const details = {
    op: t.direction,
    mode: t.mode,
    path: t.path,
    names: t.names.slice(0, 100),
    bytes: t.bytes,
    sha256: t.sha256,
    entries: t.entries,
    failures: t.failures.length,
    state: t.state,
  };
  if (t.state !== "done") {
    await recordFiles(deps, session, t.by, {
      key: "log.files.stopped",
      action: t.direction === "download" ? "session.files_downloaded" : "session.files_uploaded",
      // The code's words in the reader's language where it is one of ours (the console's log).
      data: {
        path: t.path,
        reason: t.error?.reason ?? t.state,
        reasonKey: `filemgr.errors.${t.error?.code ?? t.state}`,
      },
      details: { ...details, error: t.error?.code ?? t.state },
    });
    return;
  }
  const bundle = t.mode === "bundle";
  const key = t.direction === "download"
    ? (bundle ? "log.files.downloadedBundle" : "log.files.downloaded")
    : (bundle ? "log.files.uploadedBundle" : "log.files.uploaded");
  await recordFiles(deps, session, t.by, {
    key,
    action: t.direction === "download" ? "session.files_downloaded" : "session.files_uploaded",
    data: {
      path: t.path,
      names: listText(t.names),
      size: sizeText(t.bytes),
      sha256: t.sha256 ?? "",
    },
    details,
  });
}
