// What the agent checks about its server, as the customer sees it: plain http away from this
// computer is warned about, a join answer naming another server is refused, and a refused
// certificate is named with its cause (not "fetch failed") — in the functions and in the
// real program (agent/main.ts, which stops before it touches the desktop).
import assert from "node:assert/strict";
import { checkLinkOrigin, explainNetworkError, insecureWarning } from "./server_address.ts";
import { agentStrings } from "./strings.ts";

const en = agentStrings("en");
const MAIN = new URL("./main.ts", import.meta.url).pathname;

/** A self-signed certificate for localhost, made now (openssl), or null without openssl. */
async function selfSigned(): Promise<{ cert: string; key: string } | null> {
  const dir = await Deno.makeTempDir();
  try {
    const result = await new Deno.Command("openssl", {
      args: [
        ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"],
        ...["-nodes", "-keyout", `${dir}/key.pem`, "-out", `${dir}/cert.pem`, "-days", "2"],
        ...["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"],
        ...["-addext", "basicConstraints=critical,CA:FALSE"],
      ],
      stdout: "null",
      stderr: "null",
    }).output();
    if (!result.success) return null;
    return {
      cert: await Deno.readTextFile(`${dir}/cert.pem`),
      key: await Deno.readTextFile(`${dir}/key.pem`),
    };
  } catch {
    return null;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function runAgent(args: string[]): Promise<{ code: number; out: string }> {
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-check", MAIN, ...args, "--no-open"],
    env: { LANG: "C.UTF-8", DISPLAY: ":nowhere" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: result.code, out: decode(result.stdout) + decode(result.stderr) };
}

Deno.test("insecureWarning() warns for plain http away from this computer only", () => {
  assert.match(insecureWarning(new URL("http://support.example"), en) ?? "", /not encrypted/);
  assert.match(insecureWarning(new URL("http://10.0.0.5:8080"), en) ?? "", /10\.0\.0\.5/);
  for (
    const ok of [
      "https://support.example",
      "http://127.0.0.1:8080",
      "http://localhost",
      "http://[::1]:80",
    ]
  ) {
    assert.equal(insecureWarning(new URL(ok), en), null, ok);
  }
});

Deno.test("checkLinkOrigin() accepts a link on the same server only", () => {
  const server = new URL("https://support.example");
  assert.deepEqual(checkLinkOrigin(new URL("https://support.example/s/abc"), server, en), {
    ok: true,
  });
  for (
    const other of [
      "https://evil.example/s/abc",
      "http://support.example/s/abc",
      "https://support.example:444/s/abc",
    ]
  ) {
    const verdict = checkLinkOrigin(new URL(other), server, en);
    assert.equal(verdict.ok, false, other);
    assert.match(!verdict.ok ? verdict.message : "", /another server/);
  }
});

Deno.test("explainNetworkError() names the server and the certificate's fault", () => {
  const server = new URL("https://support.example");
  const tls = (why: string) =>
    new TypeError("fetch failed", {
      cause: new Error(
        `error sending request for url (https://support.example/): client error (Connect): invalid peer certificate: ${why}`,
      ),
    });
  assert.match(explainNetworkError(tls("UnknownIssuer"), server, en), /support\.example.*trusts/);
  assert.match(explainNetworkError(tls("Expired"), server, en), /expired/);
  assert.match(explainNetworkError(tls("NotValidForName"), server, en), /another name/);
  const refused = new TypeError("fetch failed", {
    cause: new Error(
      "client error (Connect): tcp connect error: Connection refused (os error 111)",
    ),
  });
  const text = explainNetworkError(refused, server, en);
  assert.match(text, /Could not reach https:\/\/support\.example: Connection refused/);
  assert.doesNotMatch(text, /fetch failed/);
});

Deno.test({
  name: "agent/main.ts: a self-signed certificate is named as such, not 'fetch failed'",
  sanitizeResources: false,
  async fn() {
    const pair = await selfSigned();
    if (!pair) return console.log("  (no openssl: skipped)");
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, ...pair, onListen: () => {} },
      () => new Response("ok"),
    );
    try {
      const { code, out } = await runAgent([
        "--link",
        `https://localhost:${server.addr.port}/s/${"t".repeat(20)}`,
      ]);
      assert.equal(code, 1, out);
      assert.match(out, /Could not connect securely to https:\/\/localhost:\d+/);
      assert.match(out, /not signed by an authority this computer trusts/);
      assert.doesNotMatch(out, /fetch failed/);
    } finally {
      await server.shutdown();
    }
  },
});

Deno.test({
  name: "agent/main.ts: plain http is warned about; a join link to another server is refused",
  sanitizeResources: false,
  async fn() {
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      () => Response.json({ link: `http://evil.example/s/${"t".repeat(20)}` }),
    );
    try {
      // 0.0.0.0 reaches this computer but is not a loopback name: it counts as the network.
      const { code, out } = await runAgent([
        "--pin",
        "123456",
        "--server",
        `http://0.0.0.0:${server.addr.port}`,
      ]);
      assert.equal(code, 1, out);
      assert.match(out, /WARNING: http:\/\/0\.0\.0\.0:\d+ is not encrypted/);
      assert.match(out, /answered with a link to another server \(http:\/\/evil\.example\)/);
      assert.doesNotMatch(out, /PAGE /, "no window was opened");
    } finally {
      await server.shutdown();
    }
  },
});
