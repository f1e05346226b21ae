import { and, eq, inArray } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import type { InputProblem } from "./input.ts";
import { callbackRequests, channels, customFields } from "./schema.ts";

export const CUSTOMER_NAME_MAX = 100;
export const CONTACT_MAX = 200;

/** A custom field as a channel's form asks for it. */
export interface FormField {
  id: string;
  label: string;
  maxLength: number;
  required: boolean;
}

export interface PublicChannel {
  channel: typeof channels.$inferSelect;
  fields: FormField[];
}

/** What a customer typed, trimmed; `fields` holds only the custom fields given. */
export interface CustomerValues {
  name: string;
  contact: string;
  fields: Record<string, string>;
}

/**
 * The active channel behind a public slug, with its active custom fields in the channel's
 * order; undefined for anything else, so unknown and switched-off links look the same.
 */
export async function findPublicChannel(
  db: Database,
  slug: string,
): Promise<PublicChannel | undefined> {
  if (!/^[A-Za-z0-9_-]{16}$/.test(slug)) return undefined;
  const [channel] = await db.select().from(channels).where(
    and(eq(channels.slug, slug), eq(channels.active, true)),
  );
  if (!channel) return undefined;
  const ids = channel.fields.map((f) => f.fieldId);
  const rows = ids.length === 0 ? [] : await db.select().from(customFields).where(and(
    eq(customFields.orgId, channel.orgId),
    eq(customFields.active, true),
    inArray(customFields.id, ids),
  ));
  const fields = channel.fields.flatMap(({ fieldId, required }) => {
    const row = rows.find((r) => r.id === fieldId);
    return row ? [{ id: row.id, label: row.label, maxLength: row.maxLength, required }] : [];
  });
  return { channel, fields };
}

/**
 * Reads the customer form: "name" (always required), "contact" when asked for (the
 * callback form), and `f_<fieldId>` per custom field, each checked against its channel's
 * required flag and the field's maximum length.
 */
export function readCustomerForm(
  form: Record<string, string>,
  fields: readonly FormField[],
  options: { contact: boolean },
): { values: CustomerValues; problems: InputProblem[] } {
  const problems: InputProblem[] = [];
  const name = (form.name ?? "").trim();
  if (!name) problems.push({ path: "name", code: "customerNameRequired" });
  else if (name.length > CUSTOMER_NAME_MAX) problems.push({ path: "name", code: "valueTooLong" });
  const contact = (form.contact ?? "").trim();
  if (options.contact) {
    if (!contact) problems.push({ path: "contact", code: "contactRequired" });
    else if (contact.length > CONTACT_MAX) problems.push({ path: "contact", code: "valueTooLong" });
  }
  const values: Record<string, string> = {};
  for (const field of fields) {
    const value = (form[`f_${field.id}`] ?? "").trim();
    if (!value && field.required) problems.push({ path: `f_${field.id}`, code: "valueRequired" });
    if (value.length > field.maxLength) {
      problems.push({ path: `f_${field.id}`, code: "valueTooLong" });
    }
    if (value) values[field.id] = value;
  }
  return { values: { name, contact: options.contact ? contact : "", fields: values }, problems };
}

/** Stores "please call me back" details for the channel's technicians. */
export async function recordCallback(
  db: Database,
  channelId: string,
  values: CustomerValues,
  now: Date,
): Promise<string> {
  const [row] = await db.insert(callbackRequests).values({
    channelId,
    name: values.name,
    contact: values.contact,
    values: values.fields,
    createdAt: now,
  }).returning({ id: callbackRequests.id });
  return row.id;
}
