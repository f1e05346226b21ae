import { z } from "zod";
import { type Language, LANGUAGES, rawString } from "../i18n/mod.ts";

/**
 * SPEC A8: a technician group's settings — one zod schema that the admin form, the API and
 * the database all go through, so "abc" or −5 is refused the same way everywhere.
 * Minutes unless the name says otherwise.
 */
const minutes = (max: number) => z.coerce.number().int().min(1).max(max);
const flag = z.preprocess(
  (v) => v === true || v === "1" || v === "on" || v === "true",
  z.boolean(),
);

export const EMAIL_PLACEHOLDERS = [
  "customerName",
  "technicianName",
  "link",
  "pin",
  "organisation",
] as const;

/** Template text that uses only the placeholders the e-mail can fill. */
const template = (max: number) =>
  z.string().trim().min(1).max(max).refine(
    (text) =>
      placeholdersIn(text).every((name) =>
        (EMAIL_PLACEHOLDERS as readonly string[]).includes(name)
      ),
    { message: "unknownPlaceholder" },
  );

type EmailText = "emailSubject" | "emailTemplate";

/**
 * The connection e-mail's default subject and message in each language, from the locale
 * files (groupSettings.defaultEmailSubject / defaultEmailTemplate). A group keeps the
 * English one while no admin has written its own: that is what rows held before the
 * default came from the locales, so they stay defaults without a migration.
 */
const EMAIL_DEFAULTS = Object.fromEntries(LANGUAGES.map((lang) => [lang, {
  emailSubject: rawString(lang, "groupSettings.defaultEmailSubject"),
  emailTemplate: rawString(lang, "groupSettings.defaultEmailTemplate"),
}])) as Record<Language, Record<EmailText, string>>;

// A textarea sends CRLF line ends, so the default saved from the form had them.
const _plain = (text: string) => text.replace(/\r\n?/g, "\n").trim();

/** Whether `text` is the default of `field` in some language (not an admin's own). */
export function isDefaultEmailText(field: EmailText, text: unknown): boolean {
  return typeof text === "string" &&
    Object.values(EMAIL_DEFAULTS).some((texts) => texts[field] === _plain(text));
}

// A default in any language — a Dutch admin saving the form unchanged, the API given the
// Dutch text — is stored as the English one, so it stays a default and is sent translated.
function _asStored(field: EmailText, text: string): string {
  return isDefaultEmailText(field, text) ? EMAIL_DEFAULTS.en[field] : text;
}

/**
 * The connection e-mail's subject and message for someone working in `lang`: an admin's
 * text as written, the default in `lang` (the sending technician's, the admin's reading
 * the settings page). `renderTemplate` then fills in the placeholders.
 */
export function emailTextIn(
  settings: Partial<Record<EmailText, unknown>>,
  lang: Language,
): Record<EmailText, string> {
  const pick = (field: EmailText) =>
    isDefaultEmailText(field, settings[field]) || settings[field] === undefined
      ? EMAIL_DEFAULTS[lang][field]
      : String(settings[field]);
  return { emailSubject: pick("emailSubject"), emailTemplate: pick("emailTemplate") };
}

