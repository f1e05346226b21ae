CREATE TABLE "instances" (
	"id" uuid PRIMARY KEY NOT NULL,
	"internal_url" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"heartbeat_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "agent_homes" (
	"session_id" uuid PRIMARY KEY NOT NULL,
	"instance_id" uuid NOT NULL,
	"since" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "customer_stream_holds" (
	"session_id" uuid NOT NULL,
	"instance_id" uuid NOT NULL,
	"streams" integer NOT NULL,
	CONSTRAINT "customer_stream_holds_session_id_instance_id_pk" PRIMARY KEY("session_id","instance_id")
);
--> statement-breakpoint
ALTER TABLE "agent_homes" ADD CONSTRAINT "agent_homes_session_id_support_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."support_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agent_homes" ADD CONSTRAINT "agent_homes_instance_id_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."instances"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_stream_holds" ADD CONSTRAINT "customer_stream_holds_session_id_support_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."support_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_stream_holds" ADD CONSTRAINT "customer_stream_holds_instance_id_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."instances"("id") ON DELETE cascade ON UPDATE no action;