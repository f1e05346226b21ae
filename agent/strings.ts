/**
 * The agent's own strings (agent/locales/*.json), in the OS language (identity.ts), English
 * when there is no file for it. The agent ships them inside itself: its window and terminal
 * show nothing the server wrote.
 */
import en from "./locales/en.json" with { type: "json" };
import nl from "./locales/nl.json" with { type: "json" };

export type AgentStrings = typeof en;

const LOCALES: Record<string, AgentStrings> = { en, nl };

export function agentStrings(language: string): AgentStrings {
  return LOCALES[language] ?? en;
}

/** The language the strings are in ("en" when the OS language has no file). */
export function stringsLanguage(language: string): string {
  return language in LOCALES ? language : "en";
}

/** Fills `{{name}}` placeholders. */
export function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name) => values[name] ?? whole);
}
