import type { Context } from "hono";
import type { AuthedEnv, PageContext } from "../http/mod.ts";
import { CsrfField, Flash, Layout } from "../../views/layout.tsx";
import type { GroupRow } from "./groups.ts";
import type { Presence } from "./status.ts";
import { NewPasswordFields } from "../auth/mod.ts";

type C = PageContext;
type Authed = Context<AuthedEnv>;

export interface PersonRow {
  id: string;
  name: string;
  email: string;
  role: string;
  active: boolean;
  invited: boolean;
  groupId: string | null;
  presence: Presence;
}

/** What the invitation form holds: empty, or what was typed before a refusal. */
export interface InviteDraft {
  name: string;
  email: string;
  groupId: string;
  role: string;
}

export function PeoplePage(
  props: {
    c: Authed;
    people: PersonRow[];
    groups: GroupRow[];
    error?: string;
    notice?: string;
    /** The invitation just made waits in Messages (no SMTP): a way to hand over a link. */
    heldFor?: { id: string; name: string };
    draft?: InviteDraft;
  },
) {
  const { c, draft } = props;
  const t = c.get("t");
  const isMaster = c.get("user").role === "master_admin";
  return (
    <Layout c={c} title={t("org.peopleTitle")}>
      <h1>{t("org.peopleTitle")}</h1>
      <Flash kind="error" message={props.error} />
      <Flash kind="info" message={props.notice} />
      {props.heldFor && (
        <p id="invitation-held-link">
          <a href={`/admin/technicians/${props.heldFor.id}#invitation`}>
            {t("org.invitationHeldLink", { name: props.heldFor.name })}
          </a>
        </p>
      )}
      <PeopleTable c={c} people={props.people} groups={props.groups} />
      <div hx-get="/admin/technicians/presence" hx-trigger="every 5s" hx-swap="none"></div>
      {props.groups.length === 0 && (
        // Everyone is invited into a group: with none, the form could not be sent.
        <section class="card" id="invite-needs-group">
          <h2>{t("org.invite")}</h2>
          <p>{t("org.inviteNeedsGroup")}</p>
          <a class="button" href="/admin/groups">{t("org.inviteCreateGroup")}</a>
        </section>
      )}
      {props.groups.length > 0 && (
        <form method="post" action="/admin/technicians/invite" class="card">
          <h2>{t("org.invite")}</h2>
          <CsrfField c={c} />
          <label for="i-name">{t("org.personName")}</label>
          <input
            id="i-name"
            type="text"
            name="name"
            required
            maxlength={100}
            value={draft?.name}
          />
          <label for="i-email">{t("signin.email")}</label>
          <input id="i-email" type="email" name="email" required value={draft?.email} />
          <label for="i-group">{t("org.group")}</label>
          <select id="i-group" name="groupId">
            {props.groups.map((g) => (
              <option value={g.id} selected={g.id === draft?.groupId}>{g.name}</option>
            ))}
          </select>
          <label for="i-role">{t("org.role")}</label>
          <select id="i-role" name="role">
            <option value="technician">{t("roles.technician")}</option>
            {isMaster && (
              <option value="admin" selected={draft?.role === "admin"}>{t("roles.admin")}</option>
            )}
          </select>
          <button type="submit">{t("org.sendInvitation")}</button>
        </form>
      )}
    </Layout>
  );
}

export function PeopleTable(props: { c: Authed; people: PersonRow[]; groups: GroupRow[] }) {
  const { c } = props;
  const t = c.get("t");
  const groupName = new Map(props.groups.map((g) => [g.id, g.name]));
  const self = c.get("user").id;
  // Who this admin may change (deactivate, move, rename, reset 2FA on their page): not
  // itself; a limited admin only technicians (technicians.ts's changeablePerson).
  const manages = (p: PersonRow) =>
    p.id !== self && p.role !== "master_admin" &&
    (c.get("user").role === "master_admin" || p.role === "technician");
  return (
    <table class="card" id="people">
      <thead>
        <tr>
          <th>{t("org.personName")}</th>
          <th>{t("signin.email")}</th>
          <th>{t("org.role")}</th>
          <th>{t("org.group")}</th>
          <th>{t("org.status")}</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        {props.people.map((p) => (
          <tr data-person={p.email}>
            <td>
              {manages(p)
                ? (
                  <a
                    href={`/admin/technicians/${p.id}`}
                    title={t("org.editPerson", { name: p.name })}
                  >
                    {p.name}
                  </a>
                )
                : p.name}
            </td>
            <td>{p.email}</td>
            <td>{t(`roles.${p.role as "technician"}`)}</td>
            <td>
              {p.groupId && props.groups.length > 1 && manages(p)
                ? (
                  <form method="post" action={`/admin/technicians/${p.id}/group`} class="row">
                    <CsrfField c={c} />
                    <select name="groupId" aria-label={t("org.group")}>
                      {props.groups.map((g) => (
                        <option value={g.id} selected={g.id === p.groupId}>{g.name}</option>
                      ))}
                    </select>
                    <button type="submit" class="secondary">{t("org.move")}</button>
                  </form>
                )
                : (p.groupId ? groupName.get(p.groupId) : "—")}
            </td>
            <td>
              <PresenceBadge c={c} person={p} />
            </td>
            <td>
              {manages(p) && p.active && (
                // Asks first (DeactivatePage): it ends every sign-in and deletes the API tokens.
                <form method="get" action={`/admin/technicians/${p.id}/deactivate`}>
                  <button type="submit" class="danger">{t("org.deactivate")}</button>
                </form>
              )}
              {manages(p) && !p.active && (
                <form method="post" action={`/admin/technicians/${p.id}/reactivate`}>
                  <CsrfField c={c} />
                  <button type="submit" class="secondary">{t("org.reactivate")}</button>
                </form>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function InvitationPage(
  props: { c: C; token: string; name: string; email: string; error?: string },
) {
  const { c } = props;
  const t = c.get("t");
  return (
    <Layout c={c} title={t("org.setPasswordTitle")}>
      <section class="card narrow">
        <h1>{t("org.setPasswordTitle")}</h1>
        <p>{t("org.setPasswordIntro", { name: props.name, email: props.email })}</p>
        <Flash kind="error" message={props.error} />
        <form method="post" action={`/invite/${props.token}`}>
          <CsrfField c={c} />
          <NewPasswordFields
            t={t}
            label={t("account.newPassword")}
            id="pw"
            name="password"
            confirmId="pw2"
          />
          <button type="submit">{t("org.setPassword")}</button>
        </form>
      </section>
    </Layout>
  );
}

/** One person's live status; the page polls these as out-of-band swaps. */
export function PresenceBadge(props: { c: C; person: PersonRow; oob?: boolean }) {
  const t = props.c.get("t");
  const p = props.person;
  return (
    <span
      id={`presence-${p.id}`}
      class={`presence ${p.active && !p.invited ? p.presence : "inactive"}`}
      hx-swap-oob={props.oob ? "true" : undefined}
    >
      {!p.active
        ? t("org.deactivated")
        : p.invited
        ? t("org.invitedPending")
        : t(`presence.${p.presence}`)}
    </span>
  );
}
