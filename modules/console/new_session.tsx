/**
 * The New session dialog (SPEC C1–C4): the form for one connection method, reading it,
 * and what the technician sees once the session exists — the PIN, the link to copy, and
 * how the invitation travels (the server's outbox, the technician's own mail program, or
 * the SMS outbox).
 */
import type { PageContext } from "../http/mod.ts";
import {
  isLanguage,
  type Language,
  languageName,
  LANGUAGES,
  type TranslationKey,
} from "../i18n/mod.ts";
import { normalisePhoneNumber } from "../sms/mod.ts";
import type { ConnectionMethod } from "./methods.ts";
import type { QueueColumnField } from "./queue_context.ts";
import { CopyButton } from "../../views/copy_button.tsx";

type C = PageContext;

export interface NewSessionField extends QueueColumnField {
  maxLength: number;
}

export interface NewSessionDraft {
  name: string;
  fields: Record<string, string>;
  contact: string;
  /** E-mail only: the server sends it, or the technician's own mail program. */
  via: "server" | "client";
  /** E-mail and SMS: the language the invitation is written in (the customer's). */
  language: Language;
}

export type NewSessionProblems = Partial<Record<string, TranslationKey>>;

const EMAIL = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;

export function emptyDraft(smtpConfigured: boolean, language: Language): NewSessionDraft {
  return {
    name: "",
    fields: {},
    contact: "",
    via: smtpConfigured ? "server" : "client",
    language,
  };
}

/** Reads and checks the form; `problems` maps a form field to the message shown under it. */
export function readNewSession(
  form: Record<string, string>,
  method: ConnectionMethod,
  fields: readonly NewSessionField[],
  options: { language: Language },
): { draft: NewSessionDraft; problems: NewSessionProblems } {
  const problems: NewSessionProblems = {};
  const name = (form.name ?? "").trim();
  if (!name) problems.name = "console.nameRequired";
  else if (name.length > 100) problems.name = "console.valueTooLong";
  const values: Record<string, string> = {};
  for (const field of fields) {
    const value = (form[`f_${field.id}`] ?? "").trim();
    if (value.length > field.maxLength) problems[`f_${field.id}`] = "console.valueTooLong";
    if (value) values[field.id] = value;
  }
  const contact = (form.contact ?? "").trim();
  const via = form.via === "client" ? "client" : "server";
  if (method === "email" && !EMAIL.test(contact)) problems.contact = "console.emailInvalid";
  if (method === "email" && contact.length > 200) problems.contact = "console.valueTooLong";
  if (method === "sms") {
    try {
      normalisePhoneNumber(contact);
    } catch {
      problems.contact = "sms.invalidNumber";
    }
  }
  // The invitation's language: one of ours (a form without it: the technician's own).
  const language = form.language === undefined ? options.language : form.language;
  if ((method === "email" || method === "sms") && !isLanguage(language)) {
    problems.language = "errors.badLanguage";
  }
  return {
    draft: {
      name,
      fields: values,
      contact,
      via,
      language: isLanguage(language) ? language : options.language,
    },
    problems,
  };
}

