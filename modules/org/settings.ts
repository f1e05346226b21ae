import { z } from "zod";

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
  emailSubject: template(200).default("Remote support from {{organisation}}"),
  emailTemplate: template(5000).default(
    "Hello {{customerName}},\n\n{{technicianName}} is ready to help you. " +
      "Open this link to connect: {{link}}\n(or enter the code {{pin}}).",
  ),
  termsEnabled: flag.default(false),
  termsText: z.string().max(10_000).default(""),
  recordingPolicy: z.enum(["off", "optional", "always"]).default("off"),
  recordingLocation: z.string().trim().max(500).default(""),
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
 * Settings whose feature is not built yet — no recording — or
 * that gave way to something else (the customer survey is set per group and channel in
 * modules/surveys, with typed questions) — so they stay at their defaults: the admin page shows them switched
 * off with the reason, saving puts them back to the default, and the API refuses any
 * other value. The issue that builds a feature takes its settings off this list.
 */
export const UNAVAILABLE_SETTINGS = [
  "surveyEnabled",
  "surveyUrl",
  "surveyQuestions",
  "recordingPolicy",
  "recordingLocation",
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
