import type { Context } from "hono";
import type { AuthedEnv, PageContext } from "../http/mod.ts";
import { normalisePermissions, PERMISSION_CATEGORIES, PERMISSIONS } from "../permissions/mod.ts";
import { CsrfField, Flash, Layout } from "../../views/layout.tsx";
import type { GroupRow } from "./groups.ts";
import { type GroupBlockers, isBlocked } from "./group_deletion.ts";

type C = PageContext;
type Authed = Context<AuthedEnv>;

/** What a group's form holds after a refusal: what was typed, not what is stored. */
export interface GroupDraft {
  name: string;
  description?: string;
  parentId: string;
}

export function GroupsPage(
  props: {
    c: Authed;
    groups: GroupRow[];
    memberCounts: Map<string, number>;
    error?: string;
    draft?: GroupDraft;
  },
) {
  const { c } = props;
  const t = c.get("t");
  const isMaster = c.get("user").role === "master_admin";
  const byParent = new Map<string | null, GroupRow[]>();
  const known = new Set(props.groups.map((g) => g.id));
  for (const g of props.groups) {
    const key = g.parentId && known.has(g.parentId) ? g.parentId : null;
    byParent.set(key, [...(byParent.get(key) ?? []), g]);
  }
  const rows = (parent: string | null, depth: number): unknown[] =>
    (byParent.get(parent) ?? []).flatMap((g) => [
      <tr>
        <td class={`depth-${Math.min(depth, 4)}`}>
          <a href={`/admin/groups/${g.id}`}>{g.name}</a>
        </td>
        <td>{props.memberCounts.get(g.id) ?? 0}</td>
        <td>{normalisePermissions(g.permissions).length}</td>
        <td class="muted">{g.description}</td>
      </tr>,
      ...rows(g.id, depth + 1),
    ]);
  return (
    <Layout c={c} title={t("org.groupsTitle")}>
      <h1>{t("org.groupsTitle")}</h1>
      <Flash kind="error" message={props.error} />
      {c.req.query("deleted") === "1" && <Flash kind="info" message={t("org.groupDeleted")} />}
      <table class="card">
        <thead>
          <tr>
            <th>{t("org.groupName")}</th>
            <th>{t("org.members")}</th>
            <th>{t("org.permissionCount")}</th>
            <th>{t("org.description")}</th>
          </tr>
        </thead>
        <tbody>{rows(null, 0)}</tbody>
      </table>
      {isMaster && (
        <form method="post" action="/admin/groups" class="card">
          <h2>{t("org.newGroup")}</h2>
          <CsrfField c={c} />
          <label for="g-name">{t("org.groupName")}</label>
          <input
            id="g-name"
            type="text"
            name="name"
            required
            maxlength={100}
            value={props.draft?.name}
          />
          <label for="g-parent">{t("org.parent")}</label>
          <ParentSelect c={c} groups={props.groups} parentId={props.draft?.parentId} />
          <button type="submit">{t("org.createGroup")}</button>
        </form>
      )}
    </Layout>
  );
}

function ParentSelect(
  props: {
    c: C;
    groups: GroupRow[];
    current?: GroupRow;
    parentId?: string | null;
    /** The group's parent when the viewer does not manage it: shown, not changeable. */
    locked?: GroupRow;
    /** Whether "(top level)" is a choice (a limited admin cannot take a group out to it). */
    topLevel?: boolean;
  },
) {
  const t = props.c.get("t");
  if (props.locked) {
    return (
      <>
        <select id="g-parent" disabled aria-describedby="g-parent-locked">
          <option value={props.locked.id} selected>{props.locked.name}</option>
        </select>
        <input type="hidden" name="parentId" value={props.locked.id} />
        <p class="muted" id="g-parent-locked">{t("org.parentLocked")}</p>
      </>
    );
  }
  const chosen = props.parentId !== undefined ? props.parentId : props.current?.parentId;
  return (
    <select id="g-parent" name="parentId">
      {props.topLevel !== false && <option value="">{t("org.noParent")}</option>}
      {props.groups.filter((g) => g.id !== props.current?.id).map((g) => (
        <option value={g.id} selected={g.id === chosen}>{g.name}</option>
      ))}
    </select>
  );
}

