CREATE TABLE "lan_host_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"device_ref" uuid NOT NULL,
	"address" text NOT NULL,
	"key_type" text NOT NULL,
	"fingerprint" text NOT NULL,
	"accepted_by" uuid,
	"accepted_by_name" text NOT NULL,
	"accepted_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "support_sessions" ADD COLUMN "no_desktop" jsonb;--> statement-breakpoint
ALTER TABLE "lan_host_keys" ADD CONSTRAINT "lan_host_keys_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lan_host_keys" ADD CONSTRAINT "lan_host_keys_device_ref_devices_id_fk" FOREIGN KEY ("device_ref") REFERENCES "public"."devices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lan_host_keys" ADD CONSTRAINT "lan_host_keys_accepted_by_users_id_fk" FOREIGN KEY ("accepted_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "lan_host_keys_device_address_idx" ON "lan_host_keys" USING btree ("device_ref","address");