CREATE TABLE "lens_sessions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"technician_id" uuid NOT NULL,
	"group_id" uuid,
	"customer_name" text,
	"sent_via" text DEFAULT 'link' NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"live_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"end_reason" text,
	"recorded" boolean DEFAULT false NOT NULL,
	"instance_id" uuid NOT NULL
);
--> statement-breakpoint
ALTER TABLE "lens_sessions" ADD CONSTRAINT "lens_sessions_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lens_sessions" ADD CONSTRAINT "lens_sessions_technician_id_users_id_fk" FOREIGN KEY ("technician_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lens_sessions" ADD CONSTRAINT "lens_sessions_group_id_technician_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."technician_groups"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "lens_sessions_org_created_idx" ON "lens_sessions" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE INDEX "lens_sessions_technician_ended_idx" ON "lens_sessions" USING btree ("technician_id","ended_at");--> statement-breakpoint
CREATE INDEX "lens_sessions_open_idx" ON "lens_sessions" USING btree ("instance_id") WHERE "lens_sessions"."ended_at" is null;