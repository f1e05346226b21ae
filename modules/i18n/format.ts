import { type Language, languageTag } from "./i18n.ts";

/**
 * How a moment is shown: `clock` a time of day (`14:05`, `2:05 PM`), `dateTime` a day and a
 * time, `date` a day. The server knows no one's time zone, so it writes UTC; the page scripts
 * redo a `<time datetime>` in the browser's zone with the page's language.
 */
export type MomentStyle = "clock" | "dateTime" | "date";

const OPTIONS: Record<MomentStyle, Intl.DateTimeFormatOptions> = {
  clock: { hour: "2-digit", minute: "2-digit" },
  dateTime: { dateStyle: "medium", timeStyle: "short" },
  date: { dateStyle: "medium" },
};

// Building an Intl.DateTimeFormat is costly and every list row asks for one.
const formatters = new Map<string, Intl.DateTimeFormat>();

/** `at` in the conventions of `lang` (24-hour clock in Dutch, 12-hour in English), UTC. */
export function formatMoment(lang: Language, at: Date, style: MomentStyle = "clock"): string {
  const key = `${lang}:${style}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(languageTag(lang), { ...OPTIONS[style], timeZone: "UTC" });
    formatters.set(key, formatter);
  }
  return formatter.format(at);
}
