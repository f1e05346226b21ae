CREATE TABLE "survey_answers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"session_id" uuid NOT NULL,
	"org_id" uuid NOT NULL,
	"group_id" uuid,
	"channel_id" uuid,
	"technician_id" uuid,
	"answered_at" timestamp with time zone NOT NULL,
	"score" real,
	"answers" jsonb NOT NULL,
	CONSTRAINT "survey_answers_score_range" CHECK ("survey_answers"."score" is null or ("survey_answers"."score" between 1 and 5))
);
--> statement-breakpoint
CREATE TABLE "survey_forms" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"group_id" uuid,
	"channel_id" uuid,
	"enabled" boolean DEFAULT false NOT NULL,
	"external_url" text DEFAULT '' NOT NULL,
	"questions" jsonb NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "survey_forms_one_owner" CHECK (("survey_forms"."group_id" is null) <> ("survey_forms"."channel_id" is null))
);
--> statement-breakpoint
ALTER TABLE "support_sessions" ADD COLUMN "device_id" text;--> statement-breakpoint
ALTER TABLE "survey_answers" ADD CONSTRAINT "survey_answers_session_id_support_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."support_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_answers" ADD CONSTRAINT "survey_answers_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_answers" ADD CONSTRAINT "survey_answers_group_id_technician_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."technician_groups"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_answers" ADD CONSTRAINT "survey_answers_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_answers" ADD CONSTRAINT "survey_answers_technician_id_users_id_fk" FOREIGN KEY ("technician_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_forms" ADD CONSTRAINT "survey_forms_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_forms" ADD CONSTRAINT "survey_forms_group_id_technician_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."technician_groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_forms" ADD CONSTRAINT "survey_forms_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_forms" ADD CONSTRAINT "survey_forms_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "survey_answers_session_idx" ON "survey_answers" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "survey_answers_org_idx" ON "survey_answers" USING btree ("org_id","answered_at");--> statement-breakpoint
CREATE INDEX "survey_answers_technician_idx" ON "survey_answers" USING btree ("technician_id","answered_at");--> statement-breakpoint
CREATE INDEX "survey_answers_group_idx" ON "survey_answers" USING btree ("group_id","answered_at");--> statement-breakpoint
CREATE INDEX "survey_answers_channel_idx" ON "survey_answers" USING btree ("channel_id","answered_at");--> statement-breakpoint
CREATE UNIQUE INDEX "survey_forms_group_idx" ON "survey_forms" USING btree ("group_id");--> statement-breakpoint
CREATE UNIQUE INDEX "survey_forms_channel_idx" ON "survey_forms" USING btree ("channel_id");--> statement-breakpoint
CREATE INDEX "session_log_chat_fts_idx" ON "session_log" USING gin (to_tsvector('simple', "body")) WHERE "session_log"."kind" = 'chat';--> statement-breakpoint
CREATE INDEX "session_notes_fts_idx" ON "session_notes" USING gin (to_tsvector('simple', "body"));--> statement-breakpoint
CREATE INDEX "support_sessions_device_idx" ON "support_sessions" USING btree ("org_id","device_id");--> statement-breakpoint
CREATE INDEX "support_sessions_contact_idx" ON "support_sessions" USING btree ("org_id",lower("customer_contact"));--> statement-breakpoint
CREATE INDEX "support_sessions_name_idx" ON "support_sessions" USING btree ("org_id",lower("customer_name"));