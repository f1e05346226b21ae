// The listener over real TLS on loopback, certificates made now with openssl: HTTP/2 by ALPN,
// the plain-HTTP redirect, and a renewed certificate taken while an open stream goes on.
import assert from "node:assert/strict";
import { loadConfig } from "../config/mod.ts";
import { listen, type ListenLog } from "./listen.ts";
import { makeTestCa } from "../../tests/support/tls_certs.ts";

const quiet: ListenLog & { lines: string[] } = {
  lines: [],
  info(message) {
    this.lines.push(message);
  },
  warn(message, fields) {
    this.lines.push(`${message} ${JSON.stringify(fields)}`);
  },
};

async function curlVersion(url: string, caFile: string): Promise<string> {
  const out = await new Deno.Command("curl", {
    args: ["-s", "-o", "/dev/null", "-w", "%{http_version}", "--cacert", caFile, url],
    stdout: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout);
}

Deno.test({
  name: "listen(): HTTPS with HTTP/2, a redirect from plain HTTP, a renewed certificate " +
    "without dropping an open stream, a bad renewal kept out",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const first = await makeTestCa("First CA");
    const second = await makeTestCa("Second CA");
    const dataDir = await Deno.makeTempDir({ prefix: "rescue-listen-" });
    const live = `${dataDir}/live`;
    await Deno.mkdir(live);
    const certFile = `${live}/cert.pem`;
    const keyFile = `${live}/key.pem`;
    const place = async (leaf: { certPem: string; keyPem: string }) => {
      await Deno.writeTextFile(keyFile, leaf.keyPem);
      await Deno.writeTextFile(certFile, leaf.certPem);
    };
    await place(await first.issue("localhost"));
    // A free port for the redirect (0 is refused: it must be one people can type).
    const probe = Deno.listen({ port: 0, hostname: "127.0.0.1" });
    const redirectPort = probe.addr.port;
    probe.close();
    const config = await loadConfig({
      env: {
        DATA_DIR: dataDir,
        PORT: "0",
        HOST: "127.0.0.1",
        TLS_CERT_FILE: certFile,
        TLS_KEY_FILE: keyFile,
        HTTP_REDIRECT_PORT: String(redirectPort),
        PUBLIC_URL: "https://localhost:8443",
      },
    });
    // A stream that sends a line every 50 ms until its client goes.
    const handler = (request: Request) => {
      if (new URL(request.url).pathname !== "/stream") return new Response("ok");
      let timer: ReturnType<typeof setInterval>;
      let n = 0;
      return new Response(
        new ReadableStream({
          start(controller) {
            timer = setInterval(() => controller.enqueue(new TextEncoder().encode(`${n++}\n`)), 50);
          },
          cancel() {
            clearInterval(timer);
          },
        }),
      );
    };
    const server = listen(config, handler, { log: quiet, watchMs: 0 });
    const base = `https://localhost:${server.port}`;
    const trustFirst = Deno.createHttpClient({ caCerts: [first.caPem] });
    const trustSecond = Deno.createHttpClient({ caCerts: [second.caPem] });
    try {
      assert.equal(server.scheme, "https");
      assert.equal(await curlVersion(`${base}/`, first.caFile), "2", "HTTP/2 by ALPN");
      assert.equal(await (await fetch(`${base}/`, { client: trustFirst })).text(), "ok");

      // Plain HTTP on the redirect port: 308 to the same path on PUBLIC_URL.
      const redirected = await fetch(`http://127.0.0.1:${redirectPort}/console?tab=1`, {
        redirect: "manual",
      });
      await redirected.body?.cancel();
      assert.equal(redirected.status, 308);
      assert.equal(redirected.headers.get("location"), "https://localhost:8443/console?tab=1");

      // An open stream over the first certificate.
      const stream = await fetch(`${base}/stream`, { client: trustFirst });
      const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
      await reader.read();

      // A half-written renewal (the new key, the old certificate): refused, the old one kept.
      const renewed = await second.issue("localhost");
      await Deno.writeTextFile(keyFile, renewed.keyPem);
      const half = await server.reload();
      assert.equal(half.reloaded, false);
      assert.match(
        half.reloaded ? "" : "error" in half ? half.error : "",
        /not the private key of the certificate/,
      );
      assert.equal(await (await fetch(`${base}/`, { client: trustFirst })).text(), "ok");

      // The whole renewal: new connections get the second CA's certificate.
      await Deno.writeTextFile(certFile, renewed.certPem);
      const result = await server.reload();
      assert.equal(result.reloaded, true);
      assert.equal((await server.reload()).reloaded, false, "unchanged files: nothing to do");
      const fresh = Deno.createHttpClient({ caCerts: [second.caPem] });
      assert.equal(await (await fetch(`${base}/`, { client: fresh })).text(), "ok");
      fresh.close();
      await assert.rejects(
        () => fetch(`${base}/`, { client: Deno.createHttpClient({ caCerts: [first.caPem] }) }),
        (error: Error) => /UnknownIssuer/.test(String(error.cause)),
        "a new connection no longer gets the first certificate",
      );
      // The stream opened before goes on, on the old listener.
      const before = Date.now();
      let lines = 0;
      while (lines < 5) {
        const { value, done } = await reader.read();
        assert.ok(!done, "the open stream still runs");
        lines += (value ?? "").split("\n").length - 1;
      }
      assert.ok(Date.now() - before < 2_000);
      await reader.cancel();
      assert.ok(quiet.lines.some((line) => line.startsWith("certificate reloaded")));
    } finally {
      trustFirst.close();
      trustSecond.close();
      await Promise.race([server.shutdown(), new Promise((r) => setTimeout(r, 2_000))]);
      await first.remove();
      await second.remove();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test("listen(): plain HTTP without the TLS files, and reload() says so", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "rescue-listen-" });
  const config = await loadConfig({ env: { DATA_DIR: dataDir, PORT: "0", HOST: "127.0.0.1" } });
  const server = listen(config, () => new Response("plain"), { log: quiet });
  try {
    assert.equal(server.scheme, "http");
    assert.equal(await (await fetch(`http://127.0.0.1:${server.port}/`)).text(), "plain");
    assert.deepEqual(await server.reload(), { reloaded: false, reason: "plain" });
  } finally {
    await server.shutdown();
    await Deno.remove(dataDir, { recursive: true });
  }
});
