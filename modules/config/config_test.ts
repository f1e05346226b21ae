import assert from "node:assert/strict";
import { join } from "node:path";
import { loadConfig } from "./config.ts";

/** Runs `fn` with a fresh temporary directory, removed afterwards. */
async function withTempDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "rescue-config-test-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

Deno.test("loadConfig() defaults to port 8080, ./data, http://localhost:8080 and no admin", async () => {
  await withTempDir(async (dir) => {
    // The default DATA_DIR is relative, and loadConfig creates it: run from a scratch cwd.
    const cwd = Deno.cwd();
    Deno.chdir(dir);
    try {
      const config = await loadConfig({ env: {} });
      assert.equal(config.port, 8080);
      assert.equal(config.dataDir, "./data");
      assert.equal(config.publicUrl, "http://localhost:8080");
      assert.equal(config.secureCookies, false);
      assert.equal(config.databaseUrl, undefined);
      assert.equal(config.smtpUrl, undefined);
      assert.equal(config.bootstrapAdmin, undefined);
      assert.ok(await exists(join(dir, "data", "secrets.json")));
    } finally {
      Deno.chdir(cwd);
    }
  });
});

Deno.test("loadConfig() takes PORT, DATA_DIR, DATABASE_URL and SMTP_URL from the environment", async () => {
  await withTempDir(async (dir) => {
    const dataDir = join(dir, "nested", "data");
    const config = await loadConfig({
      env: {
        PORT: "9090",
        DATA_DIR: dataDir,
        DATABASE_URL: " postgres://db.example/rescue ",
        SMTP_URL: "smtp://mail.example:25",
      },
    });
    assert.equal(config.port, 9090);
    assert.equal(config.publicUrl, "http://localhost:9090");
    assert.equal(config.dataDir, dataDir);
    assert.equal(config.databaseUrl, "postgres://db.example/rescue");
    assert.equal(config.smtpUrl, "smtp://mail.example:25");
    assert.ok((await Deno.stat(dataDir)).isDirectory, "DATA_DIR is created");
  });
});

Deno.test("loadConfig() throws a RangeError naming PORT for a port that is not a number or out of range", async () => {
  await withTempDir(async (dir) => {
    const dataDir = join(dir, "data");
    for (const port of ["abc", "70000", "65536", "-1", "80.5"]) {
      await assert.rejects(
        loadConfig({ env: { PORT: port, DATA_DIR: dataDir } }),
        (error: unknown) => error instanceof RangeError && /PORT/.test(error.message),
        `PORT=${port}`,
      );
    }
    assert.equal(await exists(dataDir), false, "nothing is written for an invalid config");
  });
});

Deno.test("loadConfig() accepts PORT 0 and 65535", async () => {
  await withTempDir(async (dir) => {
    assert.equal((await loadConfig({ env: { PORT: "0", DATA_DIR: dir } })).port, 0);
    assert.equal((await loadConfig({ env: { PORT: "65535", DATA_DIR: dir } })).port, 65535);
  });
});

Deno.test("loadConfig() throws a RangeError naming PUBLIC_URL for a non-http(s) or relative URL", async () => {
  await withTempDir(async (dir) => {
    for (const url of ["ftp://x", "javascript:alert(1)", "rescue.example", "/relative"]) {
      await assert.rejects(
        loadConfig({ env: { PUBLIC_URL: url, DATA_DIR: dir } }),
        (error: unknown) => error instanceof RangeError && /PUBLIC_URL/.test(error.message),
        `PUBLIC_URL=${url}`,
      );
    }
  });
});

Deno.test("loadConfig() trims the trailing slash off PUBLIC_URL and keeps a path", async () => {
  await withTempDir(async (dir) => {
    const plain = await loadConfig({
      env: { PUBLIC_URL: "http://rescue.example/", DATA_DIR: dir },
    });
    assert.equal(plain.publicUrl, "http://rescue.example");
    const sub = await loadConfig({
      env: { PUBLIC_URL: "http://example.test:8443/rescue//", DATA_DIR: dir },
    });
    assert.equal(sub.publicUrl, "http://example.test:8443/rescue");
  });
});

