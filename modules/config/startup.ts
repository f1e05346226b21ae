import type { Config } from "./config.ts";

/**
 * What the server tells the person who started it, in words next to the JSON log: where to
 * open it, and a warning when links in e-mails, SMS and PIN dialogs will say `localhost`
 * (PUBLIC_URL unset), which works only on the server itself.
 */
export function startupNotes(config: Config): { line: string; warning?: string } {
  const url = config.publicUrl;
  const line =
    `Rescue is running: technicians sign in at ${url}/signin, customers enter their PIN at ${url}/`;
  if (config.publicUrlSet !== false) return { line };
  return {
    line,
    warning: `PUBLIC_URL is not set: links in e-mails and PIN dialogs point to ${url}, ` +
      "which works only on this machine. Set PUBLIC_URL to the address customers reach.",
  };
}
