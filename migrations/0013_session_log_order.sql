ALTER TABLE "session_log" ADD COLUMN "seq" bigint;--> statement-breakpoint
ALTER TABLE "session_log" ADD COLUMN "client_key" text;--> statement-breakpoint
CREATE INDEX "session_log_seq_idx" ON "session_log" USING btree ("session_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "session_log_client_key_idx" ON "session_log" USING btree ("session_id","client_key") WHERE "session_log"."client_key" is not null;--> statement-breakpoint
-- Lines written before this migration keep their order: their place is their id.
UPDATE "session_log" SET "seq" = "id";--> statement-breakpoint
CREATE SEQUENCE "session_log_seq";--> statement-breakpoint
SELECT setval('session_log_seq', (SELECT coalesce(max("id"), 0) + 1 FROM "session_log"), false);--> statement-breakpoint
-- A line's place is drawn when its transaction commits (a deferred trigger runs at commit,
-- after every statement), under a lock per session held until the commit is done: two
-- writers of one session draw their places in the order they become visible. Nothing waits
-- while holding this lock except to commit, so it cannot close a cycle with other locks.
CREATE FUNCTION "session_log_order"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(NEW."session_id"::text, 1853));
  UPDATE "session_log" SET "seq" = nextval('session_log_seq') WHERE "id" = NEW."id";
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "session_log_order" AFTER INSERT ON "session_log"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "session_log_order"();