Deno.test("loadConfig() sets secureCookies for an https PUBLIC_URL only", async () => {
  await withTempDir(async (dir) => {
    const https = await loadConfig({
      env: { PUBLIC_URL: "https://rescue.example", DATA_DIR: dir },
    });
    assert.equal(https.secureCookies, true);
    assert.equal(https.publicUrl, "https://rescue.example");
    const http = await loadConfig({ env: { PUBLIC_URL: "http://rescue.example", DATA_DIR: dir } });
    assert.equal(http.secureCookies, false);
  });
});

Deno.test("loadConfig() throws a RangeError when only one of RESCUE_ADMIN_EMAIL and RESCUE_ADMIN_PASSWORD is set", async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(
      loadConfig({ env: { RESCUE_ADMIN_EMAIL: "admin@example.test", DATA_DIR: dir } }),
      (error: unknown) =>
        error instanceof RangeError && /RESCUE_ADMIN_PASSWORD/.test(error.message),
    );
    await assert.rejects(
      loadConfig({ env: { RESCUE_ADMIN_PASSWORD: "correct horse battery", DATA_DIR: dir } }),
      (error: unknown) => error instanceof RangeError && /RESCUE_ADMIN_EMAIL/.test(error.message),
    );
    await assert.rejects(
      loadConfig({
        env: { RESCUE_ADMIN_EMAIL: "   ", RESCUE_ADMIN_PASSWORD: "correct horse", DATA_DIR: dir },
      }),
      RangeError,
      "a blank e-mail counts as unset",
    );
  });
});

Deno.test("loadConfig() returns the bootstrap admin when both e-mail and password are set", async () => {
  await withTempDir(async (dir) => {
    const config = await loadConfig({
      env: {
        RESCUE_ADMIN_EMAIL: " admin@example.test ",
        RESCUE_ADMIN_PASSWORD: "correct horse battery",
        DATA_DIR: dir,
      },
    });
    assert.deepEqual(config.bootstrapAdmin, {
      email: "admin@example.test",
      password: "correct horse battery",
    });
  });
});

Deno.test("loadConfig() generates the cookie secret and TOTP key once into DATA_DIR/secrets.json with mode 0600", async () => {
  await withTempDir(async (dir) => {
    const first = await loadConfig({ env: { DATA_DIR: dir } });
    assert.match(first.cookieSecret, /^[0-9a-f]{64}$/);
    assert.match(first.totpKey!, /^[A-Za-z0-9_-]{43}$/);
    const path = join(dir, "secrets.json");
    const stat = await Deno.stat(path);
    assert.equal(stat.mode! & 0o777, 0o600);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(path)), {
      cookieSecret: first.cookieSecret,
      totpKey: first.totpKey,
    });
    const second = await loadConfig({ env: { DATA_DIR: dir } });
    assert.equal(second.cookieSecret, first.cookieSecret);
    assert.equal(second.totpKey, first.totpKey);
    assert.equal((await Deno.stat(path)).mtime?.getTime(), stat.mtime?.getTime(), "not rewritten");
  });
});

Deno.test("loadConfig() adds a TOTP key to an older secrets.json and keeps its cookie secret", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "secrets.json");
    const cookieSecret = "c".repeat(64);
    await Deno.writeTextFile(path, JSON.stringify({ cookieSecret }), { mode: 0o600 });
    const config = await loadConfig({ env: { DATA_DIR: dir } });
    assert.equal(config.cookieSecret, cookieSecret);
    assert.match(config.totpKey!, /^[A-Za-z0-9_-]{43}$/);
    const stored = JSON.parse(await Deno.readTextFile(path));
    assert.deepEqual(stored, { cookieSecret, totpKey: config.totpKey });
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    await Deno.writeTextFile(path, JSON.stringify({ cookieSecret, totpKey: "short" }));
    await assert.rejects(loadConfig({ env: { DATA_DIR: dir } }), /secrets\.json/);
  });
});

