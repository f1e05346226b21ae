import assert from "node:assert/strict";
import { Hono } from "hono";
import type { AppEnv } from "../http/mod.ts";
import { outboxId, outboxListQuery } from "./request.ts";

const app = new Hono<AppEnv>()
  .get("/", (c) => c.json(outboxListQuery(c)))
  .get("/:id", (c) => {
    try {
      return c.text(outboxId(c));
    } catch {
      return c.text("refused", 404);
    }
  });

Deno.test("outboxListQuery() keeps a known status and a numeric page, else no filter and page 1", async () => {
  const read = async (path: string) => await (await app.request(path)).json();
  assert.deepEqual(await read("/?status=held&page=3"), { status: "held", page: 3 });
  assert.deepEqual(await read("/?status=lost&page=two"), { page: 1 });
  assert.deepEqual(await read("/"), { page: 1 });
});

Deno.test("outboxId() accepts only a UUID", async () => {
  const id = crypto.randomUUID();
  assert.equal(await (await app.request(`/${id}`)).text(), id);
  assert.equal((await app.request("/not-a-uuid")).status, 404);
  assert.equal((await app.request("/1%27%20or%201=1")).status, 404);
});
