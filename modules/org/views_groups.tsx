import type { Context } from "hono";
import type { AuthedEnv, PageContext } from "../http/mod.ts";
import { normalisePermissions, PERMISSION_CATEGORIES, PERMISSIONS } from "../permissions/mod.ts";
import { CsrfField, Flash, Layout } from "../../views/layout.tsx";
import type { GroupRow } from "./groups.ts";
import { EMAIL_PLACEHOLDERS, type GroupSettings, isSettingAvailable } from "./settings.ts";

type C = PageContext;
type Authed = Context<AuthedEnv>;

export function GroupsPage(
  props: { c: Authed; groups: GroupRow[]; memberCounts: Map<string, number>; error?: string },
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
          <input id="g-name" type="text" name="name" required maxlength={100} />
          <label for="g-parent">{t("org.parent")}</label>
          <ParentSelect c={c} groups={props.groups} />
          <button type="submit">{t("org.createGroup")}</button>
        </form>
      )}
    </Layout>
  );
}

function ParentSelect(props: { c: C; groups: GroupRow[]; current?: GroupRow }) {
  const t = props.c.get("t");
  return (
    <select id="g-parent" name="parentId">
      <option value="">{t("org.noParent")}</option>
      {props.groups.filter((g) => g.id !== props.current?.id).map((g) => (
        <option value={g.id} selected={g.id === props.current?.parentId}>{g.name}</option>
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
  },
) {
  const { c, group } = props;
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
        <input id="g-name" type="text" name="name" required maxlength={100} value={group.name} />
        <label for="g-desc">{t("org.description")}</label>
        <input
          id="g-desc"
          type="text"
          name="description"
          maxlength={500}
          value={group.description}
        />
        <label for="g-parent">{t("org.parent")}</label>
        <ParentSelect c={c} groups={props.groups} current={group} />
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
          <button type="submit">{t("common.save")}</button>
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
        <form method="post" action={`/admin/groups/${group.id}/delete`} class="card">
          <CsrfField c={c} />
          <p class="muted">{t("org.deleteGroupHelp")}</p>
          <button type="submit" class="danger">{t("org.deleteGroup")}</button>
        </form>
      )}
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

type SettingsErrors = Partial<Record<keyof GroupSettings, string>>;

export function SettingsPage(
  props: {
    c: C;
    group: GroupRow;
    values: Record<string, unknown>;
    errors?: SettingsErrors;
    preview: { subject: string; body: string };
  },
) {
  const { c, group } = props;
  const t = c.get("t");
  const v = props.values;
  const err = props.errors ?? {};
  const num = (name: keyof GroupSettings, min: number, max: number) => (
    <div>
      <label for={`s-${name}`}>{t(`groupSettings.${name}`)}</label>
      <input
        id={`s-${name}`}
        type="text"
        inputmode="numeric"
        name={name}
        value={String(v[name] ?? "")}
      />
      {err[name] && <p class="field-error" role="alert">{err[name]}</p>}
      <p class="muted">{t("groupSettings.range", { min, max })}</p>
    </div>
  );
  const check = (name: keyof GroupSettings) => (
    <label>
      <input type="checkbox" name={name} value="1" checked={v[name] === true || v[name] === "1"} />
      {" "}
      {t(`groupSettings.${name}`)}
    </label>
  );
  const text = (name: keyof GroupSettings, multiline = false) => (
    <div>
      <label for={`s-${name}`}>{t(`groupSettings.${name}`)}</label>
      {multiline
        ? <textarea id={`s-${name}`} name={name} rows={5}>{String(v[name] ?? "")}</textarea>
        : <input id={`s-${name}`} type="text" name={name} value={String(v[name] ?? "")} />}
      {err[name] && <p class="field-error" role="alert">{err[name]}</p>}
    </div>
  );
  // A fieldset of settings that are not available yet is disabled as a whole (the browser
  // then sends none of them, and saving puts them back to their defaults).
  const pending = (...names: (keyof GroupSettings)[]) =>
    names.some(isSettingAvailable)
      ? {}
      : { disabled: true, "aria-describedby": `pending-${names[0]}` };
  return (
    <Layout c={c} title={`${group.name} · ${t("org.settings")}`}>
      <h1>{group.name}</h1>
      <GroupTabs c={c} group={group} active="/settings" />
      {c.req.query("saved") && <Flash kind="info" message={t("common.saved")} />}
      {Object.keys(err).length > 0 && <Flash kind="error" message={t("groupSettings.notSaved")} />}
      <form method="post" action={`/admin/groups/${group.id}/settings`}>
        <CsrfField c={c} />
        <fieldset class="card">
          <legend>{t("groupSettings.timeouts")}</legend>
          {num("connectingTimeout", 1, 1440)}
          {num("waitingTimeout", 1, 1440)}
          {num("inactivityTimeout", 1, 1440)}
          {num("holdMaxDays", 1, 14)}
          {num("urgentAfterWaiting", 1, 1440)}
        </fieldset>
        <fieldset class="card">
          <legend>{t("groupSettings.sessions")}</legend>
          {check("autoStartPrivate")}
          {num("maxActiveSessions", 1, 10)}
          {num("maxTechniciansPerSession", 2, 10)}
          {num("idleToAway", 1, 1440)}
        </fieldset>
        {
          /* The survey is per group and channel, with typed questions: modules/surveys. The
            old settings below stay unavailable, kept at their defaults. */
        }
        <fieldset class="card">
          <legend>{t("groupSettings.survey")}</legend>
          <p>{t("groupSettings.surveyElsewhere")}</p>
          <p>
            <a href={`/admin/surveys/group/${group.id}`}>{t("groupSettings.surveyLink")}</a>
          </p>
        </fieldset>
        <fieldset
          class="card"
          hx-post={`/admin/groups/${group.id}/settings/preview`}
          hx-trigger="input delay:300ms from:find .template"
          hx-target="#email-preview"
          hx-include="closest form"
        >
          <legend>{t("groupSettings.email")}</legend>
          <p class="muted">
            {t("groupSettings.placeholders")}{" "}
            {EMAIL_PLACEHOLDERS.map((name) => <code>{`{{${name}}}`}</code>)}
          </p>
          <div class="template">
            {text("emailSubject")}
            {text("emailTemplate", true)}
          </div>
          <div id="email-preview">
            <EmailPreview c={c} preview={props.preview} />
          </div>
        </fieldset>
        <fieldset class="card">
          <legend>{t("groupSettings.customer")}</legend>
          {check("termsEnabled")}
          {text("termsText", true)}
        </fieldset>
        <fieldset class="card" {...pending("recordingPolicy", "recordingLocation")}>
          <legend>{t("groupSettings.recording")}</legend>
          <PendingNote c={c} fields={["recordingPolicy", "recordingLocation"]} />
          <label for="s-recordingPolicy">{t("groupSettings.recordingPolicy")}</label>
          <select id="s-recordingPolicy" name="recordingPolicy">
            {(["off", "optional", "always"] as const).map((p) => (
              <option value={p} selected={v.recordingPolicy === p}>
                {t(`groupSettings.recording_${p}`)}
              </option>
            ))}
          </select>
          {text("recordingLocation")}
        </fieldset>
        <fieldset class="card">
          <legend>{t("groupSettings.monitoring")}</legend>
          {check("monitoringNotice")}
          {text("monitoringNoticeText", true)}
          {check("monitoringAuthorisation")}
        </fieldset>
        <fieldset class="card">
          <legend>{t("groupSettings.external")}</legend>
          <p class="muted">{t("groupSettings.externalHelp")}</p>
          {check("externalByLink")}
          {check("externalByEmail")}
          {check("externalByPin")}
        </fieldset>
        <fieldset class="card">
          <legend>{t("groupSettings.unattended")}</legend>
          <label for="s-unattendedApproval">{t("groupSettings.unattendedApproval")}</label>
          <select id="s-unattendedApproval" name="unattendedApproval">
            {(["none", "approval", "ticket"] as const).map((p) => (
              <option value={p} selected={v.unattendedApproval === p}>
                {t(`groupSettings.unattendedApproval_${p}`)}
              </option>
            ))}
          </select>
        </fieldset>
        <button type="submit">{t("common.save")}</button>
      </form>
    </Layout>
  );
}

/** Why a fieldset is switched off: its feature is not built yet. Nothing when it is. */
function PendingNote(props: { c: C; fields: (keyof GroupSettings)[] }) {
  if (props.fields.some(isSettingAvailable)) return null;
  return (
    <p class="pending" id={`pending-${props.fields[0]}`}>
      {props.c.get("t")("groupSettings.notAvailableYet")}
    </p>
  );
}

export function EmailPreview(props: { c: C; preview: { subject: string; body: string } }) {
  const t = props.c.get("t");
  return (
    <div class="preview" aria-live="polite">
      <h3>{t("groupSettings.preview")}</h3>
      <p>
        <strong>{props.preview.subject}</strong>
      </p>
      <pre>{props.preview.body}</pre>
    </div>
  );
}
