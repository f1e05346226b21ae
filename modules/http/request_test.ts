import assert from "node:assert/strict";
import { Hono } from "hono";
import { changeContext } from "./request.ts";
import type { AppDeps, AuthedEnv, CurrentUser } from "./types.ts";

const actor = { id: "u1", orgId: "o1", name: "Ann", role: "admin" } as unknown as CurrentUser;

function appWith(trustProxy: boolean, now: Date) {
  const deps = { config: { trustProxy }, clock: { now: () => now } } as unknown as AppDeps;
  return new Hono<AuthedEnv>()
    .use("*", async (c, next) => {
      c.set("deps", deps);
      c.set("user", actor);
      await next();
    })
    .get("/", (c) => {
      const ctx = changeContext(c);
      return c.json({ actor: ctx.actor.id, ip: ctx.ip, now: ctx.now.toISOString() });
    });
}

Deno.test("changeContext() names the signed-in user, the client's address and the app clock's now", async () => {
  const now = new Date("2026-11-24T10:00:00Z");
  const headers = { "x-forwarded-for": "203.0.113.9, 10.0.0.1" };
  const proxied = await appWith(true, now).request("/", { headers });
  assert.deepEqual(await proxied.json(), {
    actor: "u1",
    ip: "203.0.113.9",
    now: "2026-11-24T10:00:00.000Z",
  });
  // Without a trusted proxy the header is anyone's to write: the socket's address counts.
  const direct = await appWith(false, now).request("/", { headers });
  assert.equal((await direct.json()).ip, "127.0.0.1");
});
