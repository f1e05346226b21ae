import { createPrivateKey, X509Certificate } from "node:crypto";

/** The server's own certificate and key (TLS_CERT_FILE, TLS_KEY_FILE), read and checked. */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** PEM: the certificate, then the chain up to (not necessarily including) the root. */
  cert: string;
  /** PEM: the certificate's private key. */
  key: string;
  /** When the server's certificate (the first in the file) stops being valid. */
  notAfter: Date;
  /** The names and addresses it is valid for (its subjectAltName, else its CN). */
  names: string[];
}

/**
 * Reads the certificate and key files and checks them the way a mistake shows: unreadable,
 * not PEM, not a certificate or key, or a key that is not the certificate's. Throws a
 * RangeError that names the variable and the file; nothing is served until they are right.
 * Used at start-up (loadConfig) and for every reload (a renewed certificate).
 */
export async function readTlsFiles(certFile: string, keyFile: string): Promise<TlsFiles> {
  const cert = await _read("TLS_CERT_FILE", certFile);
  const key = await _read("TLS_KEY_FILE", keyFile);
  if (!/-----BEGIN CERTIFICATE-----/.test(cert)) {
    throw new RangeError(
      `TLS_CERT_FILE (${certFile}) holds no PEM certificate ("-----BEGIN CERTIFICATE-----")`,
    );
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) {
    throw new RangeError(
      `TLS_KEY_FILE (${keyFile}) holds no PEM private key ("-----BEGIN PRIVATE KEY-----")`,
    );
  }
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (error) {
    throw new RangeError(
      `TLS_CERT_FILE (${certFile}) is not a valid certificate: ${_reason(error)}`,
    );
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    throw new RangeError(
      `TLS_KEY_FILE (${keyFile}) is not a valid private key (an encrypted key needs its ` +
        `passphrase removed): ${_reason(error)}`,
    );
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new RangeError(
      `TLS_KEY_FILE (${keyFile}) is not the private key of the certificate in TLS_CERT_FILE ` +
        `(${certFile})`,
    );
  }
  return {
    certFile,
    keyFile,
    cert,
    key,
    notAfter: new Date(x509.validTo),
    names: _names(x509),
  };
}

/**
 * TLS_CA_FILE: the authority's certificate(s), PEM, each one parsed — what the support app
 * will be told to trust, so a mistake shows at start-up, not on the customer's computer.
 */
export async function readCaFile(path: string): Promise<string> {
  const pem = await _read("TLS_CA_FILE", path);
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) {
    throw new RangeError(
      `TLS_CA_FILE (${path}) holds no PEM certificate ("-----BEGIN CERTIFICATE-----")`,
    );
  }
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (error) {
      throw new RangeError(`TLS_CA_FILE (${path}) is not a valid certificate: ${_reason(error)}`);
    }
  }
  return blocks.join("\n") + "\n";
}

/**
 * Whether `host` (PUBLIC_URL's host name or address) is one the certificate names — what a
 * browser checks; a wildcard covers one label.
 */
export function certificateNames(names: string[], host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return names.some((name) => {
    const n = name.toLowerCase();
    if (n === bare) return true;
    if (!n.startsWith("*.")) return false;
    const dot = bare.indexOf(".");
    return dot > 0 && bare.slice(dot) === n.slice(1);
  });
}

async function _read(variable: string, path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    throw new RangeError(`${variable} cannot be read (${path}): ${_reason(error)}`);
  }
}

function _names(x509: X509Certificate): string[] {
  const alt = x509.subjectAltName ?? "";
  const names = alt.split(/,\s*/).map((entry) => /^(?:DNS|IP Address):(.+)$/.exec(entry)?.[1])
    .filter((name): name is string => Boolean(name));
  if (names.length > 0) return names;
  const cn = /(?:^|\n|,\s*)CN=([^,\n]+)/.exec(x509.subject)?.[1];
  return cn ? [cn] : [];
}

function _reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
