CREATE TABLE "device_challenges" (
	"nonce" text PRIMARY KEY NOT NULL,
	"device_id" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "devices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"device_id" text NOT NULL,
	"name" text NOT NULL,
	"os" text NOT NULL,
	"public_key" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone,
	"online_instance" uuid,
	"online_since" timestamp with time zone,
	"last_session_id" uuid,
	"removed_at" timestamp with time zone,
	"removed_by" uuid
);
--> statement-breakpoint
CREATE TABLE "unattended_approvals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"device_ref" uuid NOT NULL,
	"requester_id" uuid NOT NULL,
	"reason" text DEFAULT '' NOT NULL,
	"state" text NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"decider_id" uuid,
	"decided_at" timestamp with time zone,
	"used_at" timestamp with time zone,
	"session_id" uuid
);
--> statement-breakpoint
CREATE TABLE "unattended_connections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"device_ref" uuid NOT NULL,
	"grant_id" uuid,
	"user_id" uuid,
	"session_id" uuid,
	"outcome" text NOT NULL,
	"reason" text DEFAULT '' NOT NULL,
	"ticket" text,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "unattended_grants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"device_ref" uuid NOT NULL,
	"owner_user_id" uuid NOT NULL,
	"shared_group_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"shared_user_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"auth_mode" text NOT NULL,
	"window" jsonb NOT NULL,
	"time_zone" text NOT NULL,
	"requested_in_session" uuid,
	"approved_at" timestamp with time zone NOT NULL,
	"approval_signature" text NOT NULL,
	"approval_nonce" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"revoked_by" uuid,
	"revoked_reason" text
);
--> statement-breakpoint
CREATE TABLE "unattended_removals" (
	"grant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"removed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "unattended_removals_grant_id_user_id_pk" PRIMARY KEY("grant_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "devices" ADD CONSTRAINT "devices_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "devices" ADD CONSTRAINT "devices_online_instance_instances_id_fk" FOREIGN KEY ("online_instance") REFERENCES "public"."instances"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "devices" ADD CONSTRAINT "devices_last_session_id_support_sessions_id_fk" FOREIGN KEY ("last_session_id") REFERENCES "public"."support_sessions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "devices" ADD CONSTRAINT "devices_removed_by_users_id_fk" FOREIGN KEY ("removed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unattended_approvals" ADD CONSTRAINT "unattended_approvals_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unattended_approvals" ADD CONSTRAINT "unattended_approvals_device_ref_devices_id_fk" FOREIGN KEY ("device_ref") REFERENCES "public"."devices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unattended_approvals" ADD CONSTRAINT "unattended_approvals_requester_id_users_id_fk" FOREIGN KEY ("requester_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unattended_approvals" ADD CONSTRAINT "unattended_approvals_decider_id_users_id_fk" FOREIGN KEY ("decider_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unattended_approvals" ADD CONSTRAINT "unattended_approvals_session_id_support_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."support_sessions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unattended_connections" ADD CONSTRAINT "unattended_connections_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unattended_connections" ADD CONSTRAINT "unattended_connections_device_ref_devices_id_fk" FOREIGN KEY ("device_ref") REFERENCES "public"."devices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unattended_connections" ADD CONSTRAINT "unattended_connections_grant_id_unattended_grants_id_fk" FOREIGN KEY ("grant_id") REFERENCES "public"."unattended_grants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unattended_connections" ADD CONSTRAINT "unattended_connections_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unattended_connections" ADD CONSTRAINT "unattended_connections_session_id_support_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."support_sessions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unattended_grants" ADD CONSTRAINT "unattended_grants_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unattended_grants" ADD CONSTRAINT "unattended_grants_device_ref_devices_id_fk" FOREIGN KEY ("device_ref") REFERENCES "public"."devices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unattended_grants" ADD CONSTRAINT "unattended_grants_owner_user_id_users_id_fk" FOREIGN KEY ("owner_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unattended_grants" ADD CONSTRAINT "unattended_grants_requested_in_session_support_sessions_id_fk" FOREIGN KEY ("requested_in_session") REFERENCES "public"."support_sessions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unattended_grants" ADD CONSTRAINT "unattended_grants_revoked_by_users_id_fk" FOREIGN KEY ("revoked_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unattended_removals" ADD CONSTRAINT "unattended_removals_grant_id_unattended_grants_id_fk" FOREIGN KEY ("grant_id") REFERENCES "public"."unattended_grants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unattended_removals" ADD CONSTRAINT "unattended_removals_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "devices_org_device_idx" ON "devices" USING btree ("org_id","device_id");--> statement-breakpoint
CREATE INDEX "unattended_approvals_device_idx" ON "unattended_approvals" USING btree ("org_id","device_ref","state");--> statement-breakpoint
CREATE INDEX "unattended_connections_device_idx" ON "unattended_connections" USING btree ("device_ref","at");--> statement-breakpoint
CREATE UNIQUE INDEX "unattended_grants_nonce_idx" ON "unattended_grants" USING btree ("approval_nonce");--> statement-breakpoint
CREATE INDEX "unattended_grants_device_idx" ON "unattended_grants" USING btree ("device_ref");