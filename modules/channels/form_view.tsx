import type { PageContext } from "../http/mod.ts";
import type { Translator } from "../i18n/mod.ts";
import { CsrfField, Flash, Layout } from "../../views/layout.tsx";
import type { FieldRow } from "./fields.ts";
import { type ChannelDraft, type InputProblem, MAX_RANGES_PER_DAY } from "./input.ts";
import { timeZoneChoices, WEEKDAYS } from "./opening_hours.ts";
import { FieldProblems, ProblemSummary } from "./problems.tsx";
import type { Channel } from "./service.ts";
import { ChannelLinkCard } from "./views.tsx";

export interface ChannelFormProps {
  c: PageContext;
  /** Set when editing; a new channel has none yet. */
  channel?: Channel;
  draft: ChannelDraft;
  groups: { id: string; name: string }[];
  /** The organisation's active custom fields, in form order. */
  fields: FieldRow[];
  problems: InputProblem[];
  flash?: { kind: "error" | "info"; message: string };
}

/** The create/edit page; on a refused save it comes back with the input and the problems. */
export function ChannelFormPage(props: ChannelFormProps) {
  const { c, channel, draft, problems } = props;
  const t = c.get("t");
  const title = channel ? t("channels.editTitle", { name: channel.name }) : t("channels.newTitle");
  const action = channel ? `/admin/channels/${channel.id}` : "/admin/channels";
  return (
    <Layout c={c} title={title}>
      <p>
        <a href="/admin/channels">{t("channels.backToList")}</a>
      </p>
      <h1>{title}</h1>
      <Flash kind={props.flash?.kind ?? "info"} message={props.flash?.message} />
      <ProblemSummary t={t} problems={problems} />
      {channel && <ChannelLinkCard c={c} channel={channel} fields={props.fields} />}
      <form method="post" action={action} class="channel-form" novalidate>
        <CsrfField c={c} />
        <fieldset class="card">
          <legend>{t("channels.general")}</legend>
          <label for="ch-name">{t("channels.name")}</label>
          <input
            id="ch-name"
            type="text"
            name="name"
            value={draft.name}
            maxlength={100}
            required
            aria-invalid={problems.some((p) => p.path === "name") ? "true" : undefined}
          />
          <FieldProblems t={t} problems={problems} path="name" />
          <label class="check">
            <input type="checkbox" name="active" checked={draft.active} />
            {t("channels.activeLabel")}
          </label>
          <FieldProblems t={t} problems={problems} path="active" />
        </fieldset>
        <GroupsFieldset {...props} t={t} />
        <FieldsFieldset {...props} t={t} />
        <HoursFieldset {...props} t={t} />
        <fieldset class="card">
          <legend>{t("channels.unavailable")}</legend>
          <p class="muted">{t("channels.unavailableHelp")}</p>
          {(["message", "callback"] as const).map((action) => (
            <label class="check">
              <input
                type="radio"
                name="unavailableAction"
                value={action}
                checked={(draft.unavailableAction ?? "message") === action}
              />
              {t(`channels.action_${action}`)}
            </label>
          ))}
          <FieldProblems t={t} problems={problems} path="unavailableAction" />
          <label for="ch-message">{t("channels.unavailableMessage")}</label>
          <textarea id="ch-message" name="unavailableMessage" rows={4} maxlength={2000}>
            {draft.unavailableMessage}
          </textarea>
          <FieldProblems t={t} problems={problems} path="unavailableMessage" />
        </fieldset>
        <div class="row">
          <button type="submit">{channel ? t("common.save") : t("channels.create")}</button>
          <a href="/admin/channels">{t("channels.cancel")}</a>
          {channel && (
            <a class="danger-link" href={`/admin/channels/${channel.id}/delete`}>
              {t("channels.delete")}
            </a>
          )}
        </div>
      </form>
    </Layout>
  );
}

type SectionProps = ChannelFormProps & { t: Translator };

function GroupsFieldset({ t, groups, draft, problems }: SectionProps) {
  return (
    <fieldset class="card">
      <legend>{t("channels.groups")}</legend>
      <p class="muted">{t("channels.groupsHelp")}</p>
      {groups.length === 0 && (
        <p>
          {t("channels.noGroups")} <a href="/admin/groups">{t("channels.manageGroups")}</a>
        </p>
      )}
      <div class="checks">
        {groups.map((g) => (
          <label class="check">
            <input type="checkbox" name={`group_${g.id}`} checked={draft.groupIds.includes(g.id)} />
            {g.name}
          </label>
        ))}
      </div>
      <FieldProblems t={t} problems={problems} path="groupIds" />
    </fieldset>
  );
}

