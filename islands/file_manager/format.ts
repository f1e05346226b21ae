/** Sizes, times, rates and the island's strings, in the page's language. */
import type { FileManagerMount, FileUiKey } from "../../protocol/file_manager_ui.ts";
import { formatSize as sharedFormatSize } from "../../protocol/size.ts";

export type Translate = (key: FileUiKey, vars?: Record<string, string | number>) => string;

/** The island's `t`: a `count` picks the plural form (`<key>_one` / `<key>_other`). */
export function translator(labels: FileManagerMount["labels"]): Translate {
  const plural = new Intl.PluralRules(lang());
  const all = labels as Record<string, string | undefined>;
  return (key, vars) => {
    const count = vars?.count;
    const form = typeof count === "number"
      ? all[`${key}_${plural.select(count)}`] ?? all[`${key}_other`]
      : undefined;
    let text = form ?? all[key] ?? key;
    for (const [name, value] of Object.entries(vars ?? {})) {
      text = text.replaceAll(`{{${name}}}`, String(value));
    }
    return text;
  };
}

const lang = () => (typeof document === "undefined" ? "en" : document.documentElement.lang || "en");
/** A size as every screen of the product reads it (protocol/size.ts), in the page's language. */
export function formatSize(bytes: number): string {
  return sharedFormatSize(bytes, lang());
}

export function formatRate(bytesPerSecond: number): string {
  return `${formatSize(bytesPerSecond)}/s`;
}

/** 0:42 · 12:05 · 1:02:03 */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

export function formatDate(ms: number): string {
  if (!ms) return "";
  return new Intl.DateTimeFormat(lang(), { dateStyle: "short", timeStyle: "short" }).format(ms);
}
