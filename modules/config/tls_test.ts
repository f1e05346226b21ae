// TLS_CERT_FILE / TLS_KEY_FILE / TLS_CA_FILE / HTTP_REDIRECT_PORT: both or neither, files that
// cannot be read or are not what they claim are start-up errors that name the variable and
// the file; with TLS the public URL defaults to https. Certificates made now with openssl.
import assert from "node:assert/strict";
import { loadConfig } from "./config.ts";
import { certificateWarning } from "./startup.ts";
import { makeTestCa, type TestCa } from "../../tests/support/tls_certs.ts";

async function withCa(fn: (ca: TestCa, dataDir: string) => Promise<void>) {
  const ca = await makeTestCa();
  const dataDir = await Deno.makeTempDir({ prefix: "rescue-config-tls-" });
  try {
    await fn(ca, dataDir);
  } finally {
    await ca.remove();
    await Deno.remove(dataDir, { recursive: true });
  }
}

async function refused(env: Record<string, string>, pattern: RegExp) {
  await assert.rejects(() => loadConfig({ env }), (error: Error) => {
    assert.ok(error instanceof RangeError, `a RangeError, got ${error}`);
    assert.match(error.message, pattern);
    return true;
  });
}

Deno.test("loadConfig(): neither TLS file → plain http; both → https by default, files read", async () => {
  await withCa(async (ca, dataDir) => {
    const plain = await loadConfig({ env: { DATA_DIR: dataDir, PORT: "8443" } });
    assert.equal(plain.tls, undefined);
    assert.equal(plain.publicUrl, "http://localhost:8443");
    assert.equal(plain.instanceUrl, "http://127.0.0.1:8443");

    const leaf = await ca.issue("localhost");
    const config = await loadConfig({
      env: {
        DATA_DIR: dataDir,
        PORT: "8443",
        TLS_CERT_FILE: leaf.certFile,
        TLS_KEY_FILE: leaf.keyFile,
      },
    });
    assert.equal(config.publicUrl, "https://localhost:8443");
    assert.equal(config.instanceUrl, "https://127.0.0.1:8443");
    assert.equal(config.secureCookies, true);
    assert.equal(config.tls?.cert, leaf.certPem);
    assert.equal(config.tls?.key, leaf.keyPem);
    assert.deepEqual(config.tls?.names, ["localhost", "127.0.0.1"]);
    assert.ok(config.tls!.notAfter.getTime() > Date.now());
    // An explicit https PUBLIC_URL is kept.
    const named = await loadConfig({
      env: {
        DATA_DIR: dataDir,
        TLS_CERT_FILE: leaf.certFile,
        TLS_KEY_FILE: leaf.keyFile,
        PUBLIC_URL: "https://help.example/",
      },
    });
    assert.equal(named.publicUrl, "https://help.example");
  });
});

Deno.test("loadConfig(): one TLS file alone is a start-up error in words", async () => {
  await withCa(async (ca, dataDir) => {
    const leaf = await ca.issue("localhost");
    const together = /TLS_CERT_FILE and TLS_KEY_FILE must be set together/;
    await refused({ DATA_DIR: dataDir, TLS_CERT_FILE: leaf.certFile }, together);
    await refused({ DATA_DIR: dataDir, TLS_KEY_FILE: leaf.keyFile }, together);
    // A blank value counts as unset.
    await refused({ DATA_DIR: dataDir, TLS_CERT_FILE: leaf.certFile, TLS_KEY_FILE: " " }, together);
  });
});

Deno.test("loadConfig(): unreadable, not-PEM, invalid and mismatched TLS files are refused by name", async () => {
  await withCa(async (ca, dataDir) => {
    const leaf = await ca.issue("localhost");
    const other = await ca.issue("other");
    const env = (cert: string, key: string) => ({
      DATA_DIR: dataDir,
      TLS_CERT_FILE: cert,
      TLS_KEY_FILE: key,
    });
    const missing = `${dataDir}/nope.pem`;
    await refused(env(missing, leaf.keyFile), /TLS_CERT_FILE cannot be read \(.*nope\.pem\)/);
    await refused(env(leaf.certFile, missing), /TLS_KEY_FILE cannot be read \(.*nope\.pem\)/);
    // The two swapped: neither file holds what its variable says.
    await refused(
      env(leaf.keyFile, leaf.certFile),
      /TLS_CERT_FILE \(.*\) holds no PEM certificate/,
    );
    await refused(
      env(leaf.certFile, leaf.certFile),
      /TLS_KEY_FILE \(.*\) holds no PEM private key/,
    );
    const broken = `${dataDir}/broken.pem`;
    await Deno.writeTextFile(
      broken,
      "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
    );
    await refused(
      env(broken, leaf.keyFile),
      /TLS_CERT_FILE \(.*broken\.pem\) is not a valid certificate/,
    );
    const brokenKey = `${dataDir}/broken.key`;
    await Deno.writeTextFile(
      brokenKey,
      "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n",
    );
    await refused(
      env(leaf.certFile, brokenKey),
      /TLS_KEY_FILE \(.*broken\.key\) is not a valid private key/,
    );
    await refused(
      env(leaf.certFile, other.keyFile),
      /TLS_KEY_FILE \(.*\) is not the private key of the certificate in TLS_CERT_FILE/,
    );
  });
});

