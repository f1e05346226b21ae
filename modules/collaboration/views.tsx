/**
 * The collaboration dialogs and lists in the session workspace: Invite technician (a
 * colleague picked from a searchable list, online ones first, a permission set, a note) and
 * who is in the session (lead, collaborators with status) with the lead's buttons.
 */
import type { Context } from "hono";
import type { AuthedEnv } from "../http/mod.ts";
import { type Permission, PERMISSIONS } from "../permissions/mod.ts";
import type { Participant } from "./participants.ts";
import type { Colleague } from "./colleagues.ts";

type C = Context<AuthedEnv>;

const base = (sessionId: string) => `/console/sessions/${sessionId}`;

/** The permissions that mean something inside one session (tools, not connecting). */
export const SESSION_PERMISSIONS: readonly Permission[] = PERMISSIONS
  .filter((p) =>
    p.available && ["remote", "files", "system"].includes(p.category) ||
    p.id === "chatToggle" || p.id === "pushUrls"
  )
  .map((p) => p.id);

function PermissionBoxes(props: { c: C; prefix: string; checked: ReadonlySet<string> }) {
  const t = props.c.get("t");
  return (
    <div class="permission-boxes">
      {[...new Set(SESSION_PERMISSIONS)].map((id) => (
        <label class="inline">
          <input
            type="checkbox"
            name={`perm_${id}`}
            value="1"
            checked={props.checked.has(id)}
            id={`${props.prefix}-${id}`}
          />{" "}
          {t(`permissions.${id}`)}
        </label>
      ))}
    </div>
  );
}

export function InviteDialog(
  props: { c: C; sessionId: string; number: number; colleagues: Colleague[] | null },
) {
  const { c, sessionId, colleagues } = props;
  const t = c.get("t");
  const granted = new Set<string>(c.get("user").permissions);
  return (
    <div class="card dialog" id="invite-dialog" role="dialog" aria-labelledby="invite-title">
      <h2 id="invite-title">{t("collaboration.inviteTitle", { number: props.number })}</h2>
      {colleagues === null
        ? <p class="muted">{t("collaboration.hiddenColleagues")}</p>
        : (
          <form id="invite-form" hx-post={`${base(sessionId)}/invite`} hx-target="#dialog">
            <label for="invite-search">{t("collaboration.search")}</label>
            <input
              type="search"
              id="invite-search"
              data-filter-list="invite-colleagues"
              autocomplete="off"
            />
            <fieldset class="colleagues" id="invite-colleagues">
              <legend>{t("collaboration.colleague")}</legend>
              {colleagues.length === 0 && <p class="muted">{t("collaboration.noColleagues")}</p>}
              {colleagues.map((person) => (
                <label
                  class={`colleague presence-${person.presence}`}
                  data-filter-text={person.name.toLowerCase()}
                >
                  <input
                    type="radio"
                    name="userId"
                    value={person.id}
                    required
                    disabled={person.presence === "away" || person.presence === "offline"}
                  />{" "}
                  <span class="name">{person.name}</span>{" "}
                  <span class={`presence presence-${person.presence}`}>
                    {t(`collaboration.presence.${person.presence}`)}
                  </span>
                </label>
              ))}
            </fieldset>
            <fieldset>
              <legend>{t("collaboration.permissionsLegend")}</legend>
              <p class="muted">{t("collaboration.permissionsHelp")}</p>
              <PermissionBoxes c={c} prefix="invite" checked={granted} />
            </fieldset>
            <label for="invite-note">{t("collaboration.note")}</label>
            <textarea id="invite-note" name="note" maxlength={1000} rows={2}></textarea>
            <div class="row">
              <button type="submit">{t("collaboration.send")}</button>
              <button type="button" class="secondary" data-close-dialog="dialog">
                {t("console.close")}
              </button>
            </div>
          </form>
        )}
    </div>
  );
}

/** Who is in the session, with the lead's buttons (and a collaborator's Leave). */
export function ParticipantList(
  props: { c: C; sessionId: string; people: Participant[] },
) {
  const { c, sessionId, people } = props;
  const t = c.get("t");
  const me = c.get("user").id;
  const mine = people.find((p) => p.userId === me);
  const leading = mine?.role === "lead" && ["active", "on_hold"].includes(mine.status);
  const handingOver = mine?.role === "lead" && mine.status === "collaborating";
  if (people.length < 2) return null;
  const post = (path: string, label: string, extra: Record<string, string> = {}) => (
    <button
      type="button"
      class="link small"
      hx-post={`${base(sessionId)}/${path}`}
      hx-swap="none"
      {...extra}
    >
      {label}
    </button>
  );
  return (
    <div class="participants" data-participants={sessionId}>
      <h3 class="visually-hidden">{t("collaboration.participants")}</h3>
      <ul class="participant-list" aria-label={t("collaboration.participants")}>
        {people.map((p) => (
          <li data-participant={p.userId} data-role={p.role} data-status={p.status}>
            <span class="name">{p.name}</span>
            {p.userId === me && <span class="muted">{` (${t("collaboration.you")})`}</span>}
            <span class="badge">
              {p.role === "lead" ? t("collaboration.lead") : t(`status.${_status(p.status)}`)}
            </span>
            {p.leadOffered && <span class="badge">{t("collaboration.leadOffered")}</span>}
            {leading && p.role === "collaborator" && p.status === "invitation" &&
              post(`collaborators/${p.userId}/withdraw`, t("collaboration.withdraw"))}
            {leading && p.role === "collaborator" && p.status === "collaborating" &&
              mine?.status === "active" &&
              post(`collaborators/${p.userId}/lead`, t("collaboration.handOver"))}
            {leading && p.role === "collaborator" && p.status !== "invitation" &&
              post(`collaborators/${p.userId}/remove`, t("collaboration.remove"), {
                "hx-confirm": t("collaboration.confirmRemove"),
              })}
            {leading && p.role === "collaborator" && (
              <details class="participant-permissions">
                <summary>{t("collaboration.permissions")}</summary>
                <form
                  hx-post={`${base(sessionId)}/collaborators/${p.userId}/permissions`}
                  hx-swap="none"
                >
                  <PermissionBoxes
                    c={c}
                    prefix={`perm-${p.userId}`}
                    checked={new Set(p.permissions ?? SESSION_PERMISSIONS)}
                  />
                  <button type="submit" class="small">
                    {t("collaboration.savePermissions")}
                  </button>
                </form>
              </details>
            )}
          </li>
        ))}
      </ul>
      {handingOver && post("handover/cancel", t("collaboration.cancelHandOver"))}
      {mine?.role === "collaborator" && mine.leadOffered &&
        post("accept_lead", t("collaboration.acceptLead"))}
      {mine?.role === "collaborator" && mine.status !== "invitation" &&
        post("leave", t("collaboration.leave"), { "hx-confirm": t("collaboration.confirmLeave") })}
    </div>
  );
}

const KNOWN = ["invitation", "collaborating", "on_hold", "active", "rebooting", "reconnecting"];
function _status(status: string) {
  return (KNOWN.includes(status) ? status : "collaborating") as "collaborating";
}
