/**
 * Hides the live secrets a message carries before an admin list or page shows it: the
 * token in a set-password, sign-in or session link (any URL path segment or query value
 * that looks like a token) and six-digit codes (session PINs). Whoever can read a
 * set-password link can take that account over, and a session link or PIN lets a stranger
 * in as the customer; an admin who needs the message delivered resends it instead.
 */
const LINK_TOKEN = /(https?:\/\/[^\s"'<>]*?[/=])[A-Za-z0-9_-]{16,}/g;
const PIN = /(?<!\d)\d{6}(?!\d)/g;

/** The text with link tokens and six-digit codes replaced by dots. */
export function redactSecrets(text: string): string {
  return text.replace(LINK_TOKEN, "$1•••").replace(PIN, "••••••");
}
