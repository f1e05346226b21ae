// A group's settings page (SPEC A8) and the e-mail preview fragment it refreshes; the groups,
// group and permission pages are in views_groups.tsx.
import type { PageContext } from "../http/mod.ts";
import { CsrfField, Flash, Layout } from "../../views/layout.tsx";
import type { GroupRow } from "./groups.ts";
import { EMAIL_PLACEHOLDERS, type GroupSettings, isSettingAvailable } from "./settings.ts";
import { GroupTabs } from "./views_groups.tsx";

type C = PageContext;

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
            {t("groupSettings.placeholders")} {EMAIL_PLACEHOLDERS.map((name, i) => (
              <>
                {i > 0 && ", "}
                <code>{`{{${name}}}`}</code>
              </>
            ))}
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
          <p class="muted">{t("groupSettings.recordingPolicyHelp")}</p>
          {text("recordingLocation")}
          <p class="muted">
            {t("groupSettings.recordingLocationHelp", {
              folder: `${c.get("deps").config.dataDir}/recordings`,
            })}
          </p>
          {c.get("deps").config.databaseUrl && (
            <p class="muted">{t("groupSettings.recordingLocationCluster")}</p>
          )}
          {num("recordingRetentionDays", 0, 3650)}
          <p class="muted" id="retention-help">{t("groupSettings.recordingRetentionDaysHelp")}</p>
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
