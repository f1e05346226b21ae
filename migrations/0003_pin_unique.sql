DROP INDEX "support_sessions_pin_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "support_sessions_pin_key" ON "support_sessions" USING btree ("pin");