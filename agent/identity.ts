/**
 * Who this agent is across sessions: a stable device id kept in the user's config folder
 * (so technicians see one device's history), the OS, and the customer's language.
 */
import { randomId } from "./consent.ts";

export function stateDir(explicit?: string): string {
  if (explicit) return explicit;
  const env = (name: string) => Deno.env.get(name) ?? "";
  if (Deno.build.os === "windows") return `${env("APPDATA") || "."}\\rescue-agent`;
  if (Deno.build.os === "darwin") {
    return `${env("HOME")}/Library/Application Support/rescue-agent`;
  }
  return `${env("XDG_CONFIG_HOME") || `${env("HOME")}/.config`}/rescue-agent`;
}

/** The device id, created on first run; an unreadable or damaged file is replaced. */
export async function deviceId(dir: string): Promise<string> {
  const file = `${dir}/device-id`;
  try {
    const text = (await Deno.readTextFile(file)).trim();
    if (/^[A-Za-z0-9_-]{8,64}$/.test(text)) return text;
  } catch {
    // first run
  }
  const id = randomId(18);
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(file, `${id}\n`, { mode: 0o600 });
  return id;
}

/**
 * The OS language as a lower-case tag with its region ("nl", "pt-br", "zh-tw"), from the
 * usual variables (LANGUAGE's first entry counts), else the runtime's locale. The server and
 * strings.ts match it to a locale (protocol/language.ts).
 */
export function osLanguage(): string {
  for (const name of ["LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"]) {
    const value = (Deno.env.get(name) ?? "").split(":")[0];
    const match = /^([a-z]{2,3})(?:[_-]([a-z]{2,4}))?(?:[.@]|$)/i.exec(value);
    if (match && value !== "C" && !value.startsWith("C.")) {
      return (match[2] ? `${match[1]}-${match[2]}` : match[1]).toLowerCase();
    }
  }
  const intl = Intl.DateTimeFormat().resolvedOptions().locale;
  return /^[a-z]{2,3}(-[a-z]{2,4})?/i.exec(intl)?.[0].toLowerCase() ?? "en";
}

export function osName(): "linux" | "windows" | "darwin" {
  const os = Deno.build.os;
  return os === "windows" || os === "darwin" ? os : "linux";
}
