import type { Config } from "./config.ts";
import { certificateNames, type TlsFiles } from "./tls.ts";

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

/**
 * What a browser would refuse in the server's certificate (TLS_CERT_FILE), said at start-up
 * and at every reload instead of being found by the first customer: expired, not yet valid
 * for long, or not naming PUBLIC_URL's host. Null when nothing is wrong.
 */
export function certificateWarning(tls: TlsFiles, publicUrl: string, now: Date): string | null {
  const host = new URL(publicUrl).hostname;
  const problems: string[] = [];
  if (tls.notAfter.getTime() <= now.getTime()) {
    problems.push(`it expired on ${tls.notAfter.toISOString()}`);
  } else if (tls.notAfter.getTime() - now.getTime() < 14 * 86_400_000) {
    problems.push(`it expires on ${tls.notAfter.toISOString()}: renew it (then send SIGHUP)`);
  }
  if (!certificateNames(tls.names, host)) {
    problems.push(
      `it does not name ${host}, the host of PUBLIC_URL (it names ${
        tls.names.join(", ") || "nothing"
      })`,
    );
  }
  return problems.length > 0
    ? `The certificate in ${tls.certFile} will be refused by browsers: ${problems.join("; ")}.`
    : null;
}
