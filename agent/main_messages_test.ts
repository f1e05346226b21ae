// What the support app prints before it has a session — a package's broken configuration, a
// bad address, a PIN the server refuses — is in the customer's language (the OS's LANG), as
// everything later is: run for real, in Russian and Hebrew.
import assert from "node:assert/strict";

const MAIN = new URL("./main.ts", import.meta.url).pathname;

async function run(lang: string, args: string[]): Promise<{ code: number; text: string }> {
  const env: Record<string, string> = { LANG: lang, LANGUAGE: "", LC_ALL: "", LC_MESSAGES: "" };
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-check", MAIN, "--no-open", ...args],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: out.code, text: decode(out.stdout) + decode(out.stderr) };
}

Deno.test("the support app says a broken configuration and a bad address in Russian and Hebrew", async () => {
  const config = await run("ru_RU.UTF-8", ["--config", "/nonexistent/rescue.json"]);
  assert.equal(config.code, 2);
  assert.equal(
    config.text.trim(),
    "Это не конфигурация приложения поддержки: /nonexistent/rescue.json",
  );
  const address = await run("he_IL.UTF-8", ["--link", "not-an-address"]);
  assert.equal(address.code, 1);
  assert.equal(address.text.trim(), "זו אינה כתובת של שרת: not-an-address");
  const scheme = await run("ru_RU.UTF-8", ["--server", "ftp://127.0.0.1", "--pin", "123456"]);
  assert.equal(scheme.text.trim(), "Это не адрес http или https: ftp://127.0.0.1/");
});

Deno.test({
  name: "the support app says a refused PIN in Russian",
  sanitizeResources: false,
  async fn() {
    const answers = [
      new Response(JSON.stringify({ error: "wrong" }), { status: 422 }),
      new Response(JSON.stringify({ error: "throttled", retryAfterSeconds: 30 }), { status: 429 }),
    ];
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      () => answers.shift() ?? new Response("{}", { status: 500 }),
    );
    try {
      const at = `http://127.0.0.1:${server.addr.port}`;
      const wrong = await run("ru_RU.UTF-8", ["--server", at, "--pin", "123456"]);
      assert.equal(wrong.code, 1);
      assert.match(wrong.text, /Этот PIN-код недействителен\. Уточните его у специалиста\./);
      assert.doesNotMatch(wrong.text, /That PIN|not valid/);
      const many = await run("ru_RU.UTF-8", ["--server", at, "--pin", "123456"]);
      assert.match(many.text, /Слишком много попыток\. Подождите 30 с/);
    } finally {
      await server.shutdown();
    }
  },
});
