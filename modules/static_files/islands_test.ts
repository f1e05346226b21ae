import assert from "node:assert/strict";
import { buildIslands, ISLANDS } from "./islands.ts";
import { staticRoutes } from "./routes.ts";

Deno.test("buildIslands() bundles every island for the browser, without server code", async () => {
  const bundles = await buildIslands();
  assert.deepEqual([...bundles.keys()].sort(), [...ISLANDS].sort());
  const code = new TextDecoder().decode(bundles.get("remote_view")!.code);
  // Preact and the island are in; the validator and the server's JSX are not (the island
  // imports only protocol's plain files).
  assert.match(code, /__remoteView/);
  assert.doesNotMatch(code, /\bzod\b|ZodError|hono/i);
  // A cap that a dependency pulled in by mistake would break (zod alone is far more than the
  // headroom); the island itself is 69 KB minified with the whiteboard's preview and Undo.
  assert.ok(code.length < 80 * 1024, `remote_view.js is ${code.length} bytes`);
  assert.equal(await buildIslands(), bundles, "bundled once per process");
});

Deno.test("staticRoutes serves /static/islands/<name>.js with an ETag; unknown islands are 404", async () => {
  const response = await staticRoutes.request("/static/islands/remote_view.js");
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "text/javascript; charset=utf-8");
  const etag = response.headers.get("etag")!;
  assert.match(await response.text(), /__remoteView/);
  const again = await staticRoutes.request("/static/islands/remote_view.js", {
    headers: { "if-none-match": etag },
  });
  assert.equal(again.status, 304);
  assert.equal((await staticRoutes.request("/static/islands/console.js")).status, 404);
  assert.equal((await staticRoutes.request("/static/islands/../main.ts")).status, 404);
  assert.equal((await staticRoutes.request("/static/remote_view.js")).status, 404, "gone");
});
