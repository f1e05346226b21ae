/**
 * What the agent checks about the server it was pointed at, before trusting anything from it:
 * plain http away from this computer is said out loud (screen and typing travel unencrypted),
 * a link the server answers with must stay on that same server, and a failed connection is
 * explained (a refused certificate names the cause) instead of "fetch failed".
 */
import { type AgentStrings, fill } from "./strings.ts";

/** Loopback names, where plain http never leaves this computer. */
function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/** A warning for an unencrypted address away from this computer, or null. */
export function insecureWarning(server: URL, strings: AgentStrings): string | null {
  const plain = server.protocol === "http:" || server.protocol === "ws:";
  if (!plain || isLoopback(server.hostname)) return null;
  return fill(strings.errors.insecure, { server: server.origin });
}

/**
 * The session link the server answered with, accepted only on the server the agent was
 * pointed at (a server naming another origin would send the customer elsewhere).
 */
export function checkLinkOrigin(
  link: URL,
  server: URL,
  strings: AgentStrings,
): { ok: true } | { ok: false; message: string } {
  if (link.origin === server.origin) return { ok: true };
  return {
    ok: false,
    message: fill(strings.errors.otherOrigin, { server: server.origin, origin: link.origin }),
  };
}

/** A network failure, in words: which server, and what went wrong. */
export function explainNetworkError(error: unknown, server: URL, strings: AgentStrings): string {
  const detail = _chain(error);
  const certificate = /invalid peer certificate: ?(.*)$/im.exec(detail) ??
    /(certificate[^\n]*)$/im.exec(detail);
  if (certificate) {
    const what = certificate[1];
    const cause = /UnknownIssuer|self.signed/i.test(what)
      ? strings.errors.unknownIssuer
      : /Expired|NotValidYet/i.test(what)
      ? strings.errors.expired
      : /NotValidForName|name/i.test(what)
      ? strings.errors.wrongName
      : what.trim();
    return fill(strings.errors.certificate, { server: server.origin, cause });
  }
  const last = detail.split(/\n|: /).map((s) => s.trim()).filter(Boolean).at(-1) ?? detail;
  return fill(strings.errors.unreachable, { server: server.origin, cause: last });
}

/** An error and its causes as one text (Deno puts the TLS reason in `cause`). */
function _chain(error: unknown): string {
  const parts: string[] = [];
  for (let e = error, depth = 0; e && depth < 5; depth++) {
    parts.push(e instanceof Error ? e.message : String(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join("\n");
}
