CREATE TABLE "external_guests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"session_id" uuid NOT NULL,
	"approved_id" uuid,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"organisation" text DEFAULT '' NOT NULL,
	"method" text NOT NULL,
	"language" text,
	"permissions" jsonb NOT NULL,
	"invited_by" uuid NOT NULL,
	"link_hash" text,
	"pin_hash" text,
	"access_hash" text,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"joined_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"end_reason" text,
	"pin_strikes" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "external_technicians" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"organisation" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "external_guests" ADD CONSTRAINT "external_guests_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "external_guests" ADD CONSTRAINT "external_guests_session_id_support_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."support_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "external_guests" ADD CONSTRAINT "external_guests_approved_id_external_technicians_id_fk" FOREIGN KEY ("approved_id") REFERENCES "public"."external_technicians"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "external_guests" ADD CONSTRAINT "external_guests_invited_by_users_id_fk" FOREIGN KEY ("invited_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "external_technicians" ADD CONSTRAINT "external_technicians_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "external_guests_session_idx" ON "external_guests" USING btree ("session_id");--> statement-breakpoint
CREATE UNIQUE INDEX "external_guests_link_idx" ON "external_guests" USING btree ("link_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "external_guests_pin_idx" ON "external_guests" USING btree ("pin_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "external_guests_access_idx" ON "external_guests" USING btree ("access_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "external_technicians_email_idx" ON "external_technicians" USING btree ("org_id",lower("email"));