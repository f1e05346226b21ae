import { Hono } from "hono";
import type { Context } from "hono";
import { eq, inArray } from "drizzle-orm";
import { recordChange } from "../audit/mod.ts";
import { type ExternalSignIn, getOrganisation, users } from "../auth/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import {
  type AppEnv,
  type AuthedEnv,
  changeContext,
  clientAddress,
  readForm,
  requireRole,
  requireUser,
} from "../http/mod.ts";
import {
  adminsOf,
  createGroup,
  deleteGroup,
  listGroups,
  managedGroup,
  managedGroupIds,
  setGroupAdmins,
  setGroupPermissions,
  setGroupSettings,
  updateGroup,
} from "./groups.ts";
import { groupBlockers } from "./group_deletion.ts";
import { accessChanged } from "./rights.ts";
import { groupMembers } from "./schema.ts";
import { emailTextIn, renderTemplate } from "./settings.ts";
import { chooseStatus } from "./status.ts";
import { acceptInvitation, findInvitation } from "./technicians.ts";
import { peopleRoutes, type PresenceSource } from "./people_routes.tsx";
import {
  DeleteGroupPage,
  type GroupDraft,
  GroupPage,
  GroupsPage,
  PermissionsPage,
} from "./views_groups.tsx";
import { EmailPreview, SettingsPage } from "./views_settings.tsx";
import { InvitationPage } from "./views_people.tsx";
import { settingsErrors, settingsFromForm } from "./settings_form.ts";

type C = Context<AuthedEnv>;

/**
 * The e-mail as a customer would get it from a technician working in the admin's language:
 * {{organisation}} is the name the console sends, a default text is in that language.
 */
async function preview(c: C, values: Record<string, unknown>) {
  const text = emailTextIn(values, c.get("lang"));
  const org = await getOrganisation(c.get("deps").db, c.get("user").orgId);
  const sample = {
    customerName: "Alex Example",
    technicianName: c.get("user").name,
    link: `${c.get("deps").config.publicUrl}/s/EXAMPLE`,
    pin: "123456",
    organisation: org?.name ?? "",
  };
  return {
    subject: renderTemplate(text.emailSubject, sample),
    body: renderTemplate(text.emailTemplate, sample),
  };
}

/**
 * Groups, their permissions and settings, and the people in them (`/admin/...`); `external`
 * is single sign-on (the person page's password reset link asks it).
 */
