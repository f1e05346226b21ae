import type { PageContext } from "../http/mod.ts";
import { CsrfField, Flash, Layout } from "../../views/layout.tsx";
import type { InputProblem } from "./input.ts";
import { WEEKDAYS } from "./opening_hours.ts";
import { FieldProblems, ProblemSummary } from "./problems.tsx";
import { CONTACT_MAX, CUSTOMER_NAME_MAX, type FormField, type PublicChannel } from "./public.ts";

export interface PublicPageProps {
  c: PageContext;
  found: PublicChannel;
  open: boolean;
  /** Open by the clock, but no technician serving the channel is available right now. */
  unavailable?: boolean;
  /** What the customer typed, by input name, when a submission comes back. */
  values?: Record<string, string>;
  problems?: InputProblem[];
  flash?: string;
}

/**
 * The customer's page for a channel, in the visitor's language: the form when the channel
 * is open; otherwise the admin's message, or a form to leave details for a call back.
 */
export function PublicChannelPage(props: PublicPageProps) {
  const { c, found, open } = props;
  const t = c.get("t");
  const { channel } = found;
  return (
    <Layout c={c} title={channel.name} bare>
      <section class="card narrow">
        <h1>{channel.name}</h1>
        <Flash kind="error" message={props.flash} />
        {open
          ? (
            <>
              <p>{t("channels.public.intro")}</p>
              <CustomerForm
                {...props}
                action={`/c/${channel.slug}`}
                submit={t("channels.public.start")}
              />
            </>
          )
          : <ClosedNotice {...props} />}
      </section>
    </Layout>
  );
}

function ClosedNotice(props: PublicPageProps) {
  const { c, found } = props;
  const t = c.get("t");
  const { channel } = found;
  return (
    <>
      <h2>
        {t(props.unavailable ? "channels.public.unavailableTitle" : "channels.public.closedTitle")}
      </h2>
      {channel.unavailableMessage
        ? <p class="prewrap">{channel.unavailableMessage}</p>
        : channel.unavailableAction === "message" && (
          // Open but unstaffed: the opening hours are now, so not "come back during them".
          <p>
            {t(
              props.unavailable
                ? "channels.public.unavailableDefault"
                : "channels.public.closedDefault",
            )}
          </p>
        )}
      <OpeningHoursList c={c} found={found} />
      {channel.unavailableAction === "callback" && (
        <>
          <h2>{t("channels.public.callbackTitle")}</h2>
          <p>{t("channels.public.callbackIntro")}</p>
          <CustomerForm
            {...props}
            action={`/c/${channel.slug}/callback`}
            submit={t("channels.public.callbackSend")}
            contact
          />
        </>
      )}
    </>
  );
}

function OpeningHoursList(props: { c: PageContext; found: PublicChannel }) {
  const hours = props.found.channel.openingHours;
  if (!hours.enabled) return null;
  const t = props.c.get("t");
  const dayName = new Intl.DateTimeFormat(props.c.get("lang"), {
    weekday: "long",
    timeZone: "UTC",
  });
  return (
    <>
      <h3>{t("channels.public.hoursTitle")}</h3>
      <table class="public-hours">
        <tbody>
          {WEEKDAYS.map((day) => {
            const ranges = hours.days[day] ?? [];
            return (
              <tr>
                <th scope="row">{dayName.format(new Date(Date.UTC(2026, 0, 4 + Number(day))))}</th>
                <td>
                  {ranges.length === 0
                    ? t("channels.public.closedDay")
                    : ranges.map(([start, end]) => `${start}–${end}`).join(", ")}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p class="muted">{t("channels.public.hoursZone", { zone: hours.timeZone })}</p>
    </>
  );
}

function CustomerForm(
  props: PublicPageProps & { action: string; submit: string; contact?: boolean },
) {
  const { c, found } = props;
  const t = c.get("t");
  const values = props.values ?? {};
  const problems = props.problems ?? [];
  return (
    <form method="post" action={props.action} novalidate>
      <CsrfField c={c} />
      <ProblemSummary t={t} problems={problems} brief />
      <p class="muted">{t("channels.public.requiredHint")}</p>
      <TextInput
        name="name"
        label={t("channels.public.yourName")}
        value={values.name}
        max={CUSTOMER_NAME_MAX}
        required
        problems={problems}
        c={c}
      />
      {props.contact && (
        <TextInput
          name="contact"
          label={t("channels.public.contact")}
          value={values.contact}
          max={CONTACT_MAX}
          required
          problems={problems}
          c={c}
        />
      )}
      {found.fields.map((field: FormField) => (
        <TextInput
          name={`f_${field.id}`}
          label={field.label}
          value={values[`f_${field.id}`]}
          max={field.maxLength}
          required={field.required}
          problems={problems}
          c={c}
        />
      ))}
      <button type="submit">{props.submit}</button>
    </form>
  );
}

function TextInput(
  props: {
    c: PageContext;
    name: string;
    label: string;
    value?: string;
    max: number;
    required: boolean;
    problems: InputProblem[];
  },
) {
  const t = props.c.get("t");
  const id = `in-${props.name}`;
  const invalid = props.problems.some((p) => p.path === props.name);
  return (
    <>
      <label for={id}>
        {props.label}
        {props.required && <span class="required" aria-hidden="true">*</span>}
      </label>
      <input
        id={id}
        type="text"
        name={props.name}
        value={props.value ?? ""}
        maxlength={props.max}
        required={props.required}
        aria-invalid={invalid ? "true" : undefined}
      />
      <FieldProblems t={t} problems={props.problems} path={props.name} />
    </>
  );
}

/** The answer to a submitted form: the session placeholder or the callback receipt. */
export function PublicThanksPage(
  props: { c: PageContext; found: PublicChannel; kind: "session" | "callback" },
) {
  const t = props.c.get("t");
  return (
    <Layout c={props.c} title={props.found.channel.name} bare>
      <section class="card narrow">
        <h1>{props.found.channel.name}</h1>
        <p role="status">
          {props.kind === "session"
            ? t("channels.public.thanksSession")
            : t("channels.public.thanksCallback")}
        </p>
      </section>
    </Layout>
  );
}
