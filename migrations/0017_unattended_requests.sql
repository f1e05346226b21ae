CREATE TABLE "unattended_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"session_id" uuid NOT NULL,
	"requested_by" uuid NOT NULL,
	"terms" jsonb NOT NULL,
	"digest" text NOT NULL,
	"nonce" text NOT NULL,
	"state" text NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"decided_at" timestamp with time zone,
	"reason" text,
	"grant_id" uuid
);
--> statement-breakpoint
ALTER TABLE "unattended_requests" ADD CONSTRAINT "unattended_requests_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unattended_requests" ADD CONSTRAINT "unattended_requests_session_id_support_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."support_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unattended_requests" ADD CONSTRAINT "unattended_requests_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unattended_requests" ADD CONSTRAINT "unattended_requests_grant_id_unattended_grants_id_fk" FOREIGN KEY ("grant_id") REFERENCES "public"."unattended_grants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "unattended_requests_session_idx" ON "unattended_requests" USING btree ("session_id","requested_at");