/**
 * `/admin/external` (admins): the organisation's approved external technicians. Plain forms:
 * a change redirects back with what was done; refused input shows the page again (422)
 * with the fields' messages and what was typed; a duplicate e-mail is a 409.
 */
import { type Context, Hono } from "hono";
import { type AppEnv, type AuthedEnv, changeContext, readForm, requireRole } from "../http/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import {
  type ApprovedProblems,
  findApproved,
  listApproved,
  parseApproved,
  removeApproved,
  saveApproved,
} from "./approved.ts";
import { type ApprovedDraft, ApprovedPage } from "./admin_views.tsx";

type C = Context<AuthedEnv>;
const DONE = ["added", "saved", "removed"] as const;

export const externalAdminRoutes = new Hono<AppEnv>()
  .use("*", requireRole("master_admin", "admin"))
  .get("/", async (c) => {
    const db = c.get("deps").db;
    const user = c.get("user");
    const editId = c.req.query("edit");
    const editing = editId ? await findApproved(db, user.orgId, editId) : undefined;
    if (editId && !editing) throw new Refusal(404, "external.errors.notFound");
    const done = DONE.find((d) => d === c.req.query("done"));
    return c.html(
      <ApprovedPage
        c={c}
        rows={await listApproved(db, user.orgId)}
        editing={editing}
        done={done && c.get("t")(`external.admin.${done}`)}
      />,
    );
  })
  .post("/", async (c) => await _save(c))
  .post("/:id", async (c) => await _save(c, c.req.param("id")))
  .post("/:id/delete", async (c) => {
    await removeApproved(c.get("deps").db, c.req.param("id"), changeContext(c));
    return c.redirect("/admin/external?done=removed", 303);
  });

async function _save(c: C, id?: string) {
  const db = c.get("deps").db;
  const user = c.get("user");
  const editing = id ? await findApproved(db, user.orgId, id) : undefined;
  if (id && !editing) throw new Refusal(404, "external.errors.notFound");
  const form = await readForm(c);
  const draft: ApprovedDraft = {
    name: form.name ?? "",
    email: form.email ?? "",
    organisation: form.organisation ?? "",
  };
  const page = async (status: 409 | 422, extra: { problems?: ApprovedProblems; error?: string }) =>
    c.html(
      <ApprovedPage
        c={c}
        rows={await listApproved(db, user.orgId)}
        editing={editing}
        draft={draft}
        {...extra}
      />,
      status,
    );
  const parsed = parseApproved(draft);
  if (!parsed.ok) return await page(422, { problems: parsed.problems });
  try {
    await saveApproved(db, parsed.value, changeContext(c), editing?.id);
  } catch (error) {
    if (!(error instanceof Refusal) || error.status !== 409) throw error;
    return await page(409, { error: c.get("t")(error.key) });
  }
  return c.redirect(`/admin/external?done=${editing ? "saved" : "added"}`, 303);
}
