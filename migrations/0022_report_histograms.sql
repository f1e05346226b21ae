CREATE TABLE "report_histograms" (
	"org_id" uuid NOT NULL,
	"month" timestamp with time zone NOT NULL,
	"group_id" uuid,
	"technician_id" uuid,
	"channel_id" uuid,
	"metric" smallint NOT NULL,
	"bin" integer NOT NULL,
	"n" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "report_histograms_key" UNIQUE NULLS NOT DISTINCT("org_id","month","group_id","technician_id","channel_id","metric","bin")
);
--> statement-breakpoint
CREATE TABLE "report_hour_histograms" (
	"org_id" uuid NOT NULL,
	"month" timestamp with time zone NOT NULL,
	"hour" smallint NOT NULL,
	"group_id" uuid,
	"channel_id" uuid,
	"bin" integer NOT NULL,
	"n" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "report_hour_histograms_key" UNIQUE NULLS NOT DISTINCT("org_id","month","hour","group_id","channel_id","bin")
);
