import assert from "node:assert/strict";
import { findCycles, MAP_BEGIN, MAP_END, renderModuleMap, withModuleMap } from "./import_graph.ts";

const graph = (edges: Record<string, string[]>) =>
  new Map(Object.entries(edges).map(([from, to]) => [from, new Set(to)]));

Deno.test("findCycles() finds none in a graph without a cycle", () => {
  assert.deepEqual(findCycles(graph({ a: ["b", "c"], b: ["c"], c: [] })), []);
});

Deno.test("findCycles() names each cycle once, as a closed path, a self-import included", () => {
  const found = findCycles(graph({
    "routes.tsx": ["views.tsx"],
    "views.tsx": ["routes.tsx"],
    "status.ts": ["transitions.ts", "mod.ts"],
    "transitions.ts": ["status.ts"],
    "mod.ts": ["status.ts"],
    "self.ts": ["self.ts"],
    "leaf.ts": [],
  }));
  assert.deepEqual(found.map((c) => c.join(" → ")).sort(), [
    "mod.ts → status.ts → mod.ts",
    "routes.tsx → views.tsx → routes.tsx",
    "self.ts → self.ts",
  ]);
});

Deno.test("renderModuleMap() puts importers above what they import and wraps long lists", () => {
  const map = renderModuleMap({
    app: ["web", "db", "alpha", "beta", "gamma", "delta"],
    web: ["db"],
    db: [],
    alpha: [],
    beta: [],
    gamma: [],
    delta: [],
  }, 30);
  assert.equal(
    map,
    [
      "app ──► alpha, beta, db,",
      "        delta, gamma, web",
      "web ──► db",
      "import no other module: alpha,",
      "                        beta,",
      "                        db,",
      "                        delta,",
      "                        gamma",
    ].join("\n"),
  );
});

Deno.test("withModuleMap() replaces only what stands between the markers", () => {
  const doc = `# A\n\n${MAP_BEGIN}\n\n\`\`\`\nold\n\`\`\`\n\n${MAP_END}\n\ntail\n`;
  assert.equal(
    withModuleMap(doc, "new"),
    `# A\n\n${MAP_BEGIN}\n\n\`\`\`\nnew\n\`\`\`\n\n${MAP_END}\n\ntail\n`,
  );
  assert.equal(withModuleMap("# no markers", "new"), undefined);
});