export function GroupTabs(props: { c: C; group: GroupRow; active: string }) {
  const t = props.c.get("t");
  const tab = (path: string, key: "org.general" | "org.permissions" | "org.settings") => (
    <a
      href={`/admin/groups/${props.group.id}${path}`}
      class={props.active === path ? "active" : ""}
    >
      {t(key)}
    </a>
  );
  return (
    <nav class="tabs" aria-label={props.group.name}>
      {tab("", "org.general")}
      {tab("/permissions", "org.permissions")}
      {tab("/settings", "org.settings")}
    </nav>
  );
}

export function GroupPage(
  props: {
    c: Authed;
    group: GroupRow;
    groups: GroupRow[];
    admins: { id: string; name: string; assigned: boolean }[];
    members: { id: string; name: string; email: string }[];
    error?: string;
    draft?: GroupDraft;
    /** The group's parent, when it is not among `groups` (the viewer does not manage it). */
    lockedParent?: GroupRow;
  },
) {
  const { c, group } = props;
  const values = props.draft ?? group;
  const t = c.get("t");
  const isMaster = c.get("user").role === "master_admin";
  return (
    <Layout c={c} title={group.name}>
      <h1>{group.name}</h1>
      <GroupTabs c={c} group={group} active="" />
      <Flash kind="error" message={props.error} />
      {c.req.query("saved") && <Flash kind="info" message={t("common.saved")} />}
      <form method="post" action={`/admin/groups/${group.id}`} class="card">
        <CsrfField c={c} />
        <label for="g-name">{t("org.groupName")}</label>
        <input id="g-name" type="text" name="name" required maxlength={100} value={values.name} />
        <label for="g-desc">{t("org.description")}</label>
        <input
          id="g-desc"
          type="text"
          name="description"
          maxlength={500}
          value={values.description}
        />
        <label for="g-parent">{t("org.parent")}</label>
        <ParentSelect
          c={c}
          groups={props.groups}
          current={group}
          parentId={props.draft?.parentId}
          locked={props.lockedParent}
          topLevel={isMaster || !group.parentId}
        />
        <button type="submit">{t("common.save")}</button>
      </form>
      {isMaster && (
        <form method="post" action={`/admin/groups/${group.id}/admins`} class="card">
          <h2>{t("org.groupAdmins")}</h2>
          <CsrfField c={c} />
          {props.admins.length === 0 && <p class="muted">{t("org.noAdmins")}</p>}
          {props.admins.map((a) => (
            <label>
              <input type="checkbox" name="admin" value={a.id} checked={a.assigned} /> {a.name}
            </label>
          ))}
          {/* With nobody to tick there is nothing to save. */}
          {props.admins.length > 0 && <button type="submit">{t("common.save")}</button>}
        </form>
      )}
      <section class="card">
        <h2>{t("org.members")}</h2>
        {props.members.length === 0 ? <p class="muted">{t("org.noMembers")}</p> : (
          <ul>
            {props.members.map((m) => <li>{m.name} · {m.email}</li>)}
          </ul>
        )}
      </section>
      {isMaster && (
        <form method="get" action={`/admin/groups/${group.id}/delete`} class="card">
          <p class="muted">{t("org.deleteGroupHelp")}</p>
          <button type="submit" class="danger">{t("org.deleteGroup")}</button>
        </form>
      )}
    </Layout>
  );
}

/**
 * Asks before deleting a group, saying what goes with it; while anything needs it (members,
 * subgroups, a channel only it serves, session history) says what and where to see to it,
 * and offers no delete (the server refuses it too). A group with history can only be
 * retired: the page says how, with the product's own means.
 */
