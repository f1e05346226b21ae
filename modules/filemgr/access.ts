/**
 * What every file-manager route checks, in order, answering in JSON (docs/files_api.md): a
 * signed-in technician or, under `/x`, an external technician (401), the `fileManager`
 * permission (403), a session they work — a guest only its own (404),
 * the customer's `files` consent (409 `not_granted` — the agent refuses too without it).
 * Also the one mapping from a failure code to its HTTP status and words.
 */
import type { Context } from "hono";
import type { AppEnv } from "../http/mod.ts";
import { can } from "../permissions/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { type SessionActor, sessionForCaller, type SupportSession } from "../support/mod.ts";
import { toolConsent } from "../remote/mod.ts";
import { isTranslationKey } from "../i18n/mod.ts";

/** A refusal with a code, answered as `{ error, reason, … }`. */
export class FileRefusal extends Error {
  constructor(
    readonly code: string,
    readonly detail: string = "",
    readonly extra: Record<string, unknown> = {},
  ) {
    super(code);
  }
}

const STATUS: Record<string, number> = {
  invalid: 400,
  offset: 400,
  signed_out: 401,
  permission: 403,
  no_session: 404,
  no_transfer: 404,
  not_found: 404,
  exists: 409,
  changed: 409,
  busy: 409,
  not_granted: 409,
  incomplete: 409,
  agent_absent: 503,
  agent_gone: 503,
  leg_broken: 503,
  leg_refused: 503,
  timeout: 504,
  cancelled: 409,
};

export function statusOf(code: string): number {
  return STATUS[code] ?? 422;
}

/** The JSON answer for a refusal, in the technician's language. */
export function refusalBody(c: Context<AppEnv>, error: FileRefusal) {
  const key = `filemgr.errors.${error.code}`;
  const t = c.get("t");
  const reason = isTranslationKey(key) ? t(key) : t("filemgr.errors.failed");
  return { error: error.code, reason, detail: error.detail, ...error.extra };
}

export interface FileCaller {
  session: SupportSession;
  /** Who acts (a technician, or an external technician on the routes under `/x`). */
  actor: SessionActor;
}

/**
 * The checks above short of the customer's consent (the file manager's own stream, which
 * says what the consent is): a caller who may use the file manager on this session.
 */
export async function fileWorker(c: Context<AppEnv>): Promise<FileCaller> {
  const user = c.get("user");
  const guest = c.get("guest");
  if (!user && !guest) throw new FileRefusal("signed_out");
  // The permission first: without it the answer is the same whether the session exists.
  if (!can(guest ?? user, "fileManager")) throw new FileRefusal("permission");
  let session: SupportSession;
  let actor: SessionActor;
  try {
    let granted;
    ({ session, granted, actor } = await sessionForCaller(
      c.get("deps"),
      { user, guest },
      c.req.param("id") ?? "",
    ));
    // A collaborator's or a guest's session permission set narrows its group's.
    if (!can(granted, "fileManager")) throw new FileRefusal("permission");
  } catch (error) {
    if (error instanceof Refusal) throw new FileRefusal("no_session", error.message);
    throw error;
  }
  return { session, actor };
}

/**
 * The checks above, for a technician or a guest alike (support's `sessionForCaller`); throws
 * `FileRefusal`.
 */
export async function fileCaller(c: Context<AppEnv>): Promise<FileCaller> {
  const { session, actor } = await fileWorker(c);
  const consent = toolConsent(c.get("deps"), session);
  if (!consent.state.present) throw new FileRefusal("agent_absent");
  if (!consent.allows("files")) throw new FileRefusal("not_granted");
  return { session, actor };
}
