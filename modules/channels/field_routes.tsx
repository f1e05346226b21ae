import { type Context, Hono } from "hono";
import { Refusal } from "../refusal/mod.ts";
import { type AppEnv, type AuthedEnv, changeContext, readForm, requireRole } from "../http/mod.ts";
import {
  createField,
  getField,
  listFields,
  moveField,
  setFieldActive,
  updateField,
} from "./fields.ts";
import type { InputProblem } from "./input.ts";
import { listChannels } from "./service.ts";
import { type FieldDraft, FieldEditPage, FieldListPage } from "./field_views.tsx";

type C = Context<AuthedEnv>;

/** `/admin/fields`: admins add, rename, reorder and (de)activate their custom fields. */
export const fieldAdminRoutes = new Hono<AppEnv>()
  .use("*", requireRole("master_admin", "admin"))
  .get("/", async (c) => {
    const flash = c.req.query("saved") === "1"
      ? { kind: "info" as const, message: c.get("t")("common.saved") }
      : undefined;
    return await renderList(c, { draft: { label: "", maxLength: "200" }, problems: [], flash });
  })
  .post("/", async (c) => {
    const draft = draftOf(await readForm(c));
    try {
      const result = await createField(c.get("deps").db, draft, changeContext(c));
      if (!result.ok) return await renderList(c, { draft, problems: result.problems }, 422);
    } catch (error) {
      if (!(error instanceof Refusal) || error.status !== 409) throw error;
      const message = c.get("t")(error.key, error.params);
      return await renderList(c, { draft, problems: [], flash: { kind: "error", message } }, 409);
    }
    return c.redirect("/admin/fields?saved=1", 303);
  })
  .get("/:id", async (c) => {
    const field = await fieldOr404(c);
    const draft = { label: field.label, maxLength: String(field.maxLength) };
    return c.html(<FieldEditPage c={c} field={field} draft={draft} problems={[]} />);
  })
  .post("/:id", async (c) => {
    const field = await fieldOr404(c);
    const draft = draftOf(await readForm(c));
    const result = await updateField(c.get("deps").db, field.id, draft, changeContext(c));
    if (!result.ok) {
      return c.html(
        <FieldEditPage c={c} field={field} draft={draft} problems={result.problems} />,
        422,
      );
    }
    return c.redirect("/admin/fields?saved=1", 303);
  })
  .post("/:id/move", async (c) => {
    const field = await fieldOr404(c);
    const { direction } = await readForm(c);
    if (direction !== "up" && direction !== "down") throw new Refusal(400, "errors.badForm");
    await moveField(c.get("deps").db, field.id, direction, changeContext(c));
    return c.redirect("/admin/fields", 303);
  })
  .post("/:id/active", async (c) => {
    const field = await fieldOr404(c);
    const { active } = await readForm(c);
    if (active !== "0" && active !== "1") throw new Refusal(400, "errors.badForm");
    await setFieldActive(c.get("deps").db, field.id, active === "1", changeContext(c));
    return c.redirect("/admin/fields?saved=1", 303);
  });

function draftOf(form: Record<string, string>): FieldDraft {
  return { label: form.label ?? "", maxLength: form.maxLength ?? "" };
}

async function fieldOr404(c: C) {
  const field = await getField(c.get("deps").db, c.get("user").orgId, c.req.param("id")!);
  if (!field) throw new Refusal(404, "fields.notFound");
  return field;
}

async function renderList(
  c: C,
  props: {
    draft: FieldDraft;
    problems: InputProblem[];
    flash?: { kind: "error" | "info"; message: string };
  },
  status: 200 | 409 | 422 = 200,
) {
  const { db } = c.get("deps");
  const orgId = c.get("user").orgId;
  const [fields, channels] = await Promise.all([listFields(db, orgId), listChannels(db, orgId)]);
  const usage = new Map<string, number>();
  for (const channel of channels) {
    for (const { fieldId } of channel.fields) usage.set(fieldId, (usage.get(fieldId) ?? 0) + 1);
  }
  return c.html(<FieldListPage c={c} fields={fields} usage={usage} {...props} />, status);
}