export const orgAdminRoutes = (presenceOf: PresenceSource, external?: ExternalSignIn) =>
  new Hono<AppEnv>()
    .use("/groups/*", requireRole("master_admin", "admin"))
    .use("/groups", requireRole("master_admin", "admin"))
    .get("/", requireRole("master_admin", "admin"), (c) => c.redirect("/admin/groups", 303))
    .get("/groups", async (c) => c.html(await groupsPage(c)))
    .post("/groups", async (c) => {
      const form = await readForm(c);
      const draft = { name: form.name ?? "", parentId: form.parentId ?? "" };
      try {
        const group = await createGroup(c.get("deps").db, {
          name: draft.name,
          parentId: draft.parentId || null,
        }, changeContext(c));
        return c.redirect(`/admin/groups/${group.id}/permissions`, 303);
      } catch (error) {
        if (!(error instanceof Refusal) || error.status === 403) throw error;
        const message = c.get("t")(error.key, error.params);
        return c.html(await groupsPage(c, message, draft), error.status);
      }
    })
    .get("/groups/:id", async (c) => c.html(await groupPage(c)))
    .post("/groups/:id", async (c) => {
      const form = await readForm(c);
      const draft = {
        name: form.name ?? "",
        description: form.description ?? "",
        parentId: form.parentId ?? "",
      };
      try {
        await updateGroup(c.get("deps").db, c.req.param("id"), {
          ...draft,
          parentId: draft.parentId || null,
        }, changeContext(c));
      } catch (error) {
        if (!(error instanceof Refusal) || error.status === 404) throw error;
        const message = c.get("t")(error.key, error.params);
        return c.html(await groupPage(c, message, draft), error.status);
      }
      return c.redirect(`/admin/groups/${c.req.param("id")}?saved=1`, 303);
    })
    .post("/groups/:id/admins", async (c) => {
      const body = await c.req.parseBody({ all: true });
      const wanted = ([] as unknown[]).concat(body.admin ?? []).filter((v) =>
        typeof v === "string"
      );
      const { db } = c.get("deps");
      const admins = wanted.length === 0 ? [] : await db.select({ id: users.id }).from(users).where(
        inArray(users.id, wanted.filter((v) => /^[0-9a-f-]{36}$/.test(v as string)) as string[]),
      );
      const valid = admins.map((a) => a.id);
      await setGroupAdmins(db, c.req.param("id"), valid, changeContext(c));
      // Whom an admin monitors follows the groups it manages: open consoles look again.
      accessChanged(c);
      return c.redirect(`/admin/groups/${c.req.param("id")}?saved=1`, 303);
    })
    .get("/groups/:id/delete", async (c) => c.html(await deleteGroupPage(c)))
    .post("/groups/:id/delete", async (c) => {
      try {
        await deleteGroup(c.get("deps"), c.req.param("id"), changeContext(c));
      } catch (error) {
        if (!(error instanceof Refusal) || error.status !== 409) throw error;
        const message = c.get("t")(error.key, error.params);
        return c.html(await deleteGroupPage(c, message), 409);
      }
      return c.redirect("/admin/groups?deleted=1", 303);
    })
    .get("/groups/:id/permissions", async (c) => {
      const group = await managedGroup(c.get("deps").db, c.get("user"), c.req.param("id"));
      return c.html(<PermissionsPage c={c} group={group} />);
    })
    .post("/groups/:id/permissions", async (c) => {
      const body = await c.req.parseBody({ all: true });
      const chosen = ([] as unknown[]).concat(body.permission ?? []);
      await setGroupPermissions(c.get("deps").db, c.req.param("id"), chosen, changeContext(c));
      accessChanged(c);
      return c.redirect(`/admin/groups/${c.req.param("id")}/permissions?saved=1`, 303);
    })
    .get("/groups/:id/settings", async (c) => {
      const group = await managedGroup(c.get("deps").db, c.get("user"), c.req.param("id"));
      // The default e-mail text shows in the admin's language; saved unchanged, it stays the
      // default (the schema stores a default in any language as the English one).
      const values = {
        ...group.settings,
        ...emailTextIn(group.settings, c.get("lang")),
      } as Record<string, unknown>;
      return c.html(
        <SettingsPage c={c} group={group} values={values} preview={await preview(c, values)} />,
      );
    })
    .post("/groups/:id/settings", async (c) => {
      const { db } = c.get("deps");
      const group = await managedGroup(db, c.get("user"), c.req.param("id"));
      const raw = settingsFromForm(await c.req.parseBody({ all: true }));
      const result = await setGroupSettings(db, group.id, raw, changeContext(c));
      if (result.ok) return c.redirect(`/admin/groups/${group.id}/settings?saved=1`, 303);
      const errors = settingsErrors(c.get("t"), result.issues);
      return c.html(
        <SettingsPage
          c={c}
          group={group}
          values={raw}
          errors={errors}
          preview={await preview(c, raw)}
        />,
        422,
      );
    })
    .post("/groups/:id/settings/preview", async (c) => {
      await managedGroup(c.get("deps").db, c.get("user"), c.req.param("id"));
      const raw = settingsFromForm(await c.req.parseBody({ all: true }));
      return c.html(<EmailPreview c={c} preview={await preview(c, raw)} />);
    })
    .route("/technicians", peopleRoutes(presenceOf, external));