export function NewSessionDialog(
  props: {
    c: C;
    method: ConnectionMethod;
    fields: readonly NewSessionField[];
    draft: NewSessionDraft;
    problems?: NewSessionProblems;
  },
) {
  const { c, method, draft } = props;
  const t = c.get("t");
  const problems = props.problems ?? {};
  const problem = (name: string) => {
    const key = problems[name];
    return key && <p class="field-error" role="alert" id={`ns-problem-${name}`}>{t(key)}</p>;
  };
  const invalid = (name: string) => (problems[name] ? "true" : undefined);
  /** The e-mail address or phone number the invitation goes to. */
  const contact = (type: "email" | "tel", label: string) => (
    <>
      <label for="ns-contact">{label}</label>
      <input
        id="ns-contact"
        type={type}
        name="contact"
        required
        value={draft.contact}
        aria-invalid={invalid("contact")}
      />
      {problem("contact")}
    </>
  );
  /** The language the e-mail or SMS is written in: the customer's, the technician's by default. */
  const languagePicker = (
    <>
      <label for="ns-language">{t("console.inviteLanguage")}</label>
      <select id="ns-language" name="language" aria-invalid={invalid("language")}>
        {LANGUAGES.map((lang) => (
          <option value={lang} selected={lang === draft.language}>{languageName(lang)}</option>
        ))}
      </select>
      {problem("language")}
    </>
  );
  return (
    <div class="card dialog" id="new-session-dialog" data-method={method}>
      <h2>{t(`console.method_${method}`)}</h2>
      <form id="new-session-form" hx-post="/console/sessions" hx-target="#new-session">
        <input type="hidden" name="method" value={method} />
        <label for="ns-name">{t("console.customerName")}</label>
        <input
          id="ns-name"
          type="text"
          name="name"
          maxlength={100}
          required
          value={draft.name}
          aria-invalid={invalid("name")}
        />
        {problem("name")}
        {props.fields.map((field) => (
          <>
            <label for={`ns-f-${field.id}`}>{field.label}</label>
            <input
              id={`ns-f-${field.id}`}
              type="text"
              name={`f_${field.id}`}
              maxlength={field.maxLength}
              value={draft.fields[field.id] ?? ""}
              aria-invalid={invalid(`f_${field.id}`)}
            />
            {problem(`f_${field.id}`)}
          </>
        ))}
        {method === "email" && (
          <>
            {contact("email", t("console.customerEmail"))}
            <fieldset class="plain">
              <legend>{t("console.sendVia")}</legend>
              <label class="check">
                <input type="radio" name="via" value="server" checked={draft.via === "server"} />
                {t("console.via_server")}
              </label>
              <label class="check">
                <input type="radio" name="via" value="client" checked={draft.via === "client"} />
                {t("console.via_client")}
              </label>
            </fieldset>
            {languagePicker}
          </>
        )}
        {method === "sms" && (
          <>
            {contact("tel", t("console.customerPhone"))}
            {languagePicker}
          </>
        )}
        <div class="row">
          <button type="submit">{t("console.create")}</button>
          <button type="button" class="secondary" data-close-dialog="new-session">
            {t("console.close")}
          </button>
        </div>
      </form>
    </div>
  );
}

export interface CreatedView {
  method: ConnectionMethod;
  pin: string;
  link: string;
  number: number;
  sessionId: string;
  /** E-mail by the technician's own mail program: the filled-in message. */
  mailto?: string;
  delivery?: "email" | "sms";
}

export function mailtoHref(to: string, subject: string, body: string): string {
  return `mailto:${encodeURIComponent(to)}?subject=${encodeURIComponent(subject)}&body=${
    encodeURIComponent(body)
  }`;
}

export function CreatedSessionView(props: { c: C; created: CreatedView }) {
  const { c, created } = props;
  const t = c.get("t");
  return (
    <div
      class="card dialog"
      id="new-session-dialog"
      data-created={String(created.number)}
      data-created-session={created.sessionId}
    >
      <h2>{t("console.created", { number: created.number })}</h2>
      <p>
        {t("console.pinLabel")} <strong id="created-pin" class="pin mono">{created.pin}</strong>
      </p>
      <p class="row tight">
        <span>{t("console.linkLabel")}</span>
        <code id="created-link">{created.link}</code>
        <CopyButton t={t} target="created-link" small />
      </p>
      {created.mailto && (
        <p>
          <a id="mailto-link" class="button" href={created.mailto}>
            {t("console.openMailClient")}
          </a>
        </p>
      )}
      {created.delivery === "email" && (
        <p id="created-delivery" role="status">{t("console.emailQueued")}</p>
      )}
      {created.delivery === "sms" && (
        <p id="created-delivery" role="status">{t("console.smsQueued")}</p>
      )}
      <button type="button" class="secondary" data-close-dialog="new-session">
        {t("console.close")}
      </button>
    </div>
  );
}
