import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  jsonb,
  pgTable,
  real,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { organisations, users } from "../auth/schema.ts";
import { channels } from "../channels/schema.ts";
import { technicianGroups } from "../org/schema.ts";
import { supportSessions } from "../support/schema.ts";

const at = (name: string) => timestamp(name, { withTimezone: true });

export type SurveyQuestionKind = "rating" | "choice" | "text";

/** One question of a survey, in the order the customer sees them. */
export interface SurveyQuestion {
  /** Stable within its form, so an answer names the question it answers. */
  id: string;
  kind: SurveyQuestionKind;
  label: string;
  /** The options of a `choice` question (2–10); empty for the others. */
  choices: string[];
  required: boolean;
}

/**
 * The customer survey of one technician group or one channel (SPEC T4): either questions
 * asked on the customer's page or an external survey address that gets the session id.
 */
export const surveyForms = pgTable("survey_forms", {
  id: uuid("id").primaryKey().defaultRandom(),
  orgId: uuid("org_id").notNull().references(() => organisations.id),
  groupId: uuid("group_id").references(() => technicianGroups.id, { onDelete: "cascade" }),
  channelId: uuid("channel_id").references(() => channels.id, { onDelete: "cascade" }),
  enabled: boolean("enabled").notNull().default(false),
  /** With `{sessionId}` in it, or the id appended as `session=`; "" for our own questions. */
  externalUrl: text("external_url").notNull().default(""),
  questions: jsonb("questions").$type<SurveyQuestion[]>().notNull(),
  updatedBy: uuid("updated_by").references(() => users.id),
  updatedAt: at("updated_at").notNull(),
}, (t) => [
  uniqueIndex("survey_forms_group_idx").on(t.groupId),
  uniqueIndex("survey_forms_channel_idx").on(t.channelId),
  check("survey_forms_one_owner", sql`(${t.groupId} is null) <> (${t.channelId} is null)`),
]);

/** One answer of a question, kept with its wording at the time of answering. */
export interface SurveyAnswer {
  questionId: string;
  kind: SurveyQuestionKind;
  label: string;
  /** A rating 1–5, the chosen option, or the text; null when skipped. */
  value: number | string | null;
}

/**
 * A customer's answers to a session's survey — at most one row per session. `score` is the
 * mean of the rating answers (1–5), null when the survey had none or they were skipped.
 * Reports read this table; its shape is shared with them.
 */
export const surveyAnswers = pgTable("survey_answers", {
  id: uuid("id").primaryKey().defaultRandom(),
  sessionId: uuid("session_id").notNull().references(() => supportSessions.id, {
    onDelete: "cascade",
  }),
  orgId: uuid("org_id").notNull().references(() => organisations.id),
  groupId: uuid("group_id").references(() => technicianGroups.id, { onDelete: "set null" }),
  channelId: uuid("channel_id").references(() => channels.id, { onDelete: "set null" }),
  /** The technician who led the session when it was answered. */
  technicianId: uuid("technician_id").references(() => users.id, { onDelete: "set null" }),
  answeredAt: at("answered_at").notNull(),
  score: real("score"),
  answers: jsonb("answers").$type<SurveyAnswer[]>().notNull(),
}, (t) => [
  uniqueIndex("survey_answers_session_idx").on(t.sessionId),
  index("survey_answers_org_idx").on(t.orgId, t.answeredAt),
  index("survey_answers_technician_idx").on(t.technicianId, t.answeredAt),
  index("survey_answers_group_idx").on(t.groupId, t.answeredAt),
  index("survey_answers_channel_idx").on(t.channelId, t.answeredAt),
  check("survey_answers_score_range", sql`${t.score} is null or (${t.score} between 1 and 5)`),
]);
