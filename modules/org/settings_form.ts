import type { Translator } from "../i18n/mod.ts";
import { type GroupSettings, GroupSettingsSchema } from "./settings.ts";

const FIELDS = Object.keys(GroupSettingsSchema.def.shape ?? {}) as (keyof GroupSettings)[];
const FLAGS: (keyof GroupSettings)[] = [
  "autoStartPrivate",
  "surveyEnabled",
  "termsEnabled",
  "monitoringNotice",
  "monitoringAuthorisation",
  "externalByLink",
  "externalByEmail",
  "externalByPin",
];
const RANGES: Partial<Record<keyof GroupSettings, [number, number]>> = {
  connectingTimeout: [1, 1440],
  waitingTimeout: [1, 1440],
  inactivityTimeout: [1, 1440],
  holdMaxDays: [1, 14],
  maxActiveSessions: [1, 10],
  maxTechniciansPerSession: [2, 10],
  idleToAway: [1, 1440],
  urgentAfterWaiting: [1, 1440],
  recordingRetentionDays: [0, 3650],
};

/** A settings form as the schema expects it: unchecked boxes are false, questions a list. */
export function settingsFromForm(body: Record<string, unknown>): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const field of FIELDS) {
    const value = body[field];
    const one = Array.isArray(value) ? value[0] : value;
    if (typeof one === "string") raw[field] = one;
  }
  for (const flag of FLAGS) raw[flag] = raw[flag] === "1";
  raw.surveyQuestions = String(raw.surveyQuestions ?? "").split(/\r?\n/).map((q) => q.trim())
    .filter(Boolean);
  return raw;
}

/** One clear, translated message per field the schema refused. */
export function settingsErrors(
  t: Translator,
  issues: { path: PropertyKey[]; message: string }[],
): Partial<Record<keyof GroupSettings, string>> {
  const errors: Partial<Record<keyof GroupSettings, string>> = {};
  for (const issue of issues) {
    const field = String(issue.path[0]) as keyof GroupSettings;
    if (errors[field]) continue;
    const range = RANGES[field];
    if (range) errors[field] = t("groupSettings.wholeNumber", { min: range[0], max: range[1] });
    else if (issue.message === "surveyNeedsContent") {
      errors[field] = t("groupSettings.surveyNeedsContent");
    } else if (issue.message === "termsNeedText") errors[field] = t("groupSettings.termsNeedText");
    else if (
      issue.message === "folder_notAbsolute" || issue.message === "folder_notFolder" ||
      issue.message === "folder_notWritable"
    ) errors[field] = t(`groupSettings.${issue.message}`);
    else if (issue.message === "unknownPlaceholder") {
      errors[field] = t("groupSettings.unknownPlaceholder");
    } else errors[field] = t("groupSettings.invalidValue");
  }
  return errors;
}
