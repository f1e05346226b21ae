import { type Context, Hono } from "hono";
import { Refusal } from "../refusal/mod.ts";
import {
  type AppEnv,
  type AuthedEnv,
  changeContext,
  isHtmx,
  readForm,
  requireUser,
} from "../http/mod.ts";
import { can } from "../permissions/mod.ts";
import { isReplyKind, MAX_REPLIES, type ReplyKind, type ReplyProblem } from "./input.ts";
import {
  createReply,
  deleteReply,
  getReply,
  importReplies,
  isUuid,
  listReplies,
  moveReply,
  type Reply,
  updateReply,
} from "./service.ts";
import { exportRepliesXml, MAX_IMPORT_BYTES, parseRepliesXml } from "./xml.ts";
import { ReplyPicker } from "./picker_view.tsx";
import {
  importProblemText,
  RepliesPage,
  ReplyCount,
  type ReplyFormDraft,
  ReplySection,
  type SectionState,
} from "./views.tsx";

type C = Context<AuthedEnv>;
const KIB = MAX_IMPORT_BYTES / 1024;
type Done = "added" | "saved" | "deleted" | "moved";
const DONE: readonly Done[] = ["added", "saved", "deleted", "moved"];
const isDone = (value: string | undefined): value is Done => DONE.includes(value as Done);

/**
 * `/console/replies`: a technician manages their own predefined replies and URLs. Every
 * form posts normally (redirect after success, the page again at 4xx with what was
 * typed); with htmx the same endpoints answer with the list that changed.
 */
export const repliesRoutes = new Hono<AppEnv>()
  .use("*", requireUser())
  .get("/", async (c) => {
    c.header("Vary", "HX-Request");
    const items = await listReplies(c.get("deps").db, c.get("user").id);
    const editId = c.req.query("edit");
    const editing = editId === undefined ? undefined : items.find((r) => r.id === editId);
    if (editId !== undefined && !editing) throw new Refusal(404, "replies.notFound");
    const kind = editing?.kind ?? c.req.query("kind");
    if (isHtmx(c) && isReplyKind(kind)) {
      return c.html(<ReplySection c={c} kind={kind} items={items} state={{ editing: editId }} />);
    }
    return c.html(
      <RepliesPage c={c} items={items} state={{ editing: editId }} flash={doneFlash(c)} />,
    );
  })
  .post("/", async (c) => {
    const form = await readForm(c);
    if (!isReplyKind(form.kind)) throw new Refusal(400, "errors.badForm");
    const draft = draftOf(form, form.kind);
    try {
      const result = await createReply(c.get("deps").db, form.kind, draft, changeContext(c));
      if (!result.ok) return await refused(c, draft, result.problems, 422);
    } catch (error) {
      if (!(error instanceof Refusal) || error.status !== 409) throw error;
      return await refused(c, draft, [{ field: "form", code: "limitReached" }], 409);
    }
    return await done(c, form.kind, "added");
  })
  .get("/export", async (c) => {
    const items = await listReplies(c.get("deps").db, c.get("user").id);
    return c.body(exportRepliesXml(items), 200, {
      "content-type": "application/xml; charset=utf-8",
      "content-disposition": 'attachment; filename="replies.xml"',
      "cache-control": "no-store",
    });
  })
  .post("/import", async (c) => {
    let body: Record<string, unknown>;
    try {
      body = await c.req.parseBody();
    } catch {
      throw new Refusal(400, "errors.badForm");
    }
    const mode = body.mode;
    if (mode !== "add" && mode !== "replace") throw new Refusal(400, "errors.badForm");
    const t = c.get("t");
    const file = body.file;
    if (!(file instanceof File) || (file.size === 0 && file.name === "")) {
      const message = t("replies.importProblem.noFile");
      return await importRefused(c, `${message} ${t("replies.importProblem.nothingImported")}`);
    }
    const parsed = file.size > MAX_IMPORT_BYTES
      ? { ok: false as const, problem: { code: "tooLarge" as const, params: { max: KIB } } }
      : parseRepliesXml(new Uint8Array(await file.arrayBuffer()));
    if (!parsed.ok) return await importRefused(c, importProblemText(t, parsed.problem));
    const result = await importReplies(c.get("deps").db, parsed.items, mode, changeContext(c));
    if (!result.ok) {
      const message = t("replies.importProblem.wouldExceed", {
        count: result.existing,
        n: parsed.items.length,
        max: MAX_REPLIES,
      });
      return await importRefused(c, `${message} ${t("replies.importProblem.nothingImported")}`);
    }
    return c.redirect(
      `/console/replies?imported=${result.added}&removed=${result.removed}`,
      303,
    );
  })
  .get("/picker", async (c) => {
    const sessionId = c.req.query("session") ?? "";
    if (!isUuid(sessionId)) throw new Refusal(400, "replies.badSession");
    const user = c.get("user");
    const items = await listReplies(c.get("deps").db, user.id);
    return c.html(
      <ReplyPicker c={c} sessionId={sessionId} items={items} canPush={can(user, "pushUrls")} />,
    );
  })
  .post("/:id", async (c) => {
    const { db } = c.get("deps");
    const before = await getReply(db, c.get("user").id, c.req.param("id"));
    if (!before) throw new Refusal(404, "replies.notFound");
    const draft = { ...draftOf(await readForm(c), before.kind), id: before.id };
    const result = await updateReply(db, before.id, draft, changeContext(c));
    if (!result.ok) return await refused(c, draft, result.problems, 422);
    return await done(c, before.kind, "saved");
  })
  .post("/:id/delete", async (c) => {
    const reply = await deleteReply(c.get("deps").db, c.req.param("id"), changeContext(c));
    return await done(c, reply.kind, "deleted");
  })
  .post("/:id/move", async (c) => {
    const { direction } = await readForm(c);
    if (direction !== "up" && direction !== "down") throw new Refusal(400, "errors.badForm");
    const reply = await moveReply(c.get("deps").db, c.req.param("id"), direction, changeContext(c));
    return await done(c, reply.kind, "moved");
  });

