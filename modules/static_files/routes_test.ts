import assert from "node:assert/strict";
import { staticRoutes } from "./routes.ts";

Deno.test("staticRoutes serves static/ files of the listed kinds with their type, cached 5 minutes", async () => {
  const css = await staticRoutes.request("/static/app.css");
  assert.equal(css.status, 200);
  assert.equal(css.headers.get("content-type"), "text/css; charset=utf-8");
  assert.equal(css.headers.get("cache-control"), "public, max-age=300");
  assert.match(await css.text(), /\{/);
  const sound = await staticRoutes.request("/static/sounds/networkLost.wav");
  assert.equal(sound.status, 200);
  assert.equal(sound.headers.get("content-type"), "audio/wav");
  await sound.body?.cancel();
});

Deno.test("staticRoutes answers 404 outside the listed names and kinds", async () => {
  for (
    const path of [
      "/static/missing.css",
      "/static/.hidden.css",
      "/static/../main.ts",
      "/static/%2e%2e/main.ts",
      "/static/..%2Fmain.ts",
      "/static/sounds/..%2Fapp.css",
      "/static/deno.json",
      "/static/app.css.map",
      "/static/sounds/networkLost.mp3",
    ]
  ) {
    const res = await staticRoutes.request(path);
    assert.equal(res.status, 404, path);
    await res.body?.cancel();
  }
});

Deno.test("staticRoutes serves the vendored htmx from node_modules, cached a day; other names 404", async () => {
  const htmx = await staticRoutes.request("/vendor/htmx.min.js");
  assert.equal(htmx.status, 200);
  assert.equal(htmx.headers.get("content-type"), "text/javascript; charset=utf-8");
  assert.equal(htmx.headers.get("cache-control"), "public, max-age=86400");
  assert.match(await htmx.text(), /htmx/);
  for (const path of ["/vendor/nope.js", "/vendor/../deno.json", "/vendor/"]) {
    const res = await staticRoutes.request(path);
    assert.equal(res.status, 404, path);
    await res.body?.cancel();
  }
});
