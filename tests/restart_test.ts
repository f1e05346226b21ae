// A restart signs nobody out: sessions live in the database. Runs the real start-up path
// (`openDatabase` + migrations + bootstrap) twice over one on-disk data directory, on
// PGlite, or on the PostgreSQL at DATABASE_URL.
import assert from "node:assert/strict";
import { loadConfig } from "../modules/config/mod.ts";
import { openDatabase, openTestDatabase } from "../modules/db/mod.ts";
import { createApp } from "../modules/app/mod.ts";
import { bootstrap } from "../modules/auth/mod.ts";
import { fileStoreIn } from "../modules/files/mod.ts";
import { createLogger } from "../modules/http/mod.ts";
import { LiveHub } from "../modules/live/mod.ts";
import { newInstance } from "../modules/cluster/mod.ts";
import { ADMIN, TestClient } from "./support/app.ts";

async function boot(dataDir: string) {
  const config = await loadConfig({
    env: {
      DATA_DIR: dataDir,
      RESCUE_ADMIN_EMAIL: ADMIN.email,
      RESCUE_ADMIN_PASSWORD: ADMIN.password,
      DATABASE_URL: Deno.env.get("DATABASE_URL") ?? "",
    },
  });
  const handle = await openDatabase(config);
  const deps = {
    config,
    db: handle.db,
    dbKind: handle.kind,
    clock: { now: () => new Date() },
    live: new LiveHub(),
    instance: newInstance("http://127.0.0.1:0"),
    log: createLogger({}, () => {}),
    files: fileStoreIn(dataDir),
  };
  await bootstrap(deps);
  return { app: createApp(deps), handle };
}

Deno.test("a signed-in browser stays signed in across a server restart", async () => {
  if (Deno.env.get("DATABASE_URL")) await (await openTestDatabase()).close(); // empty tables
  const dataDir = await Deno.makeTempDir({ prefix: "rescue-restart-" });
  try {
    const first = await boot(dataDir);
    const browser = new TestClient(first.app);
    assert.equal((await browser.signIn(ADMIN.email, ADMIN.password)).status, 303);
    assert.equal((await browser.get("/console")).status, 200);
    await first.handle.close();

    const second = await boot(dataDir);
    try {
      const again = new TestClient(second.app);
      again.cookies = browser.cookies;
      assert.equal((await again.get("/console")).status, 200);
      const health = await (await second.app.request("http://localhost/healthz")).json();
      assert.equal(health.database, Deno.env.get("DATABASE_URL") ? "postgres" : "pglite");
      assert.match(health.instance, /^[0-9a-f-]{36}$/, "the instance that answered");
    } finally {
      await second.handle.close();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
