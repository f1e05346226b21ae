/**
 * `/admin/surveys` (SPEC T4): admins list the groups and channels they manage with their
 * customer survey, and edit one — switched on or off, our own ordered questions or an
 * external address. A group or channel the admin does not manage is "not found".
 */
import { type Context, Hono } from "hono";
import { listManagedChannels } from "../channels/mod.ts";
import { type AppEnv, type AuthedEnv, changeContext, readForm, requireRole } from "../http/mod.ts";
import { listGroups, managedGroupIds } from "../org/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { draftFromForm, type SurveyDraft } from "./questions.ts";
import { listForms, loadForm, managedOwnerName, saveForm, type SurveyOwner } from "./service.ts";
import { editPath, type OwnerRow, SurveyEditPage, SurveyListPage } from "./views.tsx";

type C = Context<AuthedEnv>;

export const surveyAdminRoutes = new Hono<AppEnv>()
  .use("*", requireRole("master_admin", "admin"))
  .get("/", async (c) => {
    const { db } = c.get("deps");
    const user = c.get("user");
    const [groups, managed, channels, forms] = await Promise.all([
      listGroups(db, user.orgId),
      managedGroupIds(db, user),
      listManagedChannels(db, user),
      listForms(db, user.orgId),
    ]);
    const formOf = (owner: SurveyOwner) =>
      forms.find((f) => (owner.kind === "group" ? f.groupId : f.channelId) === owner.id);
    const rows: OwnerRow[] = [
      ...groups.filter((g) => managed.has(g.id)).map((g) => ({
        owner: { kind: "group" as const, id: g.id },
        name: g.name,
      })),
      ...channels.map((ch) => ({ owner: { kind: "channel" as const, id: ch.id }, name: ch.name })),
    ].map((row) => ({ ...row, form: formOf(row.owner) }));
    return c.html(<SurveyListPage c={c} rows={rows} />);
  })
  .get("/:kind/:id", async (c) => {
    const owner = ownerOf(c);
    const name = await managedOwnerName(c.get("deps").db, c.get("user"), owner);
    const form = await loadForm(c.get("deps").db, c.get("user").orgId, owner);
    const draft: SurveyDraft = form
      ? { enabled: form.enabled, externalUrl: form.externalUrl, questions: form.questions }
      : { enabled: false, externalUrl: "", questions: [] };
    return c.html(
      <SurveyEditPage
        c={c}
        owner={owner}
        name={name}
        draft={draft}
        saved={c.req.query("saved") === "1"}
      />,
    );
  })
  .post("/:kind/:id", async (c) => {
    const owner = ownerOf(c);
    const { db } = c.get("deps");
    const name = await managedOwnerName(db, c.get("user"), owner);
    const { draft, problems } = draftFromForm(await readForm(c));
    if (problems.length > 0) {
      return c.html(
        <SurveyEditPage c={c} owner={owner} name={name} draft={draft} problems={problems} />,
        422,
      );
    }
    await saveForm(db, changeContext(c), owner, draft);
    return c.redirect(`${editPath(owner)}?saved=1`, 303);
  });

function ownerOf(c: C): SurveyOwner {
  const kind = c.req.param("kind");
  if (kind !== "group" && kind !== "channel") throw new Refusal(404, "surveys.notFound");
  return { kind, id: c.req.param("id") ?? "" };
}
