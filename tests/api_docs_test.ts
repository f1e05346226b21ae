// The OpenAPI document and its reference page (issue 12): every operation is named once and
// lists the problems it can answer with, described for that route; /api/v1/docs is Swagger UI
// served by us — offline, under our CSP, nothing fetched from another host.
import assert from "node:assert/strict";
import { startTestApp } from "./support/app.ts";
import { withBrowser } from "./support/browser.ts";

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

interface Operation {
  operationId?: string;
  security?: unknown[];
  responses: Record<string, { description: string }>;
}

async function operations() {
  const t = await startTestApp();
  try {
    const doc = await (await t.app.request("http://localhost/api/v1/openapi.json")).json();
    const out: { name: string; op: Operation }[] = [];
    for (
      const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)
    ) {
      for (const method of METHODS) {
        if (item[method]) out.push({ name: `${method.toUpperCase()} ${path}`, op: item[method] });
      }
    }
    return out;
  } finally {
    await t.close();
  }
}

Deno.test("OpenAPI: every operation has an operationId, and no two share one", async () => {
  const ops = await operations();
  assert.ok(ops.length >= 20, `only ${ops.length} operations`);
  const seen = new Map<string, string>();
  for (const { name, op } of ops) {
    assert.match(op.operationId ?? "", /^[a-z][A-Za-z]+$/, `${name} has no operationId`);
    const other = seen.get(op.operationId!);
    assert.ok(!other, `${name} and ${other} share ${op.operationId}`);
    seen.set(op.operationId!, name);
  }
});

Deno.test("OpenAPI: each operation lists its own problems, not one generic set", async () => {
  const ops = await operations();
  const problemSets = new Set<string>();
  const descriptions404 = new Set<string>();
  for (const { name, op } of ops) {
    const problems = Object.keys(op.responses).filter((status) => status >= "400");
    assert.ok(problems.length > 0, `${name} lists no problem`);
    if (op.security?.length) {
      assert.ok(op.responses["401"], `${name} needs a token but lists no 401`);
      assert.ok(op.responses["403"], `${name} needs a token but lists no 403 (2FA enrolment)`);
    }
    if (name.startsWith("GET ")) assert.ok(!op.responses["409"], `${name}: a read cannot conflict`);
    if (!name.includes("{id}")) assert.ok(!op.responses["404"] || name.startsWith("POST "), name);
    problemSets.add(problems.join(","));
    if (op.responses["404"]) descriptions404.add(op.responses["404"].description);
  }
  assert.ok(problemSets.size >= 6, `only ${problemSets.size} different sets of problems`);
  assert.ok(descriptions404.size >= 4, "404 is described for what each route looks up");
  const byName = new Map(ops.map(({ name, op }) => [name, op]));
  assert.deepEqual(Object.keys(byName.get("GET /groups")!.responses), ["200", "401", "403"]);
  assert.match(byName.get("DELETE /groups/{id}")!.responses["409"].description, /members/);
});

Deno.test("/api/v1/docs is a page of our own: no inline script, every asset from this origin", async () => {
  const t = await startTestApp();
  try {
    const res = await t.app.request("http://localhost/api/v1/docs");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-security-policy") ?? "", /script-src 'self'/);
    const html = await res.text();
    assert.doesNotMatch(html, /<script>(?!<\/script>)|<script(?![^>]*\ssrc=)[^>]*>/);
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(assets.filter((url) => !url.startsWith("/")), [], "no other host");
    for (const url of assets) {
      const asset = await t.app.request(`http://localhost${url}`);
      assert.equal(asset.status, 200, url);
      await asset.body?.cancel();
    }
  } finally {
    await t.close();
  }
});

Deno.test("/api/v1/docs renders every operation in Chromium with no CSP error and no request off this host", async () => {
  const t = await startTestApp();
  try {
    await withBrowser(t, async ({ base, newPage }) => {
      const page = await newPage();
      const foreign: string[] = [];
      await page.route("**/*", (route) => {
        const url = new URL(route.request().url());
        if (url.origin === base || url.protocol === "data:") return route.continue();
        foreign.push(url.href);
        return route.abort();
      });
      await page.goto(`${base}/api/v1/docs`);
      // Swagger UI parses 1.7 MB of script before it draws anything: on a loaded CI machine
      // (load 35 on 2 CPUs) that took longer than the default 10 s. Waiting longer costs
      // nothing when it is quick.
      await page.locator(".opblock").first().waitFor({ timeout: 60_000 });
      const count = await page.locator(".opblock").count();
      assert.ok(count >= 20, `${count} operations shown`);
      assert.ok(await page.getByText("Groups you manage", { exact: true }).isVisible());
      assert.deepEqual(foreign, [], "nothing is fetched from another host");
      assert.deepEqual(page.errors, [], "no console error (a CSP refusal would be one)");
    });
  } finally {
    await t.close();
  }
});