/** Public set-password links and the technician's own status switch. */
export const orgPublicRoutes = new Hono<AppEnv>()
  .get("/invite/:token", async (c) => {
    const { db, clock } = c.get("deps");
    const found = await findInvitation(db, c.req.param("token"), clock.now());
    if (!found) throw new Refusal(410, "org.invitationInvalid");
    return c.html(
      <InvitationPage
        c={c}
        token={c.req.param("token")}
        name={found.user.name}
        email={found.user.email}
      />,
    );
  })
  .post("/invite/:token", async (c) => {
    const form = await readForm(c);
    const { db, clock } = c.get("deps");
    const token = c.req.param("token");
    const found = await findInvitation(db, token, clock.now());
    if (!found) throw new Refusal(410, "org.invitationInvalid");
    const again = (error: string) =>
      c.html(
        <InvitationPage
          c={c}
          token={token}
          name={found.user.name}
          email={found.user.email}
          error={error}
        />,
        422,
      );
    if ((form.password ?? "") !== (form.confirm ?? "")) {
      return again(c.get("t")("account.passwordsDiffer"));
    }
    try {
      await acceptInvitation(db, {
        token,
        password: form.password ?? "",
        now: clock.now(),
        ip: clientAddress(c),
      });
    } catch (error) {
      if (!(error instanceof Refusal) || error.status !== 422) throw error;
      return again(c.get("t")(error.key, error.params));
    }
    // The sign-in page says the password is set and has the address filled in.
    const email = encodeURIComponent(found.user.email);
    return c.redirect(`/signin?passwordSet=1&email=${email}`, 303);
  })
  .post("/status", requireUser(), async (c) => {
    const form = await readForm(c);
    if (form.status !== "online" && form.status !== "away") {
      throw new Refusal(400, "org.statusInvalid");
    }
    const user = c.get("user");
    const { db, clock } = c.get("deps");
    await chooseStatus(db, user.id, form.status, clock.now());
    await recordChange(db, changeContext(c), "technician.status_changed", user.id, {
      after: { status: form.status },
    });
    return c.redirect("/console", 303);
  });

async function groupsPage(c: C, error?: string, draft?: GroupDraft) {
  const { db } = c.get("deps");
  const managed = await managedGroupIds(db, c.get("user"));
  const groups = (await listGroups(db, c.get("user").orgId)).filter((g) => managed.has(g.id));
  const members = groups.length === 0
    ? []
    : await db.select().from(groupMembers).where(inArray(groupMembers.groupId, [...managed]));
  const counts = new Map<string, number>();
  for (const m of members) counts.set(m.groupId, (counts.get(m.groupId) ?? 0) + 1);
  return <GroupsPage c={c} groups={groups} memberCounts={counts} error={error} draft={draft} />;
}

/** The confirmation before deleting a group: the master admin's (403 for anyone else). */
async function deleteGroupPage(c: C, error?: string) {
  if (c.get("user").role !== "master_admin") throw new Refusal(403, "errors.forbidden");
  const { db } = c.get("deps");
  const group = await managedGroup(db, c.get("user"), c.req.param("id")!);
  const blockers = await groupBlockers(c.get("deps"), db, group.id);
  return <DeleteGroupPage c={c} group={group} blockers={blockers} error={error} />;
}

async function groupPage(c: C, error?: string, draft?: GroupDraft) {
  const { db } = c.get("deps");
  const user = c.get("user");
  const group = await managedGroup(db, user, c.req.param("id")!);
  const managed = await managedGroupIds(db, user);
  const all = await listGroups(db, user.orgId);
  const groups = all.filter((g) => managed.has(g.id));
  // A limited admin's group inside one it does not manage: the page names that group, and
  // the form keeps it (not a "(top level)" the select would fall back to and save).
  const lockedParent = group.parentId && !managed.has(group.parentId)
    ? all.find((g) => g.id === group.parentId)
    : undefined;
  const assigned = new Set((await adminsOf(db, [group.id])).map((a) => a.userId));
  const orgUsers = await db.select().from(users).where(eq(users.orgId, user.orgId));
  const admins = orgUsers.filter((u) => u.role === "admin").map((u) => ({
    id: u.id,
    name: u.name,
    assigned: assigned.has(u.id),
  }));
  const memberIds = new Set(
    (await db.select().from(groupMembers).where(eq(groupMembers.groupId, group.id))).map((m) =>
      m.userId
    ),
  );
  const members = orgUsers.filter((u) => memberIds.has(u.id));
  return (
    <GroupPage
      c={c}
      group={group}
      groups={groups}
      admins={admins}
      members={members}
      error={error}
      draft={draft}
      lockedParent={lockedParent}
    />
  );
}