export const GroupSettingsSchema = z.object({
  connectingTimeout: minutes(24 * 60).default(20),
  waitingTimeout: minutes(24 * 60).default(30),
  inactivityTimeout: minutes(24 * 60).default(60),
  holdMaxDays: z.coerce.number().int().min(1).max(14).default(14),
  autoStartPrivate: flag.default(false),
  maxActiveSessions: z.coerce.number().int().min(1).max(10).default(10),
  /** Technicians in one session, lead and collaborators (K3 recommends 4–5; collaboration). */
  maxTechniciansPerSession: z.coerce.number().int().min(2).max(10).default(5),
  idleToAway: minutes(24 * 60).default(15),
  urgentAfterWaiting: minutes(24 * 60).default(5),
  surveyEnabled: flag.default(false),
  surveyUrl: z.union([z.literal(""), z.url({ protocol: /^https?$/ })]).default(""),
  surveyQuestions: z.array(z.string().trim().min(1).max(300)).max(10).default([]),
  emailSubject: template(200).transform((text) => _asStored("emailSubject", text))
    .default(EMAIL_DEFAULTS.en.emailSubject),
  emailTemplate: template(5000).transform((text) => _asStored("emailTemplate", text))
    .default(EMAIL_DEFAULTS.en.emailTemplate),
  termsEnabled: flag.default(false),
  termsText: z.string().max(10_000).default(""),
  recordingPolicy: z.enum(["off", "optional", "always"]).default("off"),
  recordingLocation: z.string().trim().max(500).default(""),
  /** Days a recording's part is kept, then deleted (modules/recording's retention); 0 keeps. */
  recordingRetentionDays: z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? 0 : v),
    z.coerce.number().int().min(0).max(3650),
  ).default(0),
  monitoringNotice: flag.default(false),
  monitoringNoticeText: z.string().max(1000).default(""),
  /** Monitoring waits for the technician's consent (modules/monitoring, SPEC K4). */
  monitoringAuthorisation: flag.default(false),
  /** Unattended access (modules/unattended): none, another's approval, or a ticket reference. */
  unattendedApproval: z.enum(["none", "approval", "ticket"]).default("none"),
  /** How this group's technicians may invite an external technician (modules/external). */
  externalByLink: flag.default(true),
  externalByEmail: flag.default(true),
  externalByPin: flag.default(true),
}).superRefine((s, ctx) => {
  if (s.surveyEnabled && !s.surveyUrl && s.surveyQuestions.length === 0) {
    ctx.addIssue({
      code: "custom",
      path: ["surveyQuestions"],
      message: "surveyNeedsContent",
    });
  }
  if (s.termsEnabled && !s.termsText.trim()) {
    ctx.addIssue({ code: "custom", path: ["termsText"], message: "termsNeedText" });
  }
});

export type GroupSettings = z.infer<typeof GroupSettingsSchema>;

export function defaultGroupSettings(): GroupSettings {
  return GroupSettingsSchema.parse({});
}

/**
 * Settings that
 * gave way to something else (the customer survey is set per group and channel in
 * modules/surveys, with typed questions) — so they stay at their defaults: the admin page shows them switched
 * off with the reason, saving puts them back to the default, and the API refuses any
 * other value. The issue that builds a feature takes its settings off this list.
 */
export const UNAVAILABLE_SETTINGS = [
  "surveyEnabled",
  "surveyUrl",
  "surveyQuestions",
] as const satisfies readonly (keyof GroupSettings)[];

export function isSettingAvailable(name: string): boolean {
  return !(UNAVAILABLE_SETTINGS as readonly string[]).includes(name);
}

/** `settings` with every unavailable setting at its default (what is stored and shown). */
export function withUnavailableAtDefaults(settings: GroupSettings): GroupSettings {
  const defaults = defaultGroupSettings();
  const out: Record<string, unknown> = { ...settings };
  for (const name of UNAVAILABLE_SETTINGS) out[name] = defaults[name];
  return out as GroupSettings;
}

/** The unavailable settings `raw` sets to anything but their default, in list order. */
export function unavailableSettingsIn(raw: Record<string, unknown>): string[] {
  const defaults = defaultGroupSettings();
  const shape = GroupSettingsSchema.shape;
  return UNAVAILABLE_SETTINGS.filter((name) => {
    if (!(name in raw)) return false;
    const parsed = shape[name].safeParse(raw[name]);
    return !parsed.success || JSON.stringify(parsed.data) !== JSON.stringify(defaults[name]);
  });
}

export function placeholdersIn(template: string): string[] {
  return [...template.matchAll(/\{\{\s*([A-Za-z]+)\s*\}\}/g)].map((m) => m[1]);
}

/** Fills `{{name}}` placeholders; unknown ones are left as they are. */
export function renderTemplate(template: string, values: Record<string, string>): string {
  return template.replace(
    /\{\{\s*([A-Za-z]+)\s*\}\}/g,
    (whole, name: string) => values[name] ?? whole,
  );
}