export function DeleteGroupPage(
  props: { c: Authed; group: GroupRow; blockers: GroupBlockers; error?: string },
) {
  const { c, group, blockers } = props;
  const t = c.get("t");
  const title = t("org.deleteGroupTitle", { name: group.name });
  const blocked = isBlocked(blockers);
  return (
    <Layout c={c} title={title}>
      <section class="card narrow">
        <h1>{title}</h1>
        {/* A refusal the page cannot explain (something changed meanwhile) is shown as it came. */}
        <Flash kind="error" message={blocked ? undefined : props.error} />
        {/* What deletion takes with it: nothing to say of a group that can only be retired. */}
        {!blockers.history && <p>{t("org.deleteGroupWarning")}</p>}
        {blockers.members > 0 && (
          <p class="flash error">{t("org.groupHasMembers", { count: blockers.members })}</p>
        )}
        {blockers.subgroups > 0 && (
          <p class="flash error">{t("org.groupHasSubgroups", { count: blockers.subgroups })}</p>
        )}
        {blockers.dependents.map((d) => (
          <div class="flash error steps">
            <p>{t(d.key, d.params)}</p>
            <ul>
              {d.links.map((l) => (
                <li>
                  <a href={l.href}>{l.label}</a>
                </li>
              ))}
            </ul>
          </div>
        ))}
        {blockers.history && (
          <div class="flash error steps">
            <p>{t("org.groupHasHistory")}</p>
            <ul>
              <li>
                <a href={`/admin/groups/${group.id}`}>{t("org.retireRename")}</a>
              </li>
              <li>
                <a href={`/admin/groups/${group.id}/permissions`}>{t("org.retirePermissions")}</a>
              </li>
              <li>
                <a href="/admin/channels">{t("org.retireChannels")}</a>
              </li>
            </ul>
          </div>
        )}
        <form method="post" action={`/admin/groups/${group.id}/delete`} class="row">
          <CsrfField c={c} />
          {!blocked && !props.error && (
            <button type="submit" class="danger">{t("org.deleteGroupConfirm")}</button>
          )}
          <a href={`/admin/groups/${group.id}`}>{t("common.cancel")}</a>
        </form>
      </section>
    </Layout>
  );
}

export function PermissionsPage(props: { c: C; group: GroupRow }) {
  const { c, group } = props;
  const t = c.get("t");
  const granted = new Set(group.permissions);
  return (
    <Layout c={c} title={`${group.name} · ${t("org.permissions")}`}>
      <h1>{group.name}</h1>
      <GroupTabs c={c} group={group} active="/permissions" />
      {c.req.query("saved") && <Flash kind="info" message={t("common.saved")} />}
      <form method="post" action={`/admin/groups/${group.id}/permissions`}>
        <CsrfField c={c} />
        <input type="hidden" name="submitted" value="1" />
        {PERMISSION_CATEGORIES.map((category) => (
          <fieldset class="card">
            <legend>{t(`permissionCategories.${category}`)}</legend>
            {PERMISSIONS.filter((p) => p.category === category).map((p) => (
              <div class={p.available ? "permission" : "permission unavailable"}>
                <label>
                  <input
                    type="checkbox"
                    name="permission"
                    value={p.id}
                    checked={p.available && granted.has(p.id)}
                    disabled={!p.available}
                    aria-describedby={p.available ? undefined : `pending-${p.id}`}
                  />{" "}
                  {t(`permissions.${p.id}`)}
                </label>
                <p class="muted">{t(`permissions.${p.id}Help`)}</p>
                {!p.available && (
                  <p class="pending" id={`pending-${p.id}`}>{t("permissions.notAvailableYet")}</p>
                )}
              </div>
            ))}
          </fieldset>
        ))}
        <button type="submit">{t("common.save")}</button>
      </form>
    </Layout>
  );
}
