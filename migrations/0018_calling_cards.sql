CREATE TABLE "calling_card_groups" (
	"card_id" uuid NOT NULL,
	"group_id" uuid NOT NULL,
	CONSTRAINT "calling_card_groups_card_id_group_id_pk" PRIMARY KEY("card_id","group_id")
);
--> statement-breakpoint
CREATE TABLE "calling_cards" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"channel_id" uuid NOT NULL,
	"name" text NOT NULL,
	"text" text DEFAULT '' NOT NULL,
	"help_url" text DEFAULT '' NOT NULL,
	"accent" text NOT NULL,
	"background" text NOT NULL,
	"logo_sha256" text,
	"logo_type" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "calling_card_groups" ADD CONSTRAINT "calling_card_groups_card_id_calling_cards_id_fk" FOREIGN KEY ("card_id") REFERENCES "public"."calling_cards"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "calling_card_groups" ADD CONSTRAINT "calling_card_groups_group_id_technician_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."technician_groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "calling_cards" ADD CONSTRAINT "calling_cards_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "calling_cards" ADD CONSTRAINT "calling_cards_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "calling_cards_channel_idx" ON "calling_cards" USING btree ("channel_id");