/** Sizes, times, rates and the island's strings, in the page's language. */
import type { FileManagerMount, FileUiKey } from "../../protocol/file_manager_ui.ts";

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
const UNITS = ["B", "KB", "MB", "GB", "TB"];

/** 1,234 B · 4.2 MB (decimal units, as file managers and disks show them). */
export function formatSize(bytes: number): string {
  let unit = 0;
  let value = bytes;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${new Intl.NumberFormat(lang(), { maximumFractionDigits: digits }).format(value)} ${
    UNITS[unit]
  }`;
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
