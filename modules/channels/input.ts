import { z } from "zod";
import {
  canonicalTimeZone,
  isTimeZone,
  minuteOfDay,
  TIME_PATTERN,
  WEEKDAYS,
} from "./opening_hours.ts";

/**
 * What an admin (form or API) may say about a channel. Issue messages are stable codes
 * (`nameRequired`, `rangeOrder` …) rather than prose: the admin page translates them
 * with `channels.problem.<code>`, the API passes them on with the path.
 */
export const MAX_RANGES_PER_DAY = 4;
export const MAX_CHANNEL_FIELDS = 20;

const time = z.string().regex(TIME_PATTERN, "timeInvalid");

const range = z.tuple([time, time]).refine(
  ([start, end]) => !TIME_PATTERN.test(start) || !TIME_PATTERN.test(end) || start < end,
  "rangeOrder",
);

const dayRanges = z.array(range).max(MAX_RANGES_PER_DAY, "tooManyRanges").default([])
  .superRefine((ranges, ctx) => {
    const sorted = [...ranges].sort((a, b) => minuteOfDay(a[0]) - minuteOfDay(b[0]));
    for (let i = 1; i < sorted.length; i++) {
      if (minuteOfDay(sorted[i][0]) < minuteOfDay(sorted[i - 1][1])) {
        ctx.addIssue({ code: "custom", message: "rangesOverlap" });
        return;
      }
    }
  })
  .transform((ranges) => [...ranges].sort((a, b) => minuteOfDay(a[0]) - minuteOfDay(b[0])));

const days = z.strictObject(
  Object.fromEntries(WEEKDAYS.map((d) => [d, dayRanges])) as Record<
    typeof WEEKDAYS[number],
    typeof dayRanges
  >,
  { error: "dayUnknown" },
);

export const OpeningHoursSchema = z.object({
  enabled: z.boolean().default(false),
  timeZone: z.string({ error: "timeZoneUnknown" }).refine(isTimeZone, "timeZoneUnknown").transform(
    canonicalTimeZone,
  ),
  days: days.default(() => days.parse({})),
});

const uniqueIds = (ids: string[]) => new Set(ids).size === ids.length;

export const ChannelInputSchema = z.object({
  name: z.string({ error: "nameRequired" }).trim().min(1, "nameRequired").max(100, "nameTooLong"),
  groupIds: z.array(z.uuid("groupUnknown")).max(100).default([])
    .refine(uniqueIds, "groupDuplicate"),
  fields: z.array(z.object({ fieldId: z.uuid("fieldUnknown"), required: z.boolean() }))
    .max(MAX_CHANNEL_FIELDS, "tooManyFields").default([])
    .refine((fields) => uniqueIds(fields.map((f) => f.fieldId)), "fieldDuplicate"),
  openingHours: OpeningHoursSchema.default(() =>
    OpeningHoursSchema.parse({ enabled: false, timeZone: "UTC" })
  ),
  unavailableAction: z.enum(["message", "callback"], { error: "actionUnknown" })
    .default("message"),
  unavailableMessage: z.string().trim().max(2000, "messageTooLong").default(""),
  active: z.boolean().default(true),
}).refine(
  // An active channel without a group puts customers in a queue nobody can see.
  (input) => !input.active || input.groupIds.length > 0,
  {
    path: ["groupIds"],
    message: "groupsRequired",
    // Also when other fields have problems, so the form lists everything at once.
    when: ({ value }) => {
      const v = value as { active?: unknown; groupIds?: unknown } | null;
      return typeof v === "object" && v !== null && Array.isArray(v.groupIds);
    },
  },
);

/** The channel as validated: what the service stores. */
export type ChannelInput = z.output<typeof ChannelInputSchema>;

/** A custom field as an admin defines it; "name" is built in and never listed. */
export const FieldInputSchema = z.object({
  label: z.string({ error: "labelRequired" }).trim().min(1, "labelRequired")
    .max(60, "labelTooLong"),
  maxLength: z.coerce.number({ error: "maxLengthInvalid" }).int("maxLengthInvalid")
    .min(1, "maxLengthInvalid").max(2000, "maxLengthInvalid").default(200),
});
export type FieldInput = z.output<typeof FieldInputSchema>;

/** One problem with the input, as the form shows it: where (dotted path) and which code. */
export interface InputProblem {
  path: string;
  code: string;
}

export function problemsOf(error: z.ZodError): InputProblem[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    code: issue.code === "custom" || /^[a-z][A-Za-z]+$/.test(issue.message)
      ? issue.message
      : "invalid",
  }));
}

/** The channel form's contents before validation (also how a saved channel is shown). */
export interface ChannelDraft {
  name: string;
  groupIds: string[];
  fields: { fieldId: string; required: boolean }[];
  openingHours: { enabled: boolean; timeZone: string; days: Record<string, [string, string][]> };
  unavailableAction: string | undefined;
  unavailableMessage: string;
  active: boolean;
}

/**
 * Turns the admin form into the shape `ChannelInputSchema` reads: checkboxes
 * `group_<id>`, selects `field_<id>` = off | optional | required (in `fieldOrder`), and
 * `hours_<day>_<n>_start` / `_end` pairs, where a pair left empty is no range at all.
 */
export function channelInputFromForm(
  form: Record<string, string>,
  fieldOrder: readonly string[],
): ChannelDraft {
  const groupIds = Object.keys(form).filter((k) => k.startsWith("group_")).map((k) => k.slice(6));
  const listed = Object.keys(form).filter((k) => k.startsWith("field_")).map((k) => k.slice(6));
  const ordered = [
    ...fieldOrder.filter((id) => listed.includes(id)),
    ...listed.filter((id) => !fieldOrder.includes(id)),
  ];
  const fields = ordered.filter((id) => form[`field_${id}`] !== "off")
    .map((fieldId) => ({ fieldId, required: form[`field_${fieldId}`] === "required" }));
  const days: Record<string, [string, string][]> = {};
  for (const day of WEEKDAYS) {
    days[day] = [];
    for (let n = 0; n < MAX_RANGES_PER_DAY; n++) {
      const start = (form[`hours_${day}_${n}_start`] ?? "").trim();
      const end = (form[`hours_${day}_${n}_end`] ?? "").trim();
      if (start || end) days[day].push([start, end]);
    }
  }
  return {
    name: form.name ?? "",
    groupIds,
    fields,
    openingHours: {
      enabled: form.hoursEnabled === "on",
      timeZone: form.timeZone ?? "",
      days,
    },
    unavailableAction: form.unavailableAction,
    unavailableMessage: form.unavailableMessage ?? "",
    active: form.active === "on",
  };
}