Deno.test("loadConfig() gives each new DATA_DIR its own cookie secret", async () => {
  await withTempDir(async (a) => {
    await withTempDir(async (b) => {
      const one = await loadConfig({ env: { DATA_DIR: a } });
      const two = await loadConfig({ env: { DATA_DIR: b } });
      assert.notEqual(one.cookieSecret, two.cookieSecret);
    });
  });
});

Deno.test("loadConfig() lets RESCUE_COOKIE_SECRET override the stored secret", async () => {
  await withTempDir(async (dir) => {
    const secret = "s".repeat(40);
    const config = await loadConfig({ env: { DATA_DIR: dir, RESCUE_COOKIE_SECRET: secret } });
    assert.equal(config.cookieSecret, secret);
  });
});

Deno.test("loadConfig() refuses an unreadable secrets.json instead of replacing it", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "secrets.json");
    await Deno.writeTextFile(path, "{ not json", { mode: 0o600 });
    await assert.rejects(loadConfig({ env: { DATA_DIR: dir } }), /secrets\.json/);
    assert.equal(await Deno.readTextFile(path), "{ not json", "the file is left for the operator");
  });
});

Deno.test("loadConfig() leaves the SMS gateway unset by default and takes SMS_GATEWAY_* when given", async () => {
  await withTempDir(async (dir) => {
    const none = await loadConfig({ env: { DATA_DIR: dir } });
    assert.equal(none.smsGatewayUrl, undefined);
    assert.equal(none.smsGatewayAuth, undefined);
    assert.equal(none.smsGatewayTemplate, undefined);
    const template = '{"recipient":"{{to}}","text":"{{body}}","sender":"Rescue"}';
    const config = await loadConfig({
      env: {
        DATA_DIR: dir,
        SMS_GATEWAY_URL: " https://sms.example.test/send?key=k ",
        SMS_GATEWAY_AUTH: "Bearer s3cret",
        SMS_GATEWAY_TEMPLATE: template,
      },
    });
    assert.equal(config.smsGatewayUrl, "https://sms.example.test/send?key=k");
    assert.equal(config.smsGatewayAuth, "Bearer s3cret");
    assert.equal(config.smsGatewayTemplate, template);
    const form = await loadConfig({
      env: {
        DATA_DIR: dir,
        SMS_GATEWAY_URL: "http://10.0.0.5/sms",
        SMS_GATEWAY_TEMPLATE: "to={{to}}&text={{body}}",
      },
    });
    assert.equal(form.smsGatewayTemplate, "to={{to}}&text={{body}}");
  });
});

Deno.test("loadConfig() throws a RangeError naming SMS_GATEWAY_URL for a bad gateway URL, without echoing it", async () => {
  await withTempDir(async (dir) => {
    for (const url of ["ftp://sms.example", "sms.example/send?key=topsecret", "/send"]) {
      await assert.rejects(
        loadConfig({ env: { DATA_DIR: dir, SMS_GATEWAY_URL: url } }),
        (error: unknown) =>
          error instanceof RangeError && /SMS_GATEWAY_URL/.test(error.message) &&
          !error.message.includes("topsecret"),
        `SMS_GATEWAY_URL=${url}`,
      );
    }
  });
});

