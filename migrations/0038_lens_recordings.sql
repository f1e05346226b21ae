ALTER TABLE "recordings" ALTER COLUMN "session_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "recordings" ADD COLUMN "lens_id" uuid;--> statement-breakpoint
ALTER TABLE "recordings" ADD CONSTRAINT "recordings_lens_id_lens_sessions_id_fk" FOREIGN KEY ("lens_id") REFERENCES "public"."lens_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "recordings_lens_idx" ON "recordings" USING btree ("lens_id","started_at");--> statement-breakpoint
ALTER TABLE "recordings" ADD CONSTRAINT "recordings_one_owner" CHECK (("recordings"."session_id" is null) <> ("recordings"."lens_id" is null));