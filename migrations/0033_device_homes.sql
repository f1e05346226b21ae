CREATE TABLE "device_homes" (
	"session_id" uuid PRIMARY KEY NOT NULL,
	"instance_id" uuid,
	"since" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "device_homes" ADD CONSTRAINT "device_homes_session_id_support_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."support_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "device_homes" ADD CONSTRAINT "device_homes_instance_id_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."instances"("id") ON DELETE set null ON UPDATE no action;