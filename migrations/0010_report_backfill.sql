-- The reports' columns for sessions recorded before they existed, read back from each
-- session's log (status lines carry the event; events carry their i18n key).
UPDATE "support_sessions" s SET
  "connected_at" = (SELECT min(l."at") FROM "session_log" l WHERE l."session_id" = s."id"
    AND l."kind" = 'status' AND l."data"->>'event' = 'customer_connected'),
  "picked_up_at" = (SELECT min(l."at") FROM "session_log" l WHERE l."session_id" = s."id"
    AND l."kind" = 'status' AND l."data"->>'event' = 'start'),
  "transfers" = (SELECT count(*) FROM "session_log" l WHERE l."session_id" = s."id"
    AND l."kind" = 'event' AND l."body" = 'log.transferred');--> statement-breakpoint
UPDATE "support_sessions" s SET "outcome" = CASE
  WHEN EXISTS (SELECT 1 FROM "session_log" l WHERE l."session_id" = s."id"
    AND l."body" = 'log.endedByTechnician') THEN 'closed_by_technician'
  WHEN EXISTS (SELECT 1 FROM "session_log" l WHERE l."session_id" = s."id"
    AND l."body" = 'log.termsDeclined') THEN 'terms_declined'
  WHEN EXISTS (SELECT 1 FROM "session_log" l WHERE l."session_id" = s."id"
    AND l."body" = 'log.customerLeft') THEN
    CASE WHEN s."picked_up_at" IS NULL THEN 'closed_by_waiting_customer' ELSE 'closed_by_customer' END
  WHEN EXISTS (SELECT 1 FROM "session_log" l WHERE l."session_id" = s."id"
    AND l."body" = 'log.deadline_connecting_timeout') THEN 'connecting_timeout'
  WHEN EXISTS (SELECT 1 FROM "session_log" l WHERE l."session_id" = s."id"
    AND l."body" = 'log.deadline_waiting_timeout') THEN 'waiting_timeout'
  ELSE 'timed_out'
END WHERE s."ended_at" IS NOT NULL;
