/**
 * A throwaway certificate authority and server certificates made with `openssl` at test time
 * (no key or certificate is kept in the repository): what an operator with a private CA has.
 */

export interface TestCa {
  dir: string;
  /** The CA's certificate file (PEM) — what a client is told to trust. */
  caFile: string;
  caPem: string;
  /** A server certificate for `name` signed by this CA (SAN localhost and 127.0.0.1). */
  issue(name: string, options?: { days?: number; sans?: string[] }): Promise<TestLeaf>;
  remove(): Promise<void>;
}

export interface TestLeaf {
  certFile: string;
  keyFile: string;
  certPem: string;
  keyPem: string;
  /** base64 SHA-256 of the certificate's SubjectPublicKeyInfo (Chromium's SPKI pin). */
  spki: string;
}

async function openssl(args: string[], stdin?: string): Promise<string> {
  const child = new Deno.Command("openssl", {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const out = await child.output();
  if (!out.success) {
    throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** A new CA (EC P-256) in a temporary folder. */
export async function makeTestCa(name = "Rescue test CA"): Promise<TestCa> {
  const dir = await Deno.makeTempDir({ prefix: "rescue-tls-" });
  const caFile = `${dir}/ca.pem`;
  const caKey = `${dir}/ca.key`;
  await openssl([
    "req",
    ...["-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
    ...["-keyout", caKey, "-out", caFile, "-days", "2", "-subj", `/CN=${name}`],
    ...["-addext", "basicConstraints=critical,CA:TRUE"],
    ...["-addext", "keyUsage=critical,keyCertSign,cRLSign"],
  ]);
  let serial = 0;
  return {
    dir,
    caFile,
    caPem: await Deno.readTextFile(caFile),
    async issue(leafName, options = {}) {
      serial += 1;
      const base = `${dir}/${leafName}-${serial}`;
      const sans = options.sans ?? ["DNS:localhost", "IP:127.0.0.1"];
      await openssl([
        "req",
        ...["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
        ...["-keyout", `${base}.key`, "-out", `${base}.csr`, "-subj", `/CN=${leafName}`],
      ]);
      await Deno.writeTextFile(
        `${base}.ext`,
        `subjectAltName=${sans.join(",")}\nextendedKeyUsage=serverAuth\n` +
          "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n",
      );
      await openssl([
        "x509",
        ...["-req", "-in", `${base}.csr`, "-CA", caFile, "-CAkey", caKey, "-CAcreateserial"],
        ...["-out", `${base}.pem`, "-days", String(options.days ?? 2)],
        ...["-extfile", `${base}.ext`],
      ]);
      const certPem = await Deno.readTextFile(`${base}.pem`);
      return {
        certFile: `${base}.pem`,
        keyFile: `${base}.key`,
        certPem,
        keyPem: await Deno.readTextFile(`${base}.key`),
        spki: await spkiOf(certPem),
      };
    },
    remove: () => Deno.remove(dir, { recursive: true }).catch(() => {}),
  };
}

/** base64(SHA-256(SubjectPublicKeyInfo DER)) of a PEM certificate. */
export async function spkiOf(certPem: string): Promise<string> {
  const pub = await openssl(["x509", "-noout", "-pubkey"], certPem);
  const der = Uint8Array.from(
    atob(pub.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "")),
    (c) => c.charCodeAt(0),
  );
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", der));
  return btoa(String.fromCharCode(...hash));
}