function FieldsFieldset({ t, fields, draft, problems }: SectionProps) {
  const chosen = new Map(draft.fields.map((f) => [f.fieldId, f.required]));
  return (
    <fieldset class="card">
      <legend>{t("channels.fields")}</legend>
      <table>
        <tbody>
          <tr>
            <td>{t("fields.builtinName")}</td>
            <td class="muted">{t("fields.alwaysRequired")}</td>
          </tr>
          {fields.map((f) => {
            const state = !chosen.has(f.id) ? "off" : chosen.get(f.id) ? "required" : "optional";
            return (
              <tr>
                <td>
                  <label for={`field-${f.id}`} class="plain">{f.label}</label>
                </td>
                <td>
                  <select id={`field-${f.id}`} name={`field_${f.id}`}>
                    {(["off", "optional", "required"] as const).map((v) => (
                      <option value={v} selected={state === v}>{t(`channels.field_${v}`)}</option>
                    ))}
                  </select>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p class="muted">
        {fields.length === 0 ? t("channels.noFields") : t("channels.fieldsHelp")}{" "}
        <a href="/admin/fields">{t("channels.manageFields")}</a>
      </p>
      <FieldProblems t={t} problems={problems} path="fields" />
    </fieldset>
  );
}

function HoursFieldset({ c, t, draft, problems }: SectionProps) {
  const hours = draft.openingHours;
  const dayName = new Intl.DateTimeFormat(c.get("lang"), { weekday: "long", timeZone: "UTC" });
  return (
    <fieldset class="card">
      <legend>{t("channels.hours")}</legend>
      <label class="check">
        <input type="checkbox" name="hoursEnabled" checked={hours.enabled} />
        {t("channels.hoursEnabled")}
      </label>
      <p class="muted">{t("channels.hoursHelp")}</p>
      <label for="ch-tz">{t("channels.timeZone")}</label>
      <select id="ch-tz" name="timeZone">
        {timeZoneChoices(hours.timeZone).map((zone) => (
          <option value={zone} selected={zone === hours.timeZone}>{zone}</option>
        ))}
      </select>
      <FieldProblems t={t} problems={problems} path="openingHours.timeZone" />
      <table class="hours">
        <tbody>
          {WEEKDAYS.map((day) => {
            const ranges = hours.days[day] ?? [];
            const rows = Math.min(MAX_RANGES_PER_DAY, Math.max(2, ranges.length + 1));
            const name = dayName.format(new Date(Date.UTC(2026, 0, 4 + Number(day))));
            return (
              <tr>
                <th scope="row">{name}</th>
                <td>
                  {Array.from({ length: rows }, (_, n) => (
                    <span class="range">
                      <TimeInput
                        day={day}
                        n={n}
                        edge="start"
                        value={ranges[n]?.[0]}
                        label={name}
                        t={t}
                      />
                      {"–"}
                      <TimeInput
                        day={day}
                        n={n}
                        edge="end"
                        value={ranges[n]?.[1]}
                        label={name}
                        t={t}
                      />
                    </span>
                  ))}
                  {ranges.length === 0 && <span class="muted">{t("channels.closedDay")}</span>}
                  <FieldProblems t={t} problems={problems} path={`openingHours.days.${day}`} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <FieldProblems t={t} problems={problems} path="openingHours.days" />
    </fieldset>
  );
}

function TimeInput(
  props: {
    day: string;
    n: number;
    edge: "start" | "end";
    value?: string;
    label: string;
    t: Translator;
  },
) {
  return (
    <input
      type="text"
      class="time"
      name={`hours_${props.day}_${props.n}_${props.edge}`}
      value={props.value ?? ""}
      inputmode="numeric"
      placeholder={props.edge === "start" ? "09:00" : "17:00"}
      maxlength={5}
      aria-label={props.t(props.edge === "start" ? "channels.from" : "channels.until", {
        day: props.label,
      })}
    />
  );
}
