CREATE TABLE "script_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"session_id" uuid NOT NULL,
	"script_id" uuid,
	"trigger" text NOT NULL,
	"name" text NOT NULL,
	"script_sha256" text NOT NULL,
	"resource_sha256" text,
	"started_by" uuid,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"status" text NOT NULL,
	"exit_code" integer,
	"reason" text,
	"output_sha256" text,
	"output_size" integer,
	"output_truncated" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "scripts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"owner_id" uuid,
	"name" text NOT NULL,
	"file_name" text NOT NULL,
	"script_sha256" text NOT NULL,
	"script_size" integer NOT NULL,
	"resource_name" text,
	"resource_sha256" text,
	"resource_size" integer,
	"target_os" text NOT NULL,
	"run_at_start" boolean DEFAULT false NOT NULL,
	"favourite" boolean DEFAULT false NOT NULL,
	"timeout_seconds" integer NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "script_runs" ADD CONSTRAINT "script_runs_session_id_support_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."support_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "script_runs" ADD CONSTRAINT "script_runs_script_id_scripts_id_fk" FOREIGN KEY ("script_id") REFERENCES "public"."scripts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "script_runs" ADD CONSTRAINT "script_runs_started_by_users_id_fk" FOREIGN KEY ("started_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scripts" ADD CONSTRAINT "scripts_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scripts" ADD CONSTRAINT "scripts_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "script_runs_session_idx" ON "script_runs" USING btree ("session_id","started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "script_runs_start_once_idx" ON "script_runs" USING btree ("session_id","script_id") WHERE "script_runs"."trigger" = 'start';--> statement-breakpoint
CREATE INDEX "scripts_owner_idx" ON "scripts" USING btree ("org_id","owner_id","position");