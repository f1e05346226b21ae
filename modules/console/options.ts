import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../db/mod.ts";
import type { TranslationKey } from "../i18n/mod.ts";
import { consoleOptions } from "./schema.ts";

/**
 * SPEC Q7: each technician's own console options — one zod schema for the form, the
 * database and the JSON the browser reads (`static/alerts.js`). The ids below are also the
 * sound file names (`static/sounds/<id>.wav`, made by `tools/make_sounds.ts`).
 */
export const SOUND_ALERTS = [
  "newSessionMinimised",
  "newSessionOpen",
  "customerDisconnected",
  "networkLost",
  "customerDenied",
  "sessionUrgent",
  "chatMinimised",
  "chatUnfocused",
  "customerSentFile",
] as const;
export type SoundAlert = typeof SOUND_ALERTS[number];

export const COLOUR_SCHEMES = ["system", "light", "dark", "contrast"] as const;
export type ColourScheme = typeof COLOUR_SCHEMES[number];

/** The on/off options other than sounds, in the order the form shows them. */
export const CONSOLE_FLAGS = [
  "titleFlash",
  "notifyWhenHidden",
  "confirmEnd",
  "confirmClose",
  "autoStartPrivate",
  "spellCheck",
  "clipboardSync",
  "detachRemoteViews",
] as const;
export type ConsoleFlag = typeof CONSOLE_FLAGS[number];

const SoundsSchema = z.object(
  Object.fromEntries(SOUND_ALERTS.map((id) => [id, z.boolean().default(true)])) as Record<
    SoundAlert,
    z.ZodDefault<z.ZodBoolean>
  >,
);

export const ConsoleOptionsSchema = z.object({
  colourScheme: z.enum(COLOUR_SCHEMES).default("system"),
  sounds: SoundsSchema.default(() => SoundsSchema.parse({})),
  titleFlash: z.boolean().default(true),
  notifyWhenHidden: z.boolean().default(true),
  confirmEnd: z.boolean().default(true),
  confirmClose: z.boolean().default(true),
  autoStartPrivate: z.boolean().default(false),
  spellCheck: z.boolean().default(true),
  clipboardSync: z.boolean().default(true),
  detachRemoteViews: z.boolean().default(false),
});

export type ConsoleOptions = z.infer<typeof ConsoleOptionsSchema>;

/** Form field → the message key shown under it when the value is refused. */
export type ConsoleOptionsProblems = Partial<Record<string, TranslationKey>>;

export function defaultConsoleOptions(): ConsoleOptions {
  return ConsoleOptionsSchema.parse({});
}

/**
 * Stored JSON → options. A field that is missing, unknown or no longer valid (say a scheme
 * we dropped) takes its default, so old or damaged rows never break the console.
 */
export function consoleOptionsFrom(stored: unknown): ConsoleOptions {
  const source = _record(stored);
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(ConsoleOptionsSchema.shape)) {
    if (key === "sounds") continue;
    const parsed = schema.safeParse(source[key]);
    if (parsed.success) out[key] = parsed.data;
  }
  const sounds = _record(source.sounds);
  out.sounds = Object.fromEntries(
    SOUND_ALERTS.filter((id) => typeof sounds[id] === "boolean").map((id) => [id, sounds[id]]),
  );
  return ConsoleOptionsSchema.parse(out);
}

/** The technician's options; defaults until they first save (bad stored values: see above). */
export async function readConsoleOptions(db: Database, userId: string): Promise<ConsoleOptions> {
  const [row] = await db.select({ options: consoleOptions.options }).from(consoleOptions)
    .where(eq(consoleOptions.userId, userId));
  return consoleOptionsFrom(row?.options);
}

/**
 * A submitted form as the schema expects it: a checkbox that is absent is off, "1"/"on" is
 * on; anything else is passed through for the schema to refuse.
 */
export function consoleOptionsFromForm(form: Record<string, string>): Record<string, unknown> {
  const flag = (name: string) => {
    const value = form[name];
    if (value === undefined || value === "") return false;
    if (value === "1" || value === "on" || value === "true") return true;
    return value;
  };
  return {
    colourScheme: form.colourScheme ?? "system",
    sounds: Object.fromEntries(SOUND_ALERTS.map((id) => [id, flag(`sounds.${id}`)])),
    ...Object.fromEntries(CONSOLE_FLAGS.map((name) => [name, flag(name)])),
  };
}

/** Validates `form` and stores it; on any problem nothing is saved. */
export async function saveConsoleOptions(
  db: Database,
  userId: string,
  form: Record<string, string>,
  now: Date,
): Promise<
  { ok: true; options: ConsoleOptions } | { ok: false; problems: ConsoleOptionsProblems }
> {
  const parsed = ConsoleOptionsSchema.safeParse(consoleOptionsFromForm(form));
  if (!parsed.success) {
    const problems: ConsoleOptionsProblems = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path.join(".");
      problems[field] ??= field === "colourScheme"
        ? "consoleOptions.invalidScheme"
        : "consoleOptions.invalidValue";
    }
    return { ok: false, problems };
  }
  const options = parsed.data;
  await db.insert(consoleOptions).values({ userId, options, updatedAt: now })
    .onConflictDoUpdate({ target: consoleOptions.userId, set: { options, updatedAt: now } });
  return { ok: true, options };
}

function _record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? value as Record<string, unknown>
    : {};
}