function draftOf(form: Record<string, string>, kind: ReplyKind): ReplyFormDraft {
  return { kind, title: form.title ?? "", body: form.body ?? "" };
}

/** After a change: the list again for htmx, else back to the page (PRG) with a message. */
async function done(c: C, kind: ReplyKind, what: Done) {
  if (!isHtmx(c)) return c.redirect(`/console/replies?done=${what}#replies-${kind}`, 303);
  const notice = c.get("t")(`replies.${what}`);
  return await renderSection(c, kind, { notice });
}

/**
 * A refused add or edit shows the form again with what was typed. A full page carries
 * the 4xx status; for htmx it is a 200, because htmx does not swap error responses and
 * the technician needs to see the messages in place.
 */
async function refused(
  c: C,
  draft: ReplyFormDraft,
  problems: readonly ReplyProblem[],
  status: 409 | 422,
) {
  const state: SectionState = { draft, problems, editing: draft.id };
  if (isHtmx(c)) return await renderSection(c, draft.kind, state);
  const items = await listReplies(c.get("deps").db, c.get("user").id);
  return c.html(<RepliesPage c={c} items={items} state={state} />, status);
}

async function renderSection(c: C, kind: ReplyKind, state: SectionState) {
  const items = await listReplies(c.get("deps").db, c.get("user").id);
  return c.html(
    <>
      <ReplySection c={c} kind={kind} items={items} state={state} />
      <ReplyCount c={c} count={items.length} oob />
    </>,
  );
}

/** The import form is a plain multipart post; a refusal shows the page at 422. */
async function importRefused(c: C, message: string) {
  const items: Reply[] = await listReplies(c.get("deps").db, c.get("user").id);
  return c.html(<RepliesPage c={c} items={items} state={{}} importProblem={message} />, 422);
}

/** The message for `?done=…` or `?imported=…` after a redirect. */
function doneFlash(c: C) {
  const t = c.get("t");
  const what = c.req.query("done");
  if (isDone(what)) {
    return { kind: "info" as const, message: t(`replies.${what}`) };
  }
  const added = Number(c.req.query("imported"));
  if (!Number.isInteger(added) || added < 0 || c.req.query("imported") === undefined) return;
  const removed = Number(c.req.query("removed") ?? 0);
  return {
    kind: "info" as const,
    message: t("replies.imported", { added, removed: Number.isInteger(removed) ? removed : 0 }),
  };
}
