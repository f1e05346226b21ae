import type { PageContext } from "../http/mod.ts";
import type { Translator } from "../i18n/mod.ts";
import { CsrfField, Flash, Layout } from "../../views/layout.tsx";
import { type FieldRow, MAX_ACTIVE_FIELDS } from "./fields.ts";
import type { InputProblem } from "./input.ts";
import { FieldProblems, ProblemSummary } from "./problems.tsx";

/** What the add/edit form shows: the stored field, or what the admin just typed. */
export interface FieldDraft {
  label: string;
  maxLength: string;
}

/** `/admin/fields`: the custom fields in form order, with the controls and the add form. */
export function FieldListPage(
  props: {
    c: PageContext;
    fields: FieldRow[];
    /** How many channels ask for each field, by field id. */
    usage: Map<string, number>;
    draft: FieldDraft;
    problems: InputProblem[];
    flash?: { kind: "error" | "info"; message: string };
  },
) {
  const { c, fields, usage } = props;
  const t = c.get("t");
  const active = fields.filter((f) => f.active).length;
  return (
    <Layout c={c} title={t("fields.title")}>
      <p>
        <a href="/admin/channels">{t("fields.backToChannels")}</a>
      </p>
      <h1>{t("fields.title")}</h1>
      <Flash kind={props.flash?.kind ?? "info"} message={props.flash?.message} />
      <p class="muted">{t("fields.intro", { max: MAX_ACTIVE_FIELDS })}</p>
      <table>
        <thead>
          <tr>
            <th>{t("fields.order")}</th>
            <th>{t("fields.label")}</th>
            <th>{t("fields.maxLength")}</th>
            <th>{t("fields.usedBy")}</th>
            <th>{t("fields.status")}</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td></td>
            <td>{t("fields.builtinName")}</td>
            <td>100</td>
            <td class="muted">{t("fields.allChannels")}</td>
            <td>{t("fields.alwaysRequired")}</td>
            <td></td>
          </tr>
          {fields.map((field, i) => (
            <tr class={field.active ? undefined : "muted"}>
              <td class="row tight">
                <MoveButton c={c} t={t} field={field} direction="up" disabled={i === 0} />
                <MoveButton
                  c={c}
                  t={t}
                  field={field}
                  direction="down"
                  disabled={i === fields.length - 1}
                />
              </td>
              <td>{field.label}</td>
              <td>{field.maxLength}</td>
              <td>{t("fields.usedByCount", { count: usage.get(field.id) ?? 0 })}</td>
              <td>{field.active ? t("fields.active") : t("fields.inactive")}</td>
              <td class="row tight">
                <a href={`/admin/fields/${field.id}`}>{t("fields.edit")}</a>
                <form method="post" action={`/admin/fields/${field.id}/active`} class="inline">
                  <CsrfField c={c} />
                  <input type="hidden" name="active" value={field.active ? "0" : "1"} />
                  <button type="submit" class="link">
                    {field.active ? t("fields.deactivate") : t("fields.reactivate")}
                  </button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {active >= MAX_ACTIVE_FIELDS
        ? <p class="flash info">{t("fields.limitReached", { max: MAX_ACTIVE_FIELDS })}</p>
        : (
          <section class="card">
            <h2>{t("fields.add")}</h2>
            <ProblemSummary t={t} problems={props.problems} />
            <FieldForm
              c={c}
              action="/admin/fields"
              draft={props.draft}
              problems={props.problems}
              submit={t("fields.add")}
            />
          </section>
        )}
    </Layout>
  );
}

/** `/admin/fields/:id`: rename a field or change its maximum length. */
export function FieldEditPage(
  props: { c: PageContext; field: FieldRow; draft: FieldDraft; problems: InputProblem[] },
) {
  const { c, field } = props;
  const t = c.get("t");
  return (
    <Layout c={c} title={t("fields.editTitle", { label: field.label })}>
      <p>
        <a href="/admin/fields">{t("fields.backToFields")}</a>
      </p>
      <section class="card narrow">
        <h1>{t("fields.editTitle", { label: field.label })}</h1>
        <ProblemSummary t={t} problems={props.problems} />
        <FieldForm
          c={c}
          action={`/admin/fields/${field.id}`}
          draft={props.draft}
          problems={props.problems}
          submit={t("common.save")}
        />
      </section>
    </Layout>
  );
}

function FieldForm(
  props: {
    c: PageContext;
    action: string;
    draft: FieldDraft;
    problems: InputProblem[];
    submit: string;
  },
) {
  const t = props.c.get("t");
  return (
    <form method="post" action={props.action} novalidate>
      <CsrfField c={props.c} />
      <label for="field-label">{t("fields.label")}</label>
      <input
        id="field-label"
        type="text"
        name="label"
        value={props.draft.label}
        maxlength={60}
        required
      />
      <FieldProblems t={t} problems={props.problems} path="label" />
      <label for="field-max">{t("fields.maxLength")}</label>
      <input
        id="field-max"
        type="number"
        name="maxLength"
        value={props.draft.maxLength}
        min={1}
        max={2000}
        required
      />
      <FieldProblems t={t} problems={props.problems} path="maxLength" />
      <button type="submit">{props.submit}</button>
    </form>
  );
}

function MoveButton(
  props: {
    c: PageContext;
    t: Translator;
    field: FieldRow;
    direction: "up" | "down";
    disabled: boolean;
  },
) {
  const label = props.t(props.direction === "up" ? "fields.moveUp" : "fields.moveDown", {
    label: props.field.label,
  });
  return (
    <form method="post" action={`/admin/fields/${props.field.id}/move`} class="inline">
      <CsrfField c={props.c} />
      <input type="hidden" name="direction" value={props.direction} />
      <button
        type="submit"
        class="secondary small"
        disabled={props.disabled}
        aria-label={label}
        title={label}
      >
        {props.direction === "up" ? "↑" : "↓"}
      </button>
    </form>
  );
}
