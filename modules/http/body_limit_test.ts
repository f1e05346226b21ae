import assert from "node:assert/strict";
import { Hono } from "hono";
import { Refusal } from "../refusal/mod.ts";
import { bodyLimit } from "./body_limit.ts";
import { problem } from "./errors.tsx";
import type { AppEnv } from "./types.ts";

// The 413 is a thrown Refusal; here, as under /api/ in the app, it becomes a problem document.
const app = new Hono<AppEnv>()
  .use(
    "*",
    bodyLimit([
      { path: "/api/s/:token/files", maxBytes: 10 },
      { path: "/api/admin/*", maxBytes: 20 },
    ], { fallback: 5 }),
  )
  .post("*", async (c) => c.text(String((await c.req.arrayBuffer()).byteLength)))
  // What a route makes of its failed read (here a 400) is replaced by the 413.
  .onError((error, c) =>
    error instanceof Refusal
      ? problem(c, error.status, error.key)
      : c.text("could not read the body", 400)
  );

async function post(path: string, size: number, declare: boolean) {
  const bytes = new Uint8Array(size);
  const body = declare ? bytes : new Blob([bytes]).stream();
  const res = await app.request(`http://localhost${path}`, {
    method: "POST",
    body,
    headers: declare ? { "content-length": String(size) } : {},
    duplex: "half",
  } as RequestInit);
  return { status: res.status, text: await res.text() };
}

Deno.test("bodyLimit() applies the first matching cap, else the fallback, declared or chunked", async () => {
  for (const declare of [true, false]) {
    const cases: [string, number, number][] = [
      ["/api/s/abc/files", 10, 200],
      ["/api/s/abc/files", 11, 413],
      ["/api/s/abc/files/x", 6, 413], // one segment per :param: not the upload route
      ["/api/admin", 20, 200],
      ["/api/admin/groups/1/settings", 20, 200],
      ["/api/admin/groups/1/settings", 21, 413],
      ["/api/other", 5, 200],
      ["/api/other", 6, 413],
    ];
    for (const [path, size, status] of cases) {
      const res = await post(path, size, declare);
      assert.equal(res.status, status, `${path} ${size} bytes (declared: ${declare})`);
      if (status === 200) assert.equal(res.text, String(size));
      else assert.match(res.text, /"title":"Content Too Large"/);
    }
  }
});
