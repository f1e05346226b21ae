ALTER TABLE "support_sessions" ADD COLUMN "connected_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "support_sessions" ADD COLUMN "picked_up_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "support_sessions" ADD COLUMN "transfers" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "support_sessions" ADD COLUMN "outcome" text;--> statement-breakpoint
CREATE INDEX "support_sessions_report_idx" ON "support_sessions" USING btree ("org_id","created_at","group_id","lead_user_id","channel_id","outcome","connected_at","picked_up_at","ended_at","transfers");