Deno.test("loadConfig() refuses SMS_GATEWAY_AUTH or _TEMPLATE without a URL and a template without both placeholders", async () => {
  await withTempDir(async (dir) => {
    const url = "https://sms.example.test/send";
    const cases: [Record<string, string>, RegExp][] = [
      [{ SMS_GATEWAY_AUTH: "Bearer x" }, /need SMS_GATEWAY_URL/],
      [{ SMS_GATEWAY_TEMPLATE: "{{to}} {{body}}" }, /need SMS_GATEWAY_URL/],
      [{ SMS_GATEWAY_URL: url, SMS_GATEWAY_TEMPLATE: '{"to":"{{to}}"}' }, /\{\{body\}\}/],
      [{ SMS_GATEWAY_URL: url, SMS_GATEWAY_TEMPLATE: '{"to":{{to}},"text":"{{body}}"}' }, /JSON/],
    ];
    for (const [env, message] of cases) {
      await assert.rejects(
        loadConfig({ env: { DATA_DIR: dir, ...env } }),
        (error: unknown) => error instanceof RangeError && message.test(error.message),
        JSON.stringify(env),
      );
    }
  });
});

Deno.test("loadConfig() takes FILE_LIMIT_MB (default 25) and refuses nonsense", async () => {
  await withTempDir(async (dir) => {
    assert.equal((await loadConfig({ env: { DATA_DIR: dir } })).fileLimitBytes, 25 * 1024 * 1024);
    const small = await loadConfig({ env: { DATA_DIR: dir, FILE_LIMIT_MB: "2" } });
    assert.equal(small.fileLimitBytes, 2 * 1024 * 1024);
    for (const bad of ["0", "-1", "1.5", "abc", "4096"]) {
      await assert.rejects(
        loadConfig({ env: { DATA_DIR: dir, FILE_LIMIT_MB: bad } }),
        /FILE_LIMIT_MB/,
        bad,
      );
    }
  });
});

Deno.test("loadConfig() takes HOST, SMTP_FROM, RESCUE_TRUST_PROXY and RESCUE_LOG, with their defaults", async () => {
  await withTempDir(async (dir) => {
    const plain = await loadConfig({ env: { DATA_DIR: dir } });
    assert.equal(plain.host, "0.0.0.0");
    assert.equal(plain.smtpFrom, undefined);
    assert.equal(plain.trustProxy, false);
    assert.equal(plain.logEnabled, true);
    const set = await loadConfig({
      env: {
        DATA_DIR: dir,
        HOST: " 127.0.0.1 ",
        SMTP_FROM: "Help desk <help@example.test>",
        RESCUE_TRUST_PROXY: "1",
        RESCUE_LOG: "off",
      },
    });
    assert.equal(set.host, "127.0.0.1");
    assert.equal(set.smtpFrom, "Help desk <help@example.test>");
    assert.equal(set.trustProxy, true);
    assert.equal(set.logEnabled, false);
    const other = await loadConfig({
      env: { DATA_DIR: dir, HOST: " ", RESCUE_TRUST_PROXY: "yes", RESCUE_LOG: "on" },
    });
    assert.equal(other.host, "0.0.0.0", "a blank HOST is unset");
    assert.equal(other.trustProxy, false, "only 1 trusts the proxy");
    assert.equal(other.logEnabled, true, "only off silences the log");
  });
});

Deno.test("only modules/config reads the environment (Deno.env) in the server's code", async () => {
  const root = new URL("../../", import.meta.url);
  const readers: string[] = [];
  const visit = async (dir: URL, path: string) => {
    for await (const entry of Deno.readDir(dir)) {
      const name = `${path}${entry.name}`;
      if (entry.isDirectory) {
        if (name !== "modules/config") await visit(new URL(`${entry.name}/`, dir), `${name}/`);
        continue;
      }
      // Tests and the test database helper (never loaded by the server) may read it.
      if (!/\.tsx?$/.test(name) || /_test\.tsx?$/.test(name) || name === "modules/db/testing.ts") {
        continue;
      }
      const text = await Deno.readTextFile(new URL(entry.name, dir));
      if (/Deno\.env\b/.test(text)) readers.push(name);
    }
  };
  await visit(new URL("modules/", root), "modules/");
  await visit(new URL("views/", root), "views/").catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
  if (/Deno\.env\b/.test(await Deno.readTextFile(new URL("main.ts", root)))) {
    readers.push("main.ts");
  }
  assert.deepEqual(readers, []);
});