Deno.test("loadConfig(): HTTP_REDIRECT_PORT needs TLS and its own port; PUBLIC_URL must be https with TLS", async () => {
  await withCa(async (ca, dataDir) => {
    const leaf = await ca.issue("localhost");
    const tls = { DATA_DIR: dataDir, TLS_CERT_FILE: leaf.certFile, TLS_KEY_FILE: leaf.keyFile };
    await refused(
      { DATA_DIR: dataDir, HTTP_REDIRECT_PORT: "80" },
      /HTTP_REDIRECT_PORT needs TLS_CERT_FILE/,
    );
    await refused(
      { ...tls, HTTP_REDIRECT_PORT: "eighty" },
      /HTTP_REDIRECT_PORT must be an integer/,
    );
    await refused(
      { ...tls, HTTP_REDIRECT_PORT: "0" },
      /HTTP_REDIRECT_PORT must be an integer between 1/,
    );
    await refused({ ...tls, PORT: "8443", HTTP_REDIRECT_PORT: "8443" }, /must differ from PORT/);
    await refused({ ...tls, PUBLIC_URL: "http://help.example" }, /PUBLIC_URL must be https/);
    const config = await loadConfig({ env: { ...tls, PORT: "443", HTTP_REDIRECT_PORT: "80" } });
    assert.equal(config.httpRedirectPort, 80);
  });
});

Deno.test("loadConfig(): TLS_CA_FILE is read and checked for the support app", async () => {
  await withCa(async (ca, dataDir) => {
    const config = await loadConfig({ env: { DATA_DIR: dataDir, TLS_CA_FILE: ca.caFile } });
    assert.match(config.supportAppCa ?? "", /^-----BEGIN CERTIFICATE-----/);
    const leaf = await ca.issue("localhost");
    await refused(
      { DATA_DIR: dataDir, TLS_CA_FILE: leaf.keyFile },
      /TLS_CA_FILE \(.*\) holds no PEM certificate/,
    );
    await refused(
      { DATA_DIR: dataDir, TLS_CA_FILE: `${dataDir}/x.pem` },
      /TLS_CA_FILE cannot be read/,
    );
  });
});

Deno.test("certificateWarning() says what a browser would refuse: expired, soon, another name", async () => {
  await withCa(async (ca, dataDir) => {
    const leaf = await ca.issue("localhost");
    const { tls } = await loadConfig({
      env: { DATA_DIR: dataDir, TLS_CERT_FILE: leaf.certFile, TLS_KEY_FILE: leaf.keyFile },
    });
    const now = new Date();
    // Made for two days: "expires on … renew it".
    assert.match(certificateWarning(tls!, "https://localhost:8443", now) ?? "", /expires on/);
    const inAYear = new Date(now.getTime() + 365 * 86_400_000);
    assert.match(certificateWarning(tls!, "https://localhost", inAYear) ?? "", /expired on/);
    const longLived = { ...tls!, notAfter: inAYear };
    assert.equal(certificateWarning(longLived, "https://localhost", now), null);
    assert.equal(certificateWarning(longLived, "https://127.0.0.1:8443", now), null);
    assert.match(
      certificateWarning(longLived, "https://help.example", now) ?? "",
      /does not name help\.example.*localhost, 127\.0\.0\.1/,
    );
    const wildcard = { ...longLived, names: ["*.example.com"] };
    assert.equal(certificateWarning(wildcard, "https://help.example.com", now), null);
    assert.notEqual(certificateWarning(wildcard, "https://a.help.example.com", now), null);
  });
});
