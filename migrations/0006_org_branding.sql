ALTER TABLE "organisations" ADD COLUMN "logo_sha256" text;--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "logo_type" text;