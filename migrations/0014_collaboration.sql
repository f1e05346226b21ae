ALTER TABLE "queue_entries" ADD COLUMN "permissions" jsonb;--> statement-breakpoint
ALTER TABLE "queue_entries" ADD COLUMN "lead_offered_at" timestamp with time zone;