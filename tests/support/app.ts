/**
 * Builds the real application over an isolated test database (PGlite template, or the
 * PostgreSQL at DATABASE_URL), with a settable clock and a log that is kept, not printed.
 * `client()` is a tiny browser: it keeps cookies, follows nothing, and fills in the CSRF
 * token from the last page it saw.
 */
import { argon2id } from "hash-wasm";
import { loadConfig } from "../../modules/config/mod.ts";
import { type DatabaseHandle, openTestDatabase } from "../../modules/db/mod.ts";
import { createApp } from "../../modules/app/mod.ts";
import { bootstrap } from "../../modules/auth/mod.ts";
import { fileStoreIn } from "../../modules/files/mod.ts";
import { type AppDeps, createLogger } from "../../modules/http/mod.ts";
import { LiveHub } from "../../modules/live/mod.ts";
import { newInstance, registerInstance } from "../../modules/cluster/mod.ts";

export const ADMIN = { email: "admin@example.test", password: "correct horse battery" };

export interface TestApp {
  deps: AppDeps;
  app: ReturnType<typeof createApp>;
  clock: { now(): Date; set(d: Date): void; advance(ms: number): void };
  logLines: string[];
  client(): TestClient;
  close(): Promise<void>;
}

export async function startTestApp(
  options: { env?: Record<string, string>; bootstrapAdmin?: boolean } = {},
): Promise<TestApp> {
  const dataDir = await Deno.makeTempDir({ prefix: "rescue-test-" });
  const handle = await openTestDatabase();
  const clock = testClock();
  const { deps, logLines } = await buildTestDeps({ ...options, dataDir, db: handle, clock });
  const app = createApp(deps);
  return {
    deps,
    app,
    clock,
    logLines,
    client: () => new TestClient(app),
    close: async () => {
      await handle.close();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

export type TestClock = TestApp["clock"];

/** A clock that stands still until the test sets or advances it. */
export function testClock(start = new Date("2026-11-24T10:00:00Z")): TestClock {
  let now = new Date(start);
  return {
    now: () => new Date(now),
    set: (d: Date) => void (now = new Date(d)),
    advance: (ms: number) => void (now = new Date(now.getTime() + ms)),
  };
}

/**
 * The deps of one test app over `db`: configuration from `env` (DATA_DIR, PORT 0 and the
 * bootstrap admin filled in), a kept log, its own LiveHub and instance row (`instanceUrl`,
 * default a placeholder), the admin bootstrapped. Shared by `startTestApp` and the cluster
 * fixture (cluster.ts).
 */
export async function buildTestDeps(options: {
  env?: Record<string, string>;
  bootstrapAdmin?: boolean;
  dataDir: string;
  db: DatabaseHandle;
  clock: TestClock;
  instanceUrl?: string;
}): Promise<{ deps: AppDeps; logLines: string[] }> {
  const { dataDir, clock } = options;
  const env: Record<string, string> = { DATA_DIR: dataDir, PORT: "0", ...options.env };
  if (options.instanceUrl) env.INSTANCE_URL = options.instanceUrl;
  if (options.bootstrapAdmin !== false) {
    env.RESCUE_ADMIN_EMAIL ??= ADMIN.email;
    env.RESCUE_ADMIN_PASSWORD ??= ADMIN.password;
  }
  const config = await loadConfig({ env });
  const logLines: string[] = [];
  const log = createLogger({}, (line) => logLines.push(line));
  const deps: AppDeps = {
    config,
    db: options.db.db,
    dbKind: options.db.kind,
    clock,
    log,
    live: new LiveHub(),
    instance: newInstance(options.instanceUrl ?? "http://127.0.0.1:0"),
    files: fileStoreIn(dataDir),
  };
  await registerInstance(deps.db, deps.instance, clock.now());
  // The bootstrapped admin gets the fixture hash: the production one costs tens of ms of CPU
  // per test app (≈ 0.5 s on a loaded machine), on both engines.
  await bootstrap(deps, {
    passwordHash: options.bootstrapAdmin !== false
      ? await fixturePasswordHash(env.RESCUE_ADMIN_PASSWORD)
      : undefined,
  });
  return { deps, logLines };
}

const fixtureHashes = new Map<string, Promise<string>>();

/**
 * A real argon2id hash of `password` at the lowest cost (64 KiB, 1 pass), made once per test
 * file, for the accounts tests make (the bootstrapped admin, `makePerson`): signing them in
 * checks a real hash without the production cost (19 MiB, 2 passes: tens of ms of CPU per
 * hash and per check, times every sign-in of the suite, on both engines). The production
 * parameters are tested in modules/auth/password_test.ts, and every password set through
 * the product (sign-up, a change, the setup page, a bootstrap without a given hash) is still
 * hashed with them; the test app's bootstrap is handed this one instead.
 */
export function fixturePasswordHash(password: string): Promise<string> {
  let hash = fixtureHashes.get(password);
  if (!hash) {
    hash = argon2id({
      password,
      salt: crypto.getRandomValues(new Uint8Array(16)),
      memorySize: 64,
      iterations: 1,
      parallelism: 1,
      hashLength: 32,
      outputType: "encoded",
    });
    fixtureHashes.set(password, hash);
  }
  return hash;
}

/** Runs `fn` over a fresh test app and closes the app after, whatever `fn` did. */
export async function withTestApp(
  fn: (t: TestApp) => Promise<void>,
  options: Parameters<typeof startTestApp>[0] = {},
): Promise<void> {
  const t = await startTestApp(options);
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

export class TestClient {
  cookies = new Map<string, string>();
  csrf = "";
  headers: Record<string, string> = {};
  constructor(
    private app: { request: (url: string, init?: RequestInit) => Response | Promise<Response> },
  ) {}

  /** The cookies kept so far, as a `cookie` request header. */
  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return await this.send(path, { method: "GET", headers });
  }

  /** Posts a form; the CSRF token of the last page is added unless `_csrf` is given. */
  async post(
    path: string,
    fields: Record<string, string> = {},
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const body = new URLSearchParams({ _csrf: this.csrf, ...fields });
    return await this.send(path, {
      method: "POST",
      body,
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    });
  }

  async send(path: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    for (const [k, v] of Object.entries(this.headers)) headers.set(k, v);
    if (this.cookies.size > 0) headers.set("cookie", this.cookieHeader());
    const res = await this.app.request(`http://localhost${path}`, { ...init, headers });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) =>
        /max-age=0/i.test(a) || /expires=Thu, 01 Jan 1970/i.test(a)
      );
      if (expired || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    if ((res.headers.get("content-type") ?? "").includes("text/html")) {
      const text = await res.clone().text();
      const match = /name="_csrf" value="([^"]+)"/.exec(text) ??
        /X-CSRF-Token&quot;:&quot;([^&]+)&quot;/.exec(text);
      if (match) this.csrf = match[1];
    }
    return res;
  }

  /** Signs in with password (and `code` when asked for a second factor). */
  async signIn(email: string, password: string, code?: () => string): Promise<Response> {
    await this.get("/signin");
    let res = await this.post("/signin", { email, password });
    if (res.headers.get("location")?.startsWith("/signin/2fa") && code) {
      await this.get("/signin/2fa");
      res = await this.post("/signin/2fa", { code: code() });
    }
    return res;
  }
}

/** Reads the audit actions written so far, oldest first. */
export async function auditActions(deps: AppDeps): Promise<string[]> {
  const { auditLog } = await import("../../modules/audit/mod.ts");
  const { asc } = await import("drizzle-orm");
  const rows = await deps.db.select({ action: auditLog.action }).from(auditLog).orderBy(
    asc(auditLog.id),
  );
  return rows.map((r) => r.action);
}